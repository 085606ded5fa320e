package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The over-use state machine and its adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4). */
class OveruseDetectorTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldSignalOveruseOnlyAfterItLastedMoreThan10msOverTwoSamples() {
        OveruseDetector detector = new OveruseDetector();
        // 60 samples, slope 0.1: modified trend 60 * 0.1 * 4 = 24 ms, above the initial 12.5 ms.
        assertEquals(BandwidthUsage.NORMAL, detector.update(0.1, 60, 5, 0), "2.5 ms over-using so far");
        assertEquals(BandwidthUsage.NORMAL, detector.update(0.1, 60, 5, 5 * MS), "7.5 ms");
        assertEquals(BandwidthUsage.OVERUSING, detector.update(0.1, 60, 5, 10 * MS), "12.5 ms and 3 samples");
        assertEquals(1, detector.overuseEvents());
    }

    @Test
    void shouldNotSignalOveruseWhileTheTrendFalls() {
        OveruseDetector detector = new OveruseDetector();
        detector.update(0.2, 60, 5, 0);
        detector.update(0.15, 60, 5, 5 * MS);
        assertEquals(BandwidthUsage.NORMAL, detector.update(0.12, 60, 5, 10 * MS), "above the threshold but falling");
    }

    @Test
    void shouldSignalUnderuseAtOnceAndNormalInBetween() {
        OveruseDetector detector = new OveruseDetector();
        assertEquals(BandwidthUsage.UNDERUSING, detector.update(-0.1, 60, 5, 0));
        assertEquals(BandwidthUsage.NORMAL, detector.update(0.01, 60, 5, 5 * MS));
        assertEquals(1, detector.underuseEvents());
    }

    @Test
    void shouldWeighTheTrendByTheNumberOfSamples() {
        OveruseDetector detector = new OveruseDetector();
        // 0.1 slope from only 5 samples: 5 * 0.1 * 4 = 2 ms, well within the threshold.
        for (int i = 0; i < 10; i++) {
            assertEquals(BandwidthUsage.NORMAL, detector.update(0.1, 5, 5, i * 5 * MS));
        }
        assertEquals(BandwidthUsage.NORMAL, detector.update(1, 1, 5, 60 * MS), "a single sample decides nothing");
    }

    @Test
    void shouldAdaptTheThresholdTowardsTheTrendWithinItsBounds() {
        OveruseDetector detector = new OveruseDetector();
        // Modified trend 20 ms, within threshold + 15: the threshold rises towards it, slowly (k_up).
        for (int i = 0; i < 2_000; i++) {
            detector.update(20.0 / (60 * 4), 60, 5, i * 10 * MS);
        }
        assertEquals(20, detector.thresholdMs(), 0.5);
        // A quiet network: it falls faster (k_down), down to the 6 ms floor.
        for (int i = 0; i < 2_000; i++) {
            detector.update(0, 60, 5, (2_000 + i) * 10 * MS);
        }
        assertEquals(OveruseDetector.MIN_THRESHOLD_MS, detector.thresholdMs(), 1e-9);
    }

    @Test
    void shouldNotAdaptTheThresholdToASpike() {
        OveruseDetector detector = new OveruseDetector();
        double before = detector.thresholdMs();
        detector.update(100.0 / (60 * 4), 60, 5, 0);
        detector.update(100.0 / (60 * 4), 60, 5, 100 * MS);
        assertEquals(before, detector.thresholdMs(), 1e-9, "100 ms is more than 15 ms above the threshold");
        assertTrue(detector.modifiedTrend() > 99);
    }
}
