package dev.junction.transport.socket;

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

/**
 * The GSO coalescing rules on their own, no socket: what leaves as one segmented send, in which order, and that
 * every buffer is released exactly once (the leak detector runs at paranoid level).
 */
class GsoBatcherTest {

    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 5001);

    /** One send as the sink saw it: the datagrams cut back out of it by segment size. */
    private record Send(InetSocketAddress to, int segmentSize, List<Integer> sizes, List<Integer> tags) {
    }

    private final List<Send> sends = new ArrayList<>();
    private final GsoBatcher batcher = new GsoBatcher(PooledByteBufAllocator.DEFAULT, (buffer, segmentSize, segments, to) -> {
        List<Integer> sizes = new ArrayList<>();
        List<Integer> tags = new ArrayList<>();
        for (int at = buffer.readerIndex(); at < buffer.writerIndex(); at += segmentSize) {
            int size = Math.min(segmentSize, buffer.writerIndex() - at);
            sizes.add(size);
            tags.add((int) buffer.getByte(at + 2)); // the RTP sequence number's high byte carries the write index
        }
        assertEquals(segments, sizes.size(), "segment count matches the bytes");
        sends.add(new Send(to, segmentSize, sizes, tags));
        buffer.release();
    });

    @AfterEach
    void noneLeftOpen() {
        assertFalse(batcher.hasOpenBatches());
    }

    /** An RTP-shaped datagram of {@code size} bytes on {@code ssrc}, tagged with {@code tag}. */
    private static ByteBuf rtp(int size, int ssrc, int tag) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(size);
        b.writeByte(0x80).writeByte(96).writeByte(tag).writeByte(0).writeInt(0).writeInt(ssrc);
        b.writeZero(size - 12);
        return b;
    }

    @Test
    void shouldCoalesceAFramesPacketsWithAShortLastSegment() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        batcher.add(batch, rtp(1200, 1, 0), A);
        batcher.add(batch, rtp(1200, 1, 1), A);
        batcher.add(batch, rtp(1200, 1, 2), A);
        batcher.add(batch, rtp(700, 1, 3), A);
        assertTrue(sends.isEmpty(), "nothing leaves before the burst ends");
        batcher.flush();
        assertEquals(List.of(new Send(A, 1200, List.of(1200, 1200, 1200, 700), List.of(0, 1, 2, 3))), sends);
    }

    @Test
    void shouldSealTheBatchAtAShorterDatagram() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        batcher.add(batch, rtp(1200, 1, 0), A);
        batcher.add(batch, rtp(700, 1, 1), A);
        batcher.add(batch, rtp(1200, 1, 2), A);
        batcher.add(batch, rtp(1200, 1, 3), A);
        batcher.flush();
        assertEquals(List.of(new Send(A, 1200, List.of(1200, 700), List.of(0, 1)),
                new Send(A, 1200, List.of(1200, 1200), List.of(2, 3))), sends);
    }

    @Test
    void shouldSendALoneShortDatagramAsTheLastSegmentOfTheLongerRunAfterIt() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        batcher.add(batch, rtp(100, 7, 0), A); // the audio packet of the tick
        batcher.add(batch, rtp(1200, 1, 1), A);
        batcher.add(batch, rtp(1200, 1, 2), A);
        batcher.flush();
        assertEquals(List.of(new Send(A, 1200, List.of(1200, 1200, 100), List.of(1, 2, 0))), sends);
    }

    @Test
    void shouldNeverReorderOneRtpStream() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        batcher.add(batch, rtp(100, 1, 0), A);
        batcher.add(batch, rtp(1200, 2, 1), A);
        batcher.add(batch, rtp(100, 1, 2), A); // same stream as the held one: the held one leaves first
        batcher.add(batch, rtp(1200, 2, 3), A);
        batcher.flush();
        List<Integer> order = new ArrayList<>();
        for (Send s : sends) order.addAll(s.tags());
        assertTrue(order.indexOf(0) < order.indexOf(2), "stream 1 in order: " + order);
        assertTrue(order.indexOf(1) < order.indexOf(3), "stream 2 in order: " + order);
        assertEquals(4, order.size());
    }

    @Test
    void shouldStartANewSendBeyondTheSegmentLimit() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        for (int i = 0; i < GsoBatcher.MAX_SEGMENTS + 6; i++) batcher.add(batch, rtp(1000, 1, i), A);
        batcher.flush();
        assertEquals(2, sends.size());
        assertEquals(GsoBatcher.MAX_SEGMENTS, sends.get(0).sizes().size());
        assertEquals(6, sends.get(1).sizes().size());
    }

    @Test
    void shouldKeepPeersApartAndSendEachBatchOnce() {
        GsoBatcher.Batch toA = new GsoBatcher.Batch();
        GsoBatcher.Batch toB = new GsoBatcher.Batch();
        batcher.add(toA, rtp(1200, 1, 0), A);
        batcher.add(toB, rtp(1200, 1, 1), B);
        batcher.add(toA, rtp(1200, 1, 2), A);
        batcher.flush();
        assertEquals(List.of(new Send(A, 1200, List.of(1200, 1200), List.of(0, 2)),
                new Send(B, 1200, List.of(1200), List.of(1))), sends);
        batcher.flush();
        assertEquals(2, sends.size(), "a flushed batch is empty");
    }

    @Test
    void shouldReleaseEverythingOpenOnDiscard() {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        batcher.add(batch, rtp(100, 2, 0), A);
        batcher.add(batch, rtp(1200, 1, 1), A); // the 100-byte one is held now
        batcher.discard();
        assertTrue(sends.isEmpty());
        // The batch is reusable after a discard.
        batcher.add(batch, rtp(1200, 1, 2), A);
        batcher.flush();
        assertEquals(List.of(new Send(A, 1200, List.of(1200), List.of(2))), sends);
    }
}
