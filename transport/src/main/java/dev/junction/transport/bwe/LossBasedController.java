package dev.junction.transport.bwe;

/**
 * The loss-based controller of draft-ietf-rmcat-gcc-02 §6: a limit {@code As} on the send rate from the
 * fraction of packets lost, combined with the delay-based estimate as {@code min(As, Ar)}.
 * <ul>
 *   <li>loss above 10%: {@code As = A * (1 - 0.5 * p)}, from the current target {@code A}, at most once
 *       per {@code 300 ms + rtt} so that one loss burst is not counted twice;</li>
 *   <li>loss below 2%: {@code As} may rise by 8% per second (§6: "As = 1.05 * As" per feedback, here
 *       expressed per second so that it does not depend on the feedback rate);</li>
 *   <li>in between: hold.</li>
 * </ul>
 * {@code As} starts unlimited, so with moderate random loss (say 5%) the delay-based controller alone
 * decides. Loss is counted over 100 reported packets, or over a second when that holds at least 20: with
 * fewer, random loss of 5% reads as more than 10% too often (20 packets at 5% lose 3 or more one time in
 * 13), and every such misreading would cut the rate. A probe that measured more than {@code As} lifts it: the network just carried that rate.
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class LossBasedController {

    /** What the last {@link #update} did. */
    public enum Change { NONE, INCREASED, DECREASED }

    static final double LOW_LOSS = 0.02;
    static final double HIGH_LOSS = 0.10;
    private static final int MIN_PACKETS = 20;
    private static final int FULL_COUNT = 100;
    private static final long MAX_COUNT_NS = 1_000_000_000;
    private static final double INCREASE_PER_S = 1.08;
    private static final long DECREASE_INTERVAL_NS = 300_000_000;

    // Passed by argument.
    private final long minBps;
    private final long maxBps;

    private long limitBps;
    private int lost;
    private int expected;
    private boolean counting;
    private long countStartNs;
    private double lastLossFraction;
    private boolean hasLastIncrease;
    private long lastIncreaseNs;
    private boolean hasLastDecrease;
    private long lastDecreaseNs;
    private long rttMs = 200;
    private Change lastChange = Change.NONE;

    public LossBasedController(long minBps, long maxBps) {
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.limitBps = maxBps;
    }

    public void setRttMs(long rttMs) {
        this.rttMs = Math.max(0, rttMs);
    }

    /**
     * Counts one feedback's packets and, once enough are counted, moves the limit.
     *
     * @param lostPackets     packets newly reported lost
     * @param receivedPackets packets newly reported received
     * @param targetBps       the current combined target ({@code A} in §6)
     * @return the limit {@code As}
     */
    public long update(long nowNs, int lostPackets, int receivedPackets, long targetBps) {
        lastChange = Change.NONE;
        if (!counting) {
            counting = true;
            countStartNs = nowNs;
        }
        lost += lostPackets;
        expected += lostPackets + receivedPackets;
        if (expected < FULL_COUNT && (expected < MIN_PACKETS || nowNs - countStartNs < MAX_COUNT_NS)) {
            return limitBps;
        }
        counting = false;
        double loss = (double) lost / expected;
        lastLossFraction = loss;
        lost = 0;
        expected = 0;
        if (loss > HIGH_LOSS) {
            long intervalNs = DECREASE_INTERVAL_NS + rttMs * 1_000_000L;
            if (!hasLastDecrease || nowNs - lastDecreaseNs >= intervalNs) {
                long decreased = Math.max(minBps, (long) (Math.min(targetBps, limitBps) * (1 - 0.5 * loss)));
                if (decreased < limitBps) {
                    limitBps = decreased;
                    lastChange = Change.DECREASED;
                }
                hasLastDecrease = true;
                lastDecreaseNs = nowNs;
            }
            hasLastIncrease = false;
        } else if (loss < LOW_LOSS) {
            if (hasLastIncrease && limitBps < maxBps) {
                double dtS = Math.min(Math.max(0, (nowNs - lastIncreaseNs) / 1e9), 1.0);
                long increased = (long) (limitBps * Math.pow(INCREASE_PER_S, dtS)) + (long) (1_000 * dtS);
                limitBps = Math.min(maxBps, increased);
                lastChange = Change.INCREASED;
            }
            hasLastIncrease = true;
            lastIncreaseNs = nowNs;
        } else {
            hasLastIncrease = false;
        }
        return limitBps;
    }

    /** A probe measured {@code bps}: the loss limit is at least that. */
    public void onProbeResult(long bps) {
        limitBps = Math.min(maxBps, Math.max(limitBps, bps));
    }

    /** The loss-based limit {@code As}. */
    public long limitBps() {
        return limitBps;
    }

    /** The loss fraction of the last complete count, 0..1. */
    public double lossFraction() {
        return lastLossFraction;
    }

    public Change lastChange() {
        return lastChange;
    }
}
