package dev.junction.transport.bwe;

/**
 * Sans-IO pacer: says how many bytes may leave now so that a transport's packets go out smoothly at the
 * pacing rate ({@code pacingFactor} times the target, 2.5 by default as in libwebrtc, so a video frame
 * drains in a fraction of its frame interval) instead of as one burst per frame, and runs probe
 * clusters: while one is active the rate is the cluster's, every packet sent is tagged with its id, and
 * padding is asked for when media runs out.
 *
 * <p>A byte budget (leaky bucket): it fills at the current rate, at most 5 ms worth above zero, and each
 * packet sent takes its size, so it may go negative (debt) and the next packet waits.
 *
 * <p>A probe cluster keeps to its own schedule instead: by any time it may have sent its rate times the time since
 * it started, however late the caller comes, and it ends once it has its bytes and packets and has sent what was due
 * by then. A caller woken every 10 ms (the media loop's timer) thus sends a cluster in chunks of 10 ms worth whose
 * first and last packets are as far apart as its bytes take at its rate, so the cluster is measured at its rate: with
 * the leaky bucket's 5 ms cap and a stop in the middle of a chunk, it went out at half its rate or less (issue 11's
 * shaped viewer). A cluster that cannot keep up (no padding to send, only media) ends once it has its bytes and
 * packets and twice its duration has passed.
 *
 * <p>How the I/O layer drives it, on its timer and after queueing media:
 *
 * <pre>{@code
 * while (pacer.sendableBytes(nowNs) > 0 && queue has media) send(queue.poll())   // tag = pacer.onPacketSent(nowNs, size)
 * while (pacer.paddingBytes(nowNs) > 0) send(padding or RTX packet)               // only while probing
 * timer at pacer.nextSendTimeNs(nowNs)
 * }</pre>
 *
 * <p>Threading: not thread-safe; one per transport on its event loop. Time passed in; no clock. Probe
 * clusters wait in a small ring; no allocation.
 */
public final class Pacer {

    public static final double DEFAULT_PACING_FACTOR = 2.5;
    private static final long MAX_BURST_NS = 5_000_000;
    private static final int QUEUE = 8;

    private final double pacingFactor;
    private long pacingRateBps;

    private double budgetBytes;
    private boolean hasLast;
    private long lastNs;

    private final ProbeCluster[] clusters = new ProbeCluster[QUEUE];
    private int clusterHead;
    private int clusterCount;
    private boolean probing;
    private long probeSentBytes;
    private int probeSentPackets;
    private long probeStartNs;

    private long probeClustersDone;

    public Pacer(long targetBps, double pacingFactor) {
        this.pacingFactor = pacingFactor;
        setTargetBitrate(targetBps);
    }

    /** The estimator's new target; pacing runs at {@code pacingFactor} times it. */
    public void setTargetBitrate(long targetBps) {
        pacingRateBps = (long) (targetBps * pacingFactor);
    }

    /** Queues a probe cluster from {@link BandwidthEstimator#pollProbeCluster()}. */
    public void addProbeCluster(ProbeCluster cluster) {
        if (clusterCount == QUEUE) {
            return;
        }
        clusters[(clusterHead + clusterCount) % QUEUE] = cluster;
        clusterCount++;
    }

    private long rateBps() {
        return probing ? clusters[clusterHead].bitrateBps() : pacingRateBps;
    }

    private void refill(long nowNs) {
        if (!probing && clusterCount > 0) {
            probing = true;
            probeSentBytes = 0;
            probeSentPackets = 0;
            probeStartNs = nowNs;
        }
        long elapsed = hasLast ? Math.max(0, nowNs - lastNs) : 0;
        hasLast = true;
        lastNs = nowNs;
        if (probing) {
            // A probe starts at once, whatever the media debt, and from then on keeps to its schedule.
            budgetBytes = 1 + clusters[clusterHead].bitrateBps() * (double) Math.max(0, nowNs - probeStartNs) / 8e9 - probeSentBytes;
            return;
        }
        double rate = pacingRateBps;
        budgetBytes = Math.min(budgetBytes + rate * elapsed / 8e9, Math.max(1, rate * MAX_BURST_NS / 8e9));
    }

    /** Bytes that may be sent now; send while it is positive (the last packet may overshoot). */
    public long sendableBytes(long nowNs) {
        refill(nowNs);
        return budgetBytes > 0 ? (long) Math.ceil(budgetBytes) : 0;
    }

    /** Padding bytes wanted now: the budget, while a probe cluster is active; 0 otherwise. */
    public long paddingBytes(long nowNs) {
        refill(nowNs);
        return probing && budgetBytes > 0 ? (long) Math.ceil(budgetBytes) : 0;
    }

    /**
     * Accounts a packet that was sent.
     *
     * @return the probe cluster id to record in the {@link SendHistory} with it, or {@link SendHistory#NO_PROBE}
     */
    public int onPacketSent(long nowNs, int bytes) {
        refill(nowNs);
        budgetBytes -= bytes;
        if (!probing) {
            return SendHistory.NO_PROBE;
        }
        ProbeCluster cluster = clusters[clusterHead];
        probeSentBytes += bytes;
        probeSentPackets++;
        boolean dueSent = budgetBytes <= 0;
        boolean overdue = nowNs - probeStartNs >= 2 * cluster.durationNs();
        if (probeSentBytes >= cluster.minBytes() && probeSentPackets >= cluster.minPackets() && (dueSent || overdue)) {
            clusters[clusterHead] = null;
            clusterHead = (clusterHead + 1) % QUEUE;
            clusterCount--;
            probing = false;
            probeClustersDone++;
            // Back to the pacing rate without the probe's debt or credit.
            budgetBytes = Math.min(budgetBytes, 0) * pacingRateBps / Math.max(1.0, cluster.bitrateBps());
        }
        return cluster.id();
    }

    /** When the budget will next be positive (now if it is). */
    public long nextSendTimeNs(long nowNs) {
        refill(nowNs);
        if (budgetBytes > 0) {
            return nowNs;
        }
        double rate = Math.max(1, rateBps());
        return nowNs + (long) Math.ceil((1 - budgetBytes) * 8e9 / rate);
    }

    public boolean isProbing() {
        return probing || clusterCount > 0;
    }

    public long pacingRateBps() {
        return pacingRateBps;
    }

    public long probeClustersDone() {
        return probeClustersDone;
    }

    long probeStartNs() {
        return probeStartNs;
    }
}
