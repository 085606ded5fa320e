package dev.junction.transport.bwe;

/**
 * Decides when to probe for more capacity and how fast, as probe clusters for the pacer.
 * <ul>
 *   <li><b>Start</b>: two clusters at 3x and 6x the start bitrate, then, while each result reaches 70% of
 *       what was probed, another at twice the new estimate (exponential probing): a sender starting at
 *       300 kbit/s finds a 2.5 Mbit/s link within a few round trips instead of ramping 8% per second.</li>
 *   <li><b>ALR</b>: while application limited, the media does not test the estimate, so every 5 s a
 *       cluster at twice the estimate does.</li>
 *   <li><b>Stable</b>: when the estimate has not been cut for 5 s and no probe went for 5 s, probe at twice
 *       it; capacity that grew (a link that came back) is found in seconds rather than by additive
 *       increase.</li>
 *   <li><b>Application need</b>: when the application wants more than the estimate
 *       ({@link BandwidthEstimator#handleDesiredBitrate}) and nothing was cut for 2 s, probe at the wanted
 *       rate, at most twice the estimate, at most every 2 s.</li>
 * </ul>
 * A wait for a result ends after a second. Probes never exceed the maximum bitrate, and none but the
 * start's go while loss is above 2% or a queue stands: a probe into a full, shared queue measures the link's raw rate in the
 * gaps between the other traffic, not what is left of it.
 *
 * <p>draft-ietf-rmcat-gcc-02 does not specify probing; this follows libwebrtc's probe controller in shape.
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. Allocates one small record per
 * probe cluster (a few per minute), never per packet.
 */
public final class ProbeController {

    enum State { INIT, WAITING_FOR_RESULT, COMPLETE }

    static final long CLUSTER_DURATION_NS = 15_000_000;
    static final int CLUSTER_MIN_PACKETS = 5;
    private static final double FURTHER_RATIO = 0.7;
    private static final long WAIT_FOR_RESULT_NS = 1_000_000_000;
    private static final long ALR_INTERVAL_NS = 5_000_000_000L;
    private static final long STABLE_INTERVAL_NS = 5_000_000_000L;
    private static final long DESIRED_INTERVAL_NS = 2_000_000_000L;
    private static final int QUEUE = 4;

    private final long maxBps;
    private final ProbeCluster[] pending = new ProbeCluster[QUEUE];
    private int pendingHead;
    private int pendingCount;
    private int nextId;

    private State state = State.INIT;
    private long minRateToProbeFurtherBps = -1;
    private boolean hasLastProbe;
    private long lastProbeNs;
    private long requested;

    public ProbeController(long maxBps) {
        this.maxBps = maxBps;
    }

    /** Starts exponential probing from the start bitrate; once only. */
    public void start(long nowNs, long startBps) {
        if (state != State.INIT) {
            return;
        }
        request(nowNs, 3 * startBps);
        request(nowNs, 6 * startBps);
        expectFurther(6 * startBps);
    }

    /** A new estimate: probe further while probes keep finding capacity. */
    public void onEstimate(long nowNs, long estimateBps) {
        if (state == State.WAITING_FOR_RESULT && minRateToProbeFurtherBps > 0
                && estimateBps > minRateToProbeFurtherBps && estimateBps < maxBps) {
            long rate = 2 * estimateBps;
            request(nowNs, rate);
            expectFurther(rate);
        }
    }

    /**
     * Periodic decisions.
     *
     * @param hasDecreased  whether the estimate was ever cut, and when ({@code lastDecreaseNs})
     * @param desiredBps    what the application would send if it could; ≤ 0 when unknown
     * @param congested     loss above 2% or a standing queue: no place to look for more
     */
    public void handleTimeout(long nowNs, long estimateBps, boolean inAlr, boolean hasDecreased, long lastDecreaseNs, long desiredBps,
                              boolean congested) {
        if (state == State.WAITING_FOR_RESULT && nowNs - lastProbeNs > WAIT_FOR_RESULT_NS) {
            state = State.COMPLETE;
            minRateToProbeFurtherBps = -1;
        }
        if (state != State.COMPLETE || estimateBps >= maxBps || congested) {
            return;
        }
        long sinceProbe = hasLastProbe ? nowNs - lastProbeNs : Long.MAX_VALUE;
        long sinceDecrease = hasDecreased ? nowNs - lastDecreaseNs : Long.MAX_VALUE;
        long rate = 0;
        if (inAlr) {
            if (sinceProbe >= ALR_INTERVAL_NS) {
                rate = 2 * estimateBps;
            }
        } else if (sinceDecrease >= STABLE_INTERVAL_NS && sinceProbe >= STABLE_INTERVAL_NS) {
            rate = 2 * estimateBps;
        }
        if (rate == 0 && desiredBps > estimateBps && sinceDecrease >= DESIRED_INTERVAL_NS && sinceProbe >= DESIRED_INTERVAL_NS) {
            rate = Math.min(desiredBps, 2 * estimateBps);
        }
        if (rate > estimateBps) {
            request(nowNs, rate);
            expectFurther(rate);
        }
    }

    private void expectFurther(long probedBps) {
        state = State.WAITING_FOR_RESULT;
        minRateToProbeFurtherBps = (long) (FURTHER_RATIO * probedBps);
    }

    private void request(long nowNs, long bps) {
        hasLastProbe = true;
        lastProbeNs = nowNs;
        long rate = Math.min(bps, maxBps);
        if (pendingCount == QUEUE) {
            // The pacer is not draining requests; the oldest is the least useful.
            pendingHead = (pendingHead + 1) % QUEUE;
            pendingCount--;
        }
        pending[(pendingHead + pendingCount) % QUEUE] = new ProbeCluster(nextId, rate, CLUSTER_DURATION_NS, CLUSTER_MIN_PACKETS);
        nextId = (nextId + 1) & 0x7FFF_FFFF;
        pendingCount++;
        requested++;
    }

    /** The next probe cluster to hand to the pacer, or null. */
    public ProbeCluster poll() {
        if (pendingCount == 0) {
            return null;
        }
        ProbeCluster cluster = pending[pendingHead];
        pending[pendingHead] = null;
        pendingHead = (pendingHead + 1) % QUEUE;
        pendingCount--;
        return cluster;
    }

    State state() {
        return state;
    }

    public long requested() {
        return requested;
    }
}
