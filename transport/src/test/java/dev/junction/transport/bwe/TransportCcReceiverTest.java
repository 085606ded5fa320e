package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.TransportCcFeedback;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The feedback toward a publisher, read back with the codec's own parser: what arrived when, what never did. */
class TransportCcReceiverTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = -5_000 * MS; // nanoTime may be negative: the receiver's clock must not care
    private final List<ByteBuf> sent = new ArrayList<>();

    @AfterEach
    void release() {
        sent.forEach(ByteBuf::release);
    }

    private void sendDue(TransportCcReceiver r, long nowNs) {
        r.sendDue(nowNs, 0xFEED, PooledByteBufAllocator.DEFAULT, 16, sent::add);
    }

    /** Sequence number to arrival time (µs, relative to the feedback's own clock) or -1 for lost, over every message. */
    private Map<Integer, Long> parsed() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        TransportCcFeedback fb = new TransportCcFeedback();
        for (ByteBuf b : sent) {
            assertTrue(fb.wrap(b, b.readerIndex(), b.readableBytes()), "the codec parses what the receiver wrote");
            assertEquals(0xFEED, fb.senderSsrc());
            while (fb.next()) out.put(fb.sequenceNumber(), fb.isReceived() ? fb.arrivalTimeUs() : -1L);
        }
        return out;
    }

    @Test
    void shouldReportArrivalsInSequenceOrderWithLossesAfterTheInterval() {
        TransportCcReceiver r = new TransportCcReceiver(T0);
        assertTrue(r.onPacket(65_534, 1, T0 + 10 * MS), "the first packet arms the timer");
        assertEquals(T0 + 10 * MS + TransportCcReceiver.INTERVAL_NS, r.nextFeedbackNs());
        assertFalse(r.onPacket(65_535, 1, T0 + 11 * MS));
        // 0 is lost; 2 arrives before 1 (reordered); a duplicate of 2 keeps its first arrival.
        r.onPacket(2, 1, T0 + 13 * MS);
        r.onPacket(1, 2, T0 + 14 * MS);
        r.onPacket(2, 1, T0 + 20 * MS);
        sendDue(r, T0 + 50 * MS);
        assertTrue(sent.isEmpty(), "not due yet");
        sendDue(r, r.nextFeedbackNs());
        assertEquals(1, sent.size());
        Map<Integer, Long> got = parsed();
        assertEquals(List.of(65_534, 65_535, 0, 1, 2), List.copyOf(got.keySet()), "in order across the wrap");
        assertEquals(-1L, got.get(0));
        assertEquals(1_000, got.get(65_535) - got.get(65_534));
        assertEquals(3_000, got.get(1) - got.get(65_535), "reordered: 1 came 3 ms after 65535");
        assertEquals(-1_000, got.get(2) - got.get(1), "2 came a millisecond before 1");
        assertEquals(Long.MAX_VALUE, r.nextFeedbackNs(), "nothing left to report");

        // Late: 65533 was never reported and is older than what was; 3 starts the next feedback.
        assertFalse(r.onPacket(65_533, 1, T0 + 200 * MS));
        assertEquals(1, r.late());
        assertTrue(r.onPacket(3, 1, T0 + 210 * MS));
        sent.forEach(ByteBuf::release);
        sent.clear();
        sendDue(r, T0 + 310 * MS);
        assertEquals(List.of(3), List.copyOf(parsed().keySet()));
        assertEquals(2, r.sent());

        // 4, the first number after that feedback, is lost: the next feedback starts there and says so.
        sent.forEach(ByteBuf::release);
        sent.clear();
        r.onPacket(5, 1, T0 + 400 * MS);
        sendDue(r, T0 + 500 * MS);
        Map<Integer, Long> next = parsed();
        assertEquals(List.of(4, 5), List.copyOf(next.keySet()));
        assertEquals(-1L, next.get(4), "lost right after the previous feedback, and reported");
    }

    @Test
    void shouldSplitALongIntervalIntoSeveralMessagesAndSurviveAJumpPastTheWindow() {
        TransportCcReceiver r = new TransportCcReceiver(T0);
        for (int i = 0; i < 3_000; i++) r.onPacket(i, 1, T0 + i * 10_000L); // 100,000 packets a second
        sendDue(r, T0 + TransportCcReceiver.INTERVAL_NS);
        assertTrue(sent.size() > 1, "3,000 arrivals do not fit one 1200-byte message");
        for (ByteBuf b : sent) assertTrue(b.readableBytes() <= 1200, "each message fits an MTU: " + b.readableBytes());
        Map<Integer, Long> got = parsed();
        assertEquals(3_000, got.size());
        assertTrue(got.values().stream().allMatch(v -> v >= 0), "all received");

        sent.forEach(ByteBuf::release);
        sent.clear();
        r.onPacket(3_000, 1, T0 + 200 * MS);
        r.onPacket(3_000 + TransportCcReceiver.WINDOW + 10, 1, T0 + 201 * MS); // a jump past the ring
        sendDue(r, T0 + 400 * MS);
        got = parsed();
        assertEquals(TransportCcReceiver.WINDOW, got.size(), "the window's worth: 3000 and the oldest given up");
        assertEquals(1, got.values().stream().filter(v -> v >= 0).count(), "only the last arrived");
        assertTrue(got.containsKey(3_000 + TransportCcReceiver.WINDOW + 10));
        assertFalse(got.containsKey(3_000));
        assertFalse(r.onPacket(3_001, 1, T0 + 402 * MS), "older than the window: late");
    }
}
