package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A queue that stands above 100 ms, measured against the path's recent least one-way delay. */
class StandingQueueDetectorTest {

    private static final long MS = 1_000_000;
    /** The receiver's clock is offset from ours by an unknown amount. */
    private static final long OFFSET = 123_456_789 * MS;

    private static void feedback(StandingQueueDetector detector, long nowNs, long... oneWayDelaysMs) {
        detector.beginFeedback();
        for (long delay : oneWayDelaysMs) {
            detector.onPacket(nowNs - 50 * MS, nowNs - 50 * MS + delay * MS + OFFSET);
        }
        detector.endFeedback(nowNs);
    }

    @Test
    void shouldReportAQueueThatStoodFor500ms() {
        StandingQueueDetector detector = new StandingQueueDetector();
        long t = -10_000 * MS;
        feedback(detector, t, 20, 25, 40); // base 20 ms
        t += 50 * MS;
        for (int i = 0; i < 10; i++, t += 50 * MS) {
            feedback(detector, t, 180, 150, 200);
            assertFalse(detector.isStanding(t), "not yet 500 ms");
        }
        feedback(detector, t, 170, 200);
        assertEquals(150 * MS, detector.queueDelayNs() + 0, 20 * MS);
        assertTrue(detector.isStanding(t));
        feedback(detector, t + 50 * MS, 60, 300);
        assertFalse(detector.isStanding(t + 50 * MS), "one packet got through with 40 ms of queueing");
    }

    @Test
    void shouldIgnoreBurstsWhenOnePacketWasQuick() {
        StandingQueueDetector detector = new StandingQueueDetector();
        long t = 0;
        for (int i = 0; i < 40; i++, t += 50 * MS) {
            feedback(detector, t, 20, 400, 250); // jitter and bursts, but the least delayed packet did not wait
        }
        assertFalse(detector.isStanding(t));
    }

    @Test
    void shouldForgetTheBaseDelayAfterTenSeconds() {
        StandingQueueDetector detector = new StandingQueueDetector();
        long t = 0;
        feedback(detector, t, 20);
        // The route became 200 ms longer: a standing "queue" at first, then the new base.
        for (int i = 0; i < 300; i++) {
            t += 50 * MS;
            feedback(detector, t, 220);
        }
        assertFalse(detector.isStanding(t));
        assertEquals(0, detector.queueDelayNs());
    }
}
