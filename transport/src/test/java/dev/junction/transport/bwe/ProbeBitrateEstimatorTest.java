package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a probe cluster measured: the smaller of its send and receive rates. */
class ProbeBitrateEstimatorTest {

    private static final long MS = 1_000_000;

    /** Ten 1000-byte packets sent at {@code sendGapNs}, received at {@code receiveGapNs}. */
    private static long probe(long sendGapNs, long receiveGapNs, int lostEvery) {
        ProbeBitrateEstimator estimator = new ProbeBitrateEstimator();
        estimator.onClusterCreated(0, new ProbeCluster(3, 0, 15 * MS, 5));
        for (int i = 0; i < 10; i++) {
            estimator.onPacketSent(3, 100 + i, 1000);
        }
        for (int i = 0; i < 10; i++) {
            if (lostEvery > 0 && i % lostEvery == 1) {
                estimator.onPacketLost(3);
            } else {
                estimator.onPacketReceived(3, i * sendGapNs, 50 * MS + i * receiveGapNs, 1000);
            }
        }
        return estimator.evaluate(100 * MS, 110);
    }

    @Test
    void shouldMeasureTheSendRateWhenTheNetworkKeptUp() {
        // 8 kbit every 4 ms = 2 Mbit/s, received as sent.
        assertEquals(2_000_000, probe(4 * MS, 4 * MS, 0), 1_000);
    }

    @Test
    void shouldMeasureTheBottleneckWhenItSpreadThePackets() {
        // Sent at 2 Mbit/s, received at 1 Mbit/s: the bottleneck; 95% of it.
        assertEquals(950_000, probe(4 * MS, 8 * MS, 0), 1_000);
    }

    @Test
    void shouldFailAProbeThatLostTooMuch() {
        assertEquals(-1, probe(4 * MS, 4 * MS, 2), "half lost");
    }

    @Test
    void shouldWaitUntilFeedbackCoveredTheCluster() {
        ProbeBitrateEstimator estimator = new ProbeBitrateEstimator();
        estimator.onClusterCreated(0, new ProbeCluster(1, 0, 15 * MS, 5));
        for (int i = 0; i < 6; i++) {
            estimator.onPacketSent(1, i, 1000);
            estimator.onPacketReceived(1, i * MS, i * MS, 1000);
        }
        assertEquals(-1, estimator.evaluate(10 * MS, 5), "nothing after the cluster reported yet");
        assertEquals(8_000_000, estimator.evaluate(20 * MS, 6), 1_000);
        assertEquals(1, estimator.succeeded());
    }
}
