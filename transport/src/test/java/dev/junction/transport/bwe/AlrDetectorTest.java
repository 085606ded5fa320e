package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Application-limited region: sending clearly less than the estimate allows. */
class AlrDetectorTest {

    private static final long MS = 1_000_000;

    /** Sends {@code bps} in 1200-byte packets for {@code durationMs} from {@code fromNs}; returns the end time. */
    private static long send(AlrDetector alr, long fromNs, long bps, long durationMs) {
        long gapNs = 1200 * 8_000_000_000L / bps;
        long t = fromNs;
        for (; t < fromNs + durationMs * MS; t += gapNs) {
            alr.onMediaSent(t, 1200);
        }
        return t;
    }

    @Test
    void shouldEnterWhenSendingFarBelowTheTargetAndLeaveWhenSendingAtIt() {
        AlrDetector alr = new AlrDetector(2_000_000);
        long t = send(alr, -5_000 * MS, 2_000_000, 1_000);
        assertFalse(alr.inAlr(), "sending the target");
        t = send(alr, t, 300_000, 2_000);
        assertTrue(alr.inAlr(), "15% of the target");
        send(alr, t, 2_000_000, 1_000);
        assertFalse(alr.inAlr(), "back at the target");
    }

    @Test
    void shouldNotCountTimeWithoutSendingAsUse() {
        AlrDetector alr = new AlrDetector(1_000_000);
        alr.onMediaSent(0, 1200);
        alr.onMediaSent(1_000 * MS, 0); // a tick, nothing sent
        assertTrue(alr.inAlr());
    }
}
