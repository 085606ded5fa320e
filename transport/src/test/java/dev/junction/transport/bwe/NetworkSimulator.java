package dev.junction.transport.bwe;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The fake-clock network simulator: a {@link BottleneckLink} shared by one or more {@link SimulatedFlow}s
 * and optional {@link CrossTraffic}, stepped every 250 µs of simulated time. Nothing reads a real clock
 * or sleeps, and every random choice comes from a seed, so a scenario always plays out the same way and
 * a minute of network time takes well under a second.
 *
 * <p>The time starts at an arbitrary, negative instant: {@code System.nanoTime()} may be negative, and the
 * estimator must not care.
 */
final class NetworkSimulator {

    static final long MS = 1_000_000;
    static final long SECOND = 1_000_000_000;
    private static final long STEP_NS = 250_000;
    private static final long SAMPLE_NS = 10 * MS;
    /** The simulation's time zero, on the fake clock. */
    static final long EPOCH_NS = -4_611_686_018_000_000_000L;

    final BottleneckLink link;
    final List<SimulatedFlow> flows = new ArrayList<>();
    private final List<CrossTraffic> cross = new ArrayList<>();
    private final TreeMap<Long, Long> rateChanges = new TreeMap<>();
    private final TreeMap<Long, Long> delayChanges = new TreeMap<>();
    final Series linkRate = new Series();
    private long nowNs = EPOCH_NS;

    NetworkSimulator(long linkBps, long queueLimitBytes, long oneWayDelayNs, double lossRate, long seed) {
        link = new BottleneckLink(linkBps, queueLimitBytes, oneWayDelayNs, lossRate, seed);
    }

    SimulatedFlow addFlow(BandwidthEstimator.Settings settings, long feedbackIntervalNs, long startAtNs) {
        SimulatedFlow flow = new SimulatedFlow(settings, link, feedbackIntervalNs, EPOCH_NS + startAtNs);
        flows.add(flow);
        return flow;
    }

    void addCrossTraffic(long rateBps, long startAtNs, long onNs, long offNs) {
        cross.add(new CrossTraffic(link, rateBps, EPOCH_NS + startAtNs, onNs, offNs));
    }

    /** Sets the link rate to {@code bps} at simulation time {@code atNs}. */
    void changeRateAt(long atNs, long bps) {
        rateChanges.put(EPOCH_NS + atNs, bps);
    }

    /** Sets the one-way propagation delay to {@code delayNs} at simulation time {@code atNs}. */
    void changeDelayAt(long atNs, long delayNs) {
        delayChanges.put(EPOCH_NS + atNs, delayNs);
    }

    /** Simulation time now. */
    long nowNs() {
        return nowNs - EPOCH_NS;
    }

    /** The fake clock's reading now, as the estimator sees it. */
    long clockNs() {
        return nowNs;
    }

    /** Runs until simulation time {@code untilNs}. */
    void runUntil(long untilNs) {
        long end = EPOCH_NS + untilNs;
        while (nowNs < end) {
            Long change = rateChanges.floorKey(nowNs);
            if (change != null) {
                link.setRateBps(rateChanges.remove(change));
            }
            Long delayChange = delayChanges.floorKey(nowNs);
            if (delayChange != null) {
                link.setPropagationDelayNs(delayChanges.remove(delayChange));
            }
            for (CrossTraffic c : cross) {
                c.step(nowNs);
            }
            for (int i = 0; i < flows.size(); i++) {
                flows.get(i).step(nowNs);
            }
            if ((nowNs - EPOCH_NS) % SAMPLE_NS == 0) {
                linkRate.add(nowNs - EPOCH_NS, link.rateBps());
                for (SimulatedFlow flow : flows) {
                    flow.sample(nowNs - EPOCH_NS);
                }
            }
            nowNs += STEP_NS;
        }
    }

    /** Releases what is still in flight. */
    void close() {
        flows.forEach(SimulatedFlow::close);
    }
}
