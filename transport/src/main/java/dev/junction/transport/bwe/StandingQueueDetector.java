package dev.junction.transport.bwe;

import java.util.Arrays;

/**
 * Detects a standing queue: one that the delay-gradient detector cannot see because it no longer grows.
 *
 * <p>GCC's over-use detector (draft-ietf-rmcat-gcc-02 §5.4) reacts to the <em>trend</em> of the delay. After
 * a sudden capacity drop into a deep buffer, the queue that built up before the back-off drains only at
 * {@code (1 - beta)} of the link rate, and once the rate has settled near capacity the delay is high but
 * flat, so nothing drains it; the same happens when non-responsive cross traffic fills a tail-drop queue.
 * The target is a queueing delay of at most 100 ms, so the absolute delay matters too.
 *
 * <p>Each feedback gives a one-way delay sample per received packet, {@code arrival - send} on two
 * unsynchronised clocks: only its excess over the smallest sample seen recently (the path's base delay,
 * a minimum over 10 s kept in one-second buckets) means anything. Per feedback the smallest excess is
 * taken, which ignores bursts and jitter: a queue is standing when even the least delayed packet waited.
 * The queue is reported standing once that excess has stayed above 100 ms for 500 ms.
 *
 * <p>The base delay forgets after 10 s, so a route that became longer reads as a standing queue for at
 * most that long; {@link BandwidthEstimator} rebases sooner when cutting the rate does not shrink it.
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class StandingQueueDetector {

    static final long THRESHOLD_NS = 100_000_000;
    private static final long PERSISTENCE_NS = 500_000_000;
    private static final long BUCKET_NS = 1_000_000_000;
    private static final int BUCKETS = 10;

    private final long[] bucketMin = new long[BUCKETS];
    private final long[] bucketStart = new long[BUCKETS];
    private final boolean[] bucketUsed = new boolean[BUCKETS];
    private int current = -1;

    private boolean hasFeedbackMin;
    private long feedbackMinNs;
    private long queueDelayNs;
    private boolean above;
    private long aboveSinceNs;

    /** Starts one feedback's samples. */
    public void beginFeedback() {
        hasFeedbackMin = false;
    }

    /** One received packet's one-way delay, {@code arrival - send}, with its clocks' unknown offset. */
    public void onPacket(long sendNs, long arrivalNs) {
        long delay = arrivalNs - sendNs;
        if (!hasFeedbackMin || delay < feedbackMinNs) {
            feedbackMinNs = delay;
            hasFeedbackMin = true;
        }
    }

    /** Ends one feedback's samples at {@code nowNs} (the sender's clock). */
    public void endFeedback(long nowNs) {
        if (!hasFeedbackMin) {
            return;
        }
        if (current < 0 || nowNs - bucketStart[current] >= BUCKET_NS) {
            current = (current + 1) % BUCKETS;
            bucketStart[current] = nowNs;
            bucketMin[current] = feedbackMinNs;
            bucketUsed[current] = true;
        } else if (feedbackMinNs < bucketMin[current]) {
            bucketMin[current] = feedbackMinNs;
        }
        long base = Long.MAX_VALUE;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketUsed[i] && nowNs - bucketStart[i] < BUCKETS * BUCKET_NS && bucketMin[i] < base) {
                base = bucketMin[i];
            }
        }
        queueDelayNs = feedbackMinNs - base;
        if (queueDelayNs > THRESHOLD_NS) {
            if (!above) {
                above = true;
                aboveSinceNs = nowNs;
            }
        } else {
            above = false;
        }
    }

    /**
     * Takes the present delay as the base: the excess is not a queue this sender can drain (the route
     * became longer, or someone else's traffic alone fills the bottleneck).
     */
    public void rebase() {
        Arrays.fill(bucketUsed, false);
        current = -1;
        above = false;
        queueDelayNs = 0;
    }

    /** Whether the queue has stood above 100 ms for 500 ms. */
    public boolean isStanding(long nowNs) {
        return above && nowNs - aboveSinceNs >= PERSISTENCE_NS;
    }

    /** The last feedback's least queueing delay over the base delay. */
    public long queueDelayNs() {
        return queueDelayNs;
    }
}
