package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GoodbyeTest {

    private final Goodbye bye = new Goodbye();

    @Test
    void shouldParseByeWithReason() {
        ByteBuf buf = wrapCopy(RtcpFixtures.byeWithReason());
        try {
            assertTrue(bye.wrap(buf, 0, buf.readableBytes()));
            assertEquals(2, bye.sourceCount());
            assertEquals(0x8D6C34F2L, bye.source(0));
            assertEquals(42, bye.source(1));
            assertTrue(bye.hasReason());
            assertEquals(13, bye.reasonOffset());
            assertEquals(4, bye.reasonLength());
            assertEquals("left", bye.reasonText());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteByeWithReasonByteForByte() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
        try {
            Goodbye.write(out, new long[] {0x8D6C34F2L, 42}, 2, "left".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(RtcpFixtures.byeWithReason(), readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldParseAndWriteFirefoxByeWithoutReason() {
        byte[] expected = Arrays.copyOfRange(RtcpFixtures.firefoxCompound(), 84, 92);
        ByteBuf buf = wrapCopy(expected);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        try {
            assertTrue(bye.wrap(buf, 0, buf.readableBytes()));
            assertEquals(1, bye.sourceCount());
            assertFalse(bye.hasReason());
            assertEquals("", bye.reasonText());
            Goodbye.write(out, new long[] {0x902F9E2EL}, 1, null);
            assertArrayEquals(expected, readable(out));
        } finally {
            buf.release();
            out.release();
        }
    }

    @Test
    void shouldRejectReasonOrSourcesPastThePacket() {
        byte[] reasonOverrun = RtcpFixtures.byeWithReason();
        reasonOverrun[12] = 8; // 8 bytes of reason, 7 remain
        byte[] sourcesOverrun = RtcpFixtures.byeWithReason();
        sourcesOverrun[0] = (byte) 0x85; // SC=5: 20 bytes of SSRCs, 16 remain
        for (byte[] bad : new byte[][] {reasonOverrun, sourcesOverrun}) {
            ByteBuf buf = wrapCopy(bad);
            try {
                assertFalse(bye.wrap(buf, 0, buf.readableBytes()), hex(bad));
            } finally {
                buf.release();
            }
        }
        ByteBuf empty = wrapCopy(bytes(0x80, 0xCB, 0x00, 0x00)); // SC=0: legal, leaves nobody
        try {
            assertTrue(bye.wrap(empty, 0, 4));
            assertEquals(0, bye.sourceCount());
        } finally {
            empty.release();
        }
    }
}
