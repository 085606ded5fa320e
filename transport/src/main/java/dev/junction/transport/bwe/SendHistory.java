package dev.junction.transport.bwe;

import dev.junction.codec.rtp.SerialNumber;
import java.util.Arrays;

/**
 * What one transport sent, by transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §2): send time, size, kind and probe cluster, so that feedback, which names only sequence numbers and
 * arrival times, can be turned into packet results (draft-ietf-rmcat-gcc-02 §2: the send-side variant
 * needs the send times the receiver does not know).
 *
 * <p>A preallocated ring of {@code capacity} slots (a power of two), indexed by the extended sequence
 * number; recording a packet overwrites the oldest slot and never allocates. The 16-bit sequence numbers
 * are extended to 64 bits through {@link SerialNumber} against the highest one sent, so the ring and the
 * feedback both survive the wrap at 65535. A slot remembers which extended number it holds, so a
 * sequence number that was never sent, or that fell out of the ring, is recognised as unknown.
 *
 * <p>Each slot also keeps whether feedback has reported it yet ({@link #UNREPORTED}, {@link #REPORTED_LOST},
 * {@link #REPORTED_RECEIVED}), which is how {@link FeedbackMatcher} ignores duplicates.
 *
 * <p>Threading: not thread-safe; one per WebRtcTransport, used on its event loop only.
 */
public final class SendHistory {

    /** The probe cluster id of a packet that belongs to no probe cluster. */
    public static final int NO_PROBE = -1;

    static final byte UNREPORTED = 0;
    static final byte REPORTED_LOST = 1;
    static final byte REPORTED_RECEIVED = 2;

    // Allocated by this, once.
    private final int mask;
    private final long[] sequence;
    private final long[] sendTimeNs;
    private final int[] sizeBytes;
    private final byte[] kind;
    private final int[] probeClusterId;
    private final byte[] reportState;
    private final SerialNumber.Unwrapper unwrapper = new SerialNumber.Unwrapper();

    private long packetsSent;
    private long bytesSent;

    /** @param capacity packets remembered, rounded up to a power of two; a second of packets at the highest rate is plenty */
    public SendHistory(int capacity) {
        if (capacity < 16 || capacity > (1 << 20)) {
            throw new IllegalArgumentException("capacity must be 16..2^20: " + capacity);
        }
        int size = Integer.highestOneBit(capacity - 1) << 1;
        this.mask = size - 1;
        this.sequence = new long[size];
        this.sendTimeNs = new long[size];
        this.sizeBytes = new int[size];
        this.kind = new byte[size];
        this.probeClusterId = new int[size];
        this.reportState = new byte[size];
        Arrays.fill(sequence, -1);
    }

    /**
     * Records a packet as it leaves (after pacing, as close to the socket as possible).
     *
     * @param sequenceNumber the 16-bit transport-wide sequence number written in its header extension
     * @param probeClusterId the pacer's probe cluster for this packet, or {@link #NO_PROBE}
     * @return the extended sequence number
     */
    public long handlePacketSent(long nowNs, int sequenceNumber, int sizeBytes, SentKind kind, int probeClusterId) {
        long extended = unwrapper.unwrap(sequenceNumber);
        int slot = (int) (extended & mask);
        this.sequence[slot] = extended;
        this.sendTimeNs[slot] = nowNs;
        this.sizeBytes[slot] = sizeBytes;
        this.kind[slot] = (byte) kind.ordinal();
        this.probeClusterId[slot] = probeClusterId;
        this.reportState[slot] = UNREPORTED;
        packetsSent++;
        bytesSent += sizeBytes;
        return extended;
    }

    /** Extends a 16-bit sequence number from feedback against the highest sent, without changing anything. */
    public long extend(int sequenceNumber) {
        long highest = unwrapper.highest();
        return highest < 0 ? sequenceNumber & 0xFFFF : SerialNumber.unwrap16(highest, sequenceNumber);
    }

    /** The slot holding extended sequence number {@code extended}, or -1 if it was never sent or has been overwritten. */
    public int slotOf(long extended) {
        if (extended < 0 || extended > unwrapper.highest()) {
            return -1;
        }
        int slot = (int) (extended & mask);
        return sequence[slot] == extended ? slot : -1;
    }

    /** Highest extended sequence number sent, or -1 before the first packet. */
    public long highestSequence() {
        return unwrapper.highest();
    }

    public long sendTimeNs(int slot) {
        return sendTimeNs[slot];
    }

    public int sizeBytes(int slot) {
        return sizeBytes[slot];
    }

    public SentKind kind(int slot) {
        return SentKind.of(kind[slot]);
    }

    public int probeClusterId(int slot) {
        return probeClusterId[slot];
    }

    byte reportState(int slot) {
        return reportState[slot];
    }

    void setReportState(int slot, byte state) {
        reportState[slot] = state;
    }

    public int capacity() {
        return mask + 1;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long bytesSent() {
        return bytesSent;
    }
}
