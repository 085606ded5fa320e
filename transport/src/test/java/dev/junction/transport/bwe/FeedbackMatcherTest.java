package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Feedback written by the codec's writer, parsed by its flyweight, matched against the send history. */
class FeedbackMatcherTest {

    private static final long MS = 1_000_000;

    private final SendHistory history = new SendHistory(256);
    private final FeedbackMatcher matcher = new FeedbackMatcher();
    private final PacketResults results = new PacketResults(256);
    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
    private final TransportCcFeedback feedback = new TransportCcFeedback();
    private int feedbackCount;

    /** Sends packets {@code from..to} (16-bit), one every ms from {@code startNs}, 1000 + seq bytes. */
    private void send(int from, int to, long startNs) {
        for (int seq = from; seq != ((to + 1) & 0xFFFF); seq = (seq + 1) & 0xFFFF) {
            history.handlePacketSent(startNs + ((seq - from) & 0xFFFF) * MS, seq, 1000 + (seq & 0xFF), SentKind.MEDIA, SendHistory.NO_PROBE);
        }
    }

    /** Writes feedback for {seq, arrivalUs} pairs and matches it. */
    private int match(long... seqAndArrivalUs) {
        writer.reset();
        for (int i = 0; i < seqAndArrivalUs.length; i += 2) {
            assertTrue(writer.addReceived((int) seqAndArrivalUs[i], seqAndArrivalUs[i + 1]));
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            int length = writer.write(buf, 1, 2, feedbackCount++);
            assertTrue(feedback.wrap(buf, 0, length));
            return matcher.match(feedback, history, results);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldMatchSendTimesSizesAndArrivalsAndReportGapsAsLost() {
        long start = -5_000 * MS;
        send(100, 104, start);
        // 102 is missing: the writer reports it as not received.
        assertEquals(5, match(100, 1_000_000, 101, 1_001_000, 103, 1_003_500, 104, 1_004_000));
        for (int i = 0; i < 5; i++) {
            assertEquals(100 + i, results.sequence(i));
            assertEquals(start + i * MS, results.sendTimeNs(i));
            assertEquals(1000 + 100 + i, results.sizeBytes(i));
        }
        assertFalse(results.isReceived(2));
        assertTrue(results.isReceived(3));
        // Arrivals keep their 250 µs spacing exactly; the receiver's clock origin is its own.
        assertEquals(1_000_000, results.arrivalTimeNs(1) - results.arrivalTimeNs(0));
        assertEquals(3_500_000, results.arrivalTimeNs(3) - results.arrivalTimeNs(0));
    }

    @Test
    void shouldIgnoreDuplicateFeedback() {
        send(0, 3, 0);
        assertEquals(4, match(0, 10_000, 1, 11_000, 2, 12_000, 3, 13_000));
        assertEquals(0, match(0, 10_000, 1, 11_000, 2, 12_000, 3, 13_000), "the same message again adds nothing");
        assertEquals(4, matcher.duplicateReports());
        send(4, 5, 4 * MS);
        // A receiver that repeats its last packet as the next base: only 4 and 5 are new.
        assertEquals(2, match(3, 13_000, 4, 14_000, 5, 15_000));
        assertEquals(4, results.sequence(0));
        assertEquals(5, matcher.duplicateReports());
    }

    @Test
    void shouldReportAPacketReceivedAfterBeingReportedLost() {
        send(0, 2, 0);
        match(0, 10_000, 2, 12_000); // 1 reported lost
        assertFalse(results.isReceived(1));
        // A reordered later message has 1 after all.
        assertEquals(1, match(1, 11_000));
        assertTrue(results.isReceived(0));
        assertEquals(1, results.sequence(0));
        assertEquals(1, matcher.lateArrivals());
    }

    @Test
    void shouldCountSequenceNumbersNeverSent() {
        send(10, 11, 0);
        assertEquals(2, match(10, 1_000, 11, 2_000, 12, 3_000, 13, 4_000));
        assertEquals(2, matcher.unknownPackets());
    }

    @Test
    void shouldMatchAcrossTheSequenceNumberWrap() {
        send(65_534, 1, 0);
        assertEquals(4, match(65_534, 1_000, 65_535, 2_000, 0, 3_000, 1, 4_000));
        assertEquals(results.sequence(0) + 3, results.sequence(3));
        assertEquals(3 * MS, results.sendTimeNs(3) - results.sendTimeNs(0));
    }

    @Test
    void shouldKeepArrivalTimesContinuousAcrossTheReferenceTimeWrap() {
        // The reference time is 24 bits of 64 ms: it wraps every 2^24 * 64 ms (about 12.4 days).
        long wrapUs = (1L << 24) * TransportCcFeedback.REFERENCE_TIME_UNIT_US;
        long beforeUs = wrapUs / 2 - 100_000; // signed 24 bits: +2^23 units flips to -2^23
        send(0, 1, 0);
        match(0, beforeUs);
        long first = results.arrivalTimeNs(0);
        match(1, beforeUs + 200_000);
        assertEquals(200_000_000L, results.arrivalTimeNs(0) - first, "200 ms later, not 12 days earlier");
    }

    @Test
    void shouldCountMissedFeedbackMessages() {
        send(0, 2, 0);
        match(0, 1_000);
        feedbackCount += 2; // two messages lost on the way
        match(1, 2_000);
        assertEquals(2, matcher.feedbacksMissed());
    }
}
