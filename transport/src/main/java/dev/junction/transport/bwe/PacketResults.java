package dev.junction.transport.bwe;

/**
 * The packets one feedback message reported, matched with what was sent: a reusable batch of parallel
 * arrays (struct of arrays), filled by {@link FeedbackMatcher} and read by the estimators. In the order
 * of the feedback, which is ascending transport-wide sequence number, hence send order.
 *
 * <p>Arrival times are on the feedback sender's clock, extended to 64 bits and in nanoseconds: only
 * differences between them mean anything.
 *
 * <p>Threading and ownership: one per {@link BandwidthEstimator}, or one shared by the estimators of one thread
 * (each holds it only while it handles a feedback); overwritten by the next feedback.
 */
public final class PacketResults {

    // Allocated by this, once.
    private final long[] sequence;
    private final long[] sendTimeNs;
    private final long[] arrivalTimeNs;
    private final int[] sizeBytes;
    private final int[] probeClusterId;
    private final boolean[] received;
    private final byte[] kind;

    private int count;

    public PacketResults(int capacity) {
        sequence = new long[capacity];
        sendTimeNs = new long[capacity];
        arrivalTimeNs = new long[capacity];
        sizeBytes = new int[capacity];
        probeClusterId = new int[capacity];
        received = new boolean[capacity];
        kind = new byte[capacity];
    }

    /** How many packets one batch holds. */
    public int capacity() {
        return sequence.length;
    }

    void clear() {
        count = 0;
    }

    boolean isFull() {
        return count == sequence.length;
    }

    void add(long seq, long sendNs, long arrivalNs, boolean isReceived, int size, int probeCluster, SentKind sentKind) {
        int i = count++;
        sequence[i] = seq;
        sendTimeNs[i] = sendNs;
        arrivalTimeNs[i] = arrivalNs;
        received[i] = isReceived;
        sizeBytes[i] = size;
        probeClusterId[i] = probeCluster;
        kind[i] = (byte) sentKind.ordinal();
    }

    public int count() {
        return count;
    }

    /** Extended transport-wide sequence number of result {@code i}. */
    public long sequence(int i) {
        return sequence[i];
    }

    public long sendTimeNs(int i) {
        return sendTimeNs[i];
    }

    /** Arrival time on the receiver's clock; meaningful only when {@link #isReceived(int)}. */
    public long arrivalTimeNs(int i) {
        return arrivalTimeNs[i];
    }

    public boolean isReceived(int i) {
        return received[i];
    }

    public int sizeBytes(int i) {
        return sizeBytes[i];
    }

    public int probeClusterId(int i) {
        return probeClusterId[i];
    }

    public SentKind kind(int i) {
        return SentKind.of(kind[i]);
    }
}
