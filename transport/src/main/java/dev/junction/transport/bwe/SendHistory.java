package dev.junction.transport.bwe;

import dev.junction.codec.rtp.SerialNumber;

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

    /**
     * Each slot is {@link #STRIDE} longs side by side: the extended sequence number, the send time, and the rest
     * packed ({@link #packed}). Side by side because a server numbers every copy to a hundred subscribers, each
     * with its own history: recording a packet, or looking it up from feedback, touches one or two cache lines of
     * one array rather than one line in each of six.
     */
    private static final int STRIDE = 3;
    private static final int SEQUENCE = 0;
    private static final int SEND_TIME = 1;
    private static final int PACKED = 2;
    /** The packed word: size in the low 24 bits (at most 16 MiB), kind and report state 4 bits each, probe cluster id in the high 32. */
    private static final int MAX_SIZE = (1 << 24) - 1;
    private static final int KIND_SHIFT = 24;
    private static final int STATE_SHIFT = 28;
    private static final long STATE_MASK = 0xFL << STATE_SHIFT;

    // Allocated by this, once.
    private final int mask;
    private final long[] slots;
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
        this.slots = new long[size * STRIDE];
        for (int i = 0; i < size; i++) {
            slots[i * STRIDE + SEQUENCE] = -1;
        }
    }

    private static long packed(int sizeBytes, SentKind kind, byte reportState, int probeClusterId) {
        return ((long) probeClusterId << 32) | ((long) reportState << STATE_SHIFT) | ((long) kind.ordinal() << KIND_SHIFT)
                | Math.clamp(sizeBytes, 0, MAX_SIZE);
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
        int at = (int) (extended & mask) * STRIDE;
        slots[at + SEQUENCE] = extended;
        slots[at + SEND_TIME] = nowNs;
        slots[at + PACKED] = packed(sizeBytes, kind, UNREPORTED, probeClusterId);
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
        return slots[slot * STRIDE + SEQUENCE] == extended ? slot : -1;
    }

    /** Highest extended sequence number sent, or -1 before the first packet. */
    public long highestSequence() {
        return unwrapper.highest();
    }

    public long sendTimeNs(int slot) {
        return slots[slot * STRIDE + SEND_TIME];
    }

    public int sizeBytes(int slot) {
        return (int) (slots[slot * STRIDE + PACKED] & MAX_SIZE);
    }

    public SentKind kind(int slot) {
        return SentKind.of((int) (slots[slot * STRIDE + PACKED] >>> KIND_SHIFT) & 0xF);
    }

    public int probeClusterId(int slot) {
        return (int) (slots[slot * STRIDE + PACKED] >> 32);
    }

    byte reportState(int slot) {
        return (byte) ((slots[slot * STRIDE + PACKED] & STATE_MASK) >>> STATE_SHIFT);
    }

    void setReportState(int slot, byte state) {
        int at = slot * STRIDE + PACKED;
        slots[at] = (slots[at] & ~STATE_MASK) | ((long) state << STATE_SHIFT);
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
