package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shaped downlink's core on a fake clock: its rate, its queue limit, its drops, its delay and its order. */
class DownlinkBottleneckTest {

    private static final long MS = 1_000_000L;
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 5000);
    /** 800 kbit/s: 100 bytes a millisecond. */
    private static final long RATE_BPS = 800_000;

    private final List<DownlinkBottleneck> made = new ArrayList<>();

    /** What left the link: the datagram's first int (its number), its length, its sender and when it left. */
    private record Left(int number, int length, InetSocketAddress sender, long leftNs) {
    }

    private final List<Left> left = new ArrayList<>();
    private final DownlinkBottleneck.Delivery record = (d, sender, leftNs) -> left.add(new Left(d.getInt(d.readerIndex()), d.readableBytes(), sender, leftNs));

    private DownlinkBottleneck bottleneck(int queueLimitBytes, long delayNs) {
        DownlinkBottleneck b = new DownlinkBottleneck(RATE_BPS, queueLimitBytes, delayNs, 0, PooledByteBufAllocator.DEFAULT);
        made.add(b);
        return b;
    }

    @AfterEach
    void closeAll() {
        for (DownlinkBottleneck b : made) b.close();
    }

    /** Offers datagram {@code number} of {@code length} bytes at {@code nowNs}; the caller's buffer is released after. */
    private static boolean offer(DownlinkBottleneck b, int number, int length, long nowNs) {
        ByteBuf d = PooledByteBufAllocator.DEFAULT.heapBuffer(length);
        try {
            d.writeInt(number).writeZero(length - 4);
            return b.handleDatagram(d, SERVER, nowNs);
        } finally {
            assertTrue(d.release(), "the caller still owns its datagram");
        }
    }

    @Test
    void shouldPassAnIdleLinksFirstDatagramAtOnceThenPaceAtTheRate() {
        DownlinkBottleneck b = bottleneck(100_000, 0);
        for (int i = 0; i < 5; i++) assertTrue(offer(b, i, 1000, 0));
        assertEquals(0, b.nextDeliveryNs(), "a full bucket (1500 bytes) lets the first 1000 bytes through at once");
        b.pollDue(100 * MS, record);
        // The first took 1000 of 1500 tokens; the second waits for 500 more (5 ms), each later one for 1000 (10 ms).
        assertEquals(List.of(0L, 5 * MS, 15 * MS, 25 * MS, 35 * MS), left.stream().map(Left::leftNs).toList());
        assertEquals(List.of(0, 1, 2, 3, 4), left.stream().map(Left::number).toList());
        assertEquals(SERVER, left.get(0).sender());
        assertEquals(1000, left.get(4).length());
        assertEquals(Long.MAX_VALUE, b.nextDeliveryNs());
        assertEquals(5, b.delivered());
    }

    @Test
    void shouldHandOutOnlyWhatIsDueInArrivalOrder() {
        DownlinkBottleneck b = bottleneck(100_000, 0);
        for (int i = 0; i < 4; i++) assertTrue(offer(b, i, 1000, 0));
        assertEquals(1, b.pollDue(0, record));
        assertEquals(0, b.pollDue(5 * MS - 1, record), "not before its time");
        assertEquals(5 * MS, b.nextDeliveryNs());
        assertEquals(2, b.pollDue(15 * MS, record));
        assertEquals(List.of(0, 1, 2), left.stream().map(Left::number).toList());
    }

    @Test
    void shouldCarryTheLinkRateOverALongOverload() {
        // 1000 bytes every ms (8 Mbit/s) into 800 kbit/s for 10 s: what leaves is the link's rate, the rest dropped.
        DownlinkBottleneck b = bottleneck(DownlinkBottleneck.queueLimitBytes(800, 150), 0);
        long bytes = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            offer(b, ms, 1000, ms * MS);
            b.pollDue(ms * MS, record);
        }
        for (Left l : left) bytes += l.length();
        // 10 s at 100 bytes/ms plus the bucket's first 1500 bytes, at most a datagram short.
        assertTrue(bytes >= 1_000_000 && bytes <= 1_001_500, "bytes " + bytes);
        assertEquals(10_000, b.drops() + b.delivered() + (b.nextDeliveryNs() == Long.MAX_VALUE ? 0 : countQueued(b)));
        for (int i = 1; i < left.size(); i++) {
            assertTrue(left.get(i).number() > left.get(i - 1).number(), "order kept");
            assertTrue(left.get(i).leftNs() >= left.get(i - 1).leftNs(), "leave times never run backwards");
        }
    }

    /** Drains {@code b} far in the future and counts what was still queued. */
    private int countQueued(DownlinkBottleneck b) {
        return b.pollDue(Long.MAX_VALUE / 2, (d, s, t) -> { });
    }

    @Test
    void shouldDropAtTheTailBeyondTheQueueLimit() {
        DownlinkBottleneck b = bottleneck(3000, 0);
        // The first leaves at once (the bucket's tokens); three more fill the 3000-byte queue; the rest are dropped.
        for (int i = 0; i < 4; i++) assertTrue(offer(b, i, 1000, 0), "datagram " + i);
        for (int i = 4; i < 10; i++) assertFalse(offer(b, i, 1000, 0), "datagram " + i);
        assertEquals(6, b.drops());
        assertEquals(3000, b.queuedBytes());
        // Once the second has left (5 ms), one more fits, at the tail.
        assertTrue(offer(b, 10, 1000, 5 * MS));
        assertFalse(offer(b, 11, 1000, 5 * MS));
        assertEquals(7, b.drops());
        b.pollDue(Long.MAX_VALUE / 2, record);
        assertEquals(List.of(0, 1, 2, 3, 10), left.stream().map(Left::number).toList());
    }

    @Test
    void shouldDelayEveryDatagramAfterTheQueueWithoutCountingItAsQueued() {
        DownlinkBottleneck b = bottleneck(3000, 40 * MS);
        for (int i = 0; i < 4; i++) assertTrue(offer(b, i, 1000, 0));
        assertEquals(0, b.pollDue(39 * MS, record), "nothing before the delay");
        // At 36 ms all four left the queue (0, 5, 15, 25 ms) and wait out the delay: the queue is empty again.
        assertTrue(offer(b, 4, 1000, 36 * MS));
        assertEquals(0, b.queuedBytes());
        b.pollDue(Long.MAX_VALUE / 2, record);
        assertEquals(List.of(40 * MS, 45 * MS, 55 * MS, 65 * MS, 76 * MS), left.stream().map(Left::leftNs).toList());
    }

    @Test
    void shouldDeliverACopySoTheSocketsBufferCanGo() {
        DownlinkBottleneck b = bottleneck(100_000, 0);
        ByteBuf d = PooledByteBufAllocator.DEFAULT.heapBuffer(300);
        d.writeInt(42).writeZero(296);
        d.readerIndex(0);
        assertTrue(b.handleDatagram(d, SERVER, 0));
        d.setInt(0, 7);
        assertTrue(d.release());
        b.pollDue(0, record);
        assertEquals(new Left(42, 300, SERVER, 0), left.get(0));
    }

    @Test
    void shouldDropWhatNoSlotHolds() {
        DownlinkBottleneck b = bottleneck(10_000, 0);
        assertFalse(offer(b, 1, DownlinkBottleneck.SLOT_BYTES + 1, 0), "larger than a datagram the sockets read");
        int slots = b.slotCount();
        int queued = 0;
        for (int i = 0; i < slots + 5; i++) if (offer(b, i, 100, 0)) queued++;
        assertEquals(slots, queued, "every slot used, then drops");
        assertEquals(6, b.drops());
    }

    @Test
    void shouldSizeTheQueueFor150MsAtTheRateAndAtLeastTwoDatagrams() {
        assertEquals(11_250, DownlinkBottleneck.queueLimitBytes(600, 150));
        assertEquals(3000, DownlinkBottleneck.queueLimitBytes(10, 150));
    }
}
