package dev.junction.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the leak gate works: a buffer dropped without release is reported, a released one is not. */
class LeakDetectionTest {

    @Test
    void shouldReportBufferThatWasNeverReleased() throws InterruptedException {
        LeakDetection.collect(); // start clean
        leakOne();
        List<String> leaks = LeakDetection.collect();
        assertEquals(1, leaks.size(), () -> "expected exactly one leak, got " + leaks);
        assertTrue(leaks.get(0).contains("LEAK"), leaks.get(0));
    }

    @Test
    void shouldNotReportReleasedBuffer() throws InterruptedException {
        LeakDetection.collect();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(7);
        assertTrue(buf.release());
        buf = null;
        assertEquals(List.of(), LeakDetection.collect());
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeInt(42); // dropped on purpose, never released
    }
}
