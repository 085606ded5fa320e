package dev.junction.transport.bwe;

/**
 * Measures what a probe cluster got through: the send rate (bytes over the send interval, the last packet
 * excluded) and the receive rate (bytes over the arrival interval, the first packet excluded); the result
 * is the smaller of the two, and when the receiver got it noticeably slower than we sent it (below 90%),
 * the bottleneck showed its capacity and the result is 95% of the receive rate.
 *
 * <p>A cluster is judged once, when feedback has reported a packet sent after its last one (so all of it
 * has been reported), or when it is a second old. It fails when fewer than 80% of its minimum packets, or
 * of its reported packets, arrived (a probe into a full queue measures nothing), or its intervals are
 * empty or longer than a second.
 *
 * <p>Fixed slots for the few clusters in flight at a time; reused. Threading: not thread-safe; owned by a
 * {@link BandwidthEstimator}. No allocation.
 */
public final class ProbeBitrateEstimator {

    private static final int SLOTS = 8;
    private static final double MIN_RECEIVED_RATIO = 0.8;
    private static final long MAX_INTERVAL_NS = 1_000_000_000;
    private static final long MAX_AGE_NS = 1_000_000_000;

    private final int[] id = new int[SLOTS];
    private final boolean[] active = new boolean[SLOTS];
    private final int[] minPackets = new int[SLOTS];
    private final long[] createdNs = new long[SLOTS];
    private final long[] lastSequence = new long[SLOTS];
    private final int[] sent = new int[SLOTS];
    private final int[] received = new int[SLOTS];
    private final int[] lost = new int[SLOTS];
    private final long[] firstSendNs = new long[SLOTS];
    private final long[] lastSendNs = new long[SLOTS];
    private final int[] lastSendSize = new int[SLOTS];
    private final long[] firstArrivalNs = new long[SLOTS];
    private final long[] lastArrivalNs = new long[SLOTS];
    private final int[] firstArrivalSize = new int[SLOTS];
    private final long[] sentBytes = new long[SLOTS];
    private final long[] receivedBytes = new long[SLOTS];

    private long lastResultBps = -1;
    private int lastResultId = -1;
    private long succeeded;
    private long failed;

    /** Starts tracking a cluster the pacer was given. */
    public void onClusterCreated(long nowNs, ProbeCluster cluster) {
        int slot = -1;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < SLOTS; i++) {
            if (!active[i]) {
                slot = i;
                break;
            }
            long age = nowNs - createdNs[i];
            if (slot < 0 || age > oldest) {
                oldest = age;
                slot = i;
            }
        }
        if (active[slot]) {
            failed++;
        }
        active[slot] = true;
        id[slot] = cluster.id();
        minPackets[slot] = cluster.minPackets();
        createdNs[slot] = nowNs;
        lastSequence[slot] = -1;
        sent[slot] = 0;
        received[slot] = 0;
        lost[slot] = 0;
        sentBytes[slot] = 0;
        receivedBytes[slot] = 0;
    }

    /** A packet of cluster {@code clusterId} left. */
    public void onPacketSent(int clusterId, long extendedSequence, int size) {
        int slot = slotOf(clusterId);
        if (slot < 0) {
            return;
        }
        sent[slot]++;
        sentBytes[slot] += size;
        if (extendedSequence > lastSequence[slot]) {
            lastSequence[slot] = extendedSequence;
        }
    }

    /** Feedback reported a packet of cluster {@code clusterId} lost. */
    public void onPacketLost(int clusterId) {
        int slot = slotOf(clusterId);
        if (slot >= 0) {
            lost[slot]++;
        }
    }

    /** Adds one received probe packet from feedback. */
    public void onPacketReceived(int clusterId, long sendNs, long arrivalNs, int size) {
        int slot = slotOf(clusterId);
        if (slot < 0) {
            return;
        }
        if (received[slot] == 0) {
            firstSendNs[slot] = sendNs;
            lastSendNs[slot] = sendNs;
            lastSendSize[slot] = size;
            firstArrivalNs[slot] = arrivalNs;
            lastArrivalNs[slot] = arrivalNs;
            firstArrivalSize[slot] = size;
        } else {
            if (sendNs - firstSendNs[slot] < 0) {
                firstSendNs[slot] = sendNs;
            }
            if (sendNs - lastSendNs[slot] >= 0) {
                lastSendNs[slot] = sendNs;
                lastSendSize[slot] = size;
            }
            if (arrivalNs - firstArrivalNs[slot] < 0) {
                firstArrivalNs[slot] = arrivalNs;
                firstArrivalSize[slot] = size;
            }
            if (arrivalNs - lastArrivalNs[slot] > 0) {
                lastArrivalNs[slot] = arrivalNs;
            }
        }
        received[slot]++;
        receivedBytes[slot] += size;
    }

    /**
     * Judges the clusters that feedback has covered.
     *
     * @param highestReportedSequence the highest extended sequence number feedback has reported so far
     * @return the best rate measured by a cluster judged now, or -1 when none succeeded
     */
    public long evaluate(long nowNs, long highestReportedSequence) {
        long best = -1;
        for (int i = 0; i < SLOTS; i++) {
            if (!active[i]) {
                continue;
            }
            boolean covered = lastSequence[i] >= 0 && highestReportedSequence > lastSequence[i];
            boolean old = nowNs - createdNs[i] > MAX_AGE_NS;
            if (!covered && !old) {
                continue;
            }
            active[i] = false;
            long rate = rateOf(i);
            if (rate < 0) {
                failed++;
                continue;
            }
            succeeded++;
            lastResultId = id[i];
            if (rate > best) {
                best = rate;
            }
        }
        if (best > 0) {
            lastResultBps = best;
        }
        return best;
    }

    private long rateOf(int slot) {
        if (received[slot] < MIN_RECEIVED_RATIO * minPackets[slot] || received[slot] < 2
                || received[slot] < MIN_RECEIVED_RATIO * (received[slot] + lost[slot])) {
            return -1;
        }
        long sendInterval = lastSendNs[slot] - firstSendNs[slot];
        long receiveInterval = lastArrivalNs[slot] - firstArrivalNs[slot];
        if (sendInterval <= 0 || receiveInterval <= 0 || sendInterval > MAX_INTERVAL_NS || receiveInterval > MAX_INTERVAL_NS) {
            return -1;
        }
        // The send interval runs from the first to the last packet received; the bytes are all those
        // sent, less the last one's, whose sending ends the interval rather than filling it.
        double sendBps = (sentBytes[slot] - lastSendSize[slot]) * 8e9 / sendInterval;
        double receiveBps = (receivedBytes[slot] - firstArrivalSize[slot]) * 8e9 / receiveInterval;
        if (receiveBps < 0.9 * sendBps) {
            return (long) (0.95 * receiveBps);
        }
        return (long) Math.min(sendBps, receiveBps);
    }

    private int slotOf(int clusterId) {
        for (int i = 0; i < SLOTS; i++) {
            if (active[i] && id[i] == clusterId) {
                return i;
            }
        }
        return -1;
    }

    /** The last successful result, or -1. */
    public long lastResultBps() {
        return lastResultBps;
    }

    public int lastResultId() {
        return lastResultId;
    }

    public long succeeded() {
        return succeeded;
    }

    public long failed() {
        return failed;
    }
}
