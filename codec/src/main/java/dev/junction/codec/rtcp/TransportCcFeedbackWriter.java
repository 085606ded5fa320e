package dev.junction.codec.rtcp;

import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;

/**
 * Builds transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1; layout in {@link TransportCcFeedback}) from
 * (transport-wide sequence number, arrival time) records, without allocating after construction.
 *
 * <pre>{@code
 * writer.reset();
 * for (each arrival, ascending sequence number) {
 *     if (!writer.addReceived(seq, arrivalUs)) { writer.write(out, ...); writer.reset(); writer.addReceived(seq, arrivalUs); }
 * }
 * writer.write(out, senderSsrc, mediaSsrc, feedbackPacketCount++);
 * }</pre>
 *
 * <p>Records must come in ascending (wrap-aware) sequence order; gaps are reported as not received. The
 * caller sorts out-of-order arrivals first (as libwebrtc's receive-side proxy keeps a sorted map). The
 * reference time is the first packet's arrival rounded down to 64 ms; arrival times are quantised to
 * 250 µs ticks on an absolute grid, so rounding never accumulates. {@link #addReceived} refuses a record
 * (and leaves the feedback unchanged) when it is not newer than the last, when its delta does not fit
 * the signed 16-bit large delta (±8.19 s), or when the message could outgrow {@code maxPacketLength}.
 *
 * <p>Chunk encoding, greedy per position: a run of 14 or more equal symbols, or the tail, becomes a run
 * length chunk; otherwise 14 symbols without a large delta become a 1-bit vector; otherwise a run of 7
 * or more becomes a run length chunk; otherwise a 2-bit vector takes the next 7. A last vector chunk is
 * filled with "not received" beyond the status count, as libwebrtc does. The message is padded to 32
 * bits with the RTCP P bit and a count octet, again as libwebrtc does, so it must be the last (or
 * only) packet of its compound packet.
 *
 * <p>Threading: not thread-safe; one per WebRtcTransport on its event loop. Writes into the caller's
 * buffer at the writer index and never retains it.
 */
public final class TransportCcFeedbackWriter {

    private static final int HEADER_LENGTH = TransportCcFeedback.CHUNKS_OFFSET;
    private static final int MAX_RUN = 0x1FFF;
    private static final long TICKS_PER_REFERENCE = TransportCcFeedback.REFERENCE_TIME_UNIT_US / TransportCcFeedback.DELTA_TICK_US;

    private final int maxPacketLength;
    private final byte[] symbols;
    private final short[] deltas;

    private int statusCount;
    private int receivedCount;
    private int deltaBytes;
    private int baseSequence;
    private int lastSequence;
    private int referenceTime;
    private long lastTicks;
    /** Where an empty message starts ({@link #startAt}), or -1: at its first arrival. */
    private int startSequence = -1;

    /**
     * @param maxPacketLength upper bound for a written message in bytes (for example 1200 to stay within
     *                        a typical MTU after SRTCP overhead); at least 32
     */
    public TransportCcFeedbackWriter(int maxPacketLength) {
        if (maxPacketLength < 32 || maxPacketLength > 65536) {
            throw new IllegalArgumentException("maxPacketLength must be 32-65536: " + maxPacketLength);
        }
        this.maxPacketLength = maxPacketLength;
        int budget = maxPacketLength - HEADER_LENGTH - 3;
        // Worst case per status: 2/7 of a chunk byte pair; per received packet: 1 more delta byte.
        this.symbols = new byte[Math.min(0xFFFF, budget * 7 / 2 + 7)];
        this.deltas = new short[budget];
        reset();
    }

    /** Forgets all records; the next {@link #addReceived} starts a new message. */
    public void reset() {
        statusCount = 0;
        receivedCount = 0;
        deltaBytes = 0;
        startSequence = -1;
    }

    /**
     * Starts an empty message at sequence number {@code sequenceNumber} (the first one the receiver expected), so
     * that numbers before the first arrival are reported as not received, as libwebrtc's receiver does; without it a
     * message starts at its first arrival and a loss just after the previous message is never reported.
     *
     * @throws IllegalStateException when the message is not empty
     */
    public void startAt(int sequenceNumber) {
        if (statusCount != 0) throw new IllegalStateException("startAt on a message that has records");
        startSequence = sequenceNumber & 0xFFFF;
    }

    public boolean isEmpty() {
        return statusCount == 0;
    }

    /** Packets covered so far, received or not. */
    public int packetStatusCount() {
        return statusCount;
    }

    public int receivedCount() {
        return receivedCount;
    }

    /** Base sequence number of the message; meaningful when not {@link #isEmpty()}. */
    public int baseSequenceNumber() {
        return baseSequence;
    }

    /** Highest sequence number added; meaningful when not {@link #isEmpty()}. */
    public int lastSequenceNumber() {
        return lastSequence;
    }

    /**
     * Records packet {@code sequenceNumber} as received at {@code arrivalTimeUs} (any monotonic
     * microsecond clock of the receiver). Sequence numbers skipped since the previous record are
     * reported as not received.
     *
     * @return false, with nothing changed, when the record does not fit this message (see class doc)
     */
    public boolean addReceived(int sequenceNumber, long arrivalTimeUs) {
        int seq = sequenceNumber & 0xFFFF;
        long ticks = Math.floorDiv(arrivalTimeUs + TransportCcFeedback.DELTA_TICK_US / 2, TransportCcFeedback.DELTA_TICK_US);
        if (statusCount == 0) {
            long reference = Math.floorDiv(arrivalTimeUs, TransportCcFeedback.REFERENCE_TIME_UNIT_US);
            long delta = ticks - reference * TICKS_PER_REFERENCE;
            int deltaSize = delta <= 255 ? 1 : 2;
            int lostBefore = startSequence < 0 ? 0 : SerialNumber.diff16(seq, startSequence);
            if (lostBefore < 0 || !fits(lostBefore + 1, deltaSize)) {
                return false;
            }
            baseSequence = startSequence < 0 ? seq : startSequence;
            referenceTime = (int) reference;
            for (int i = 0; i < lostBefore; i++) {
                symbols[statusCount++] = TransportCcFeedback.NOT_RECEIVED;
            }
            store(seq, ticks, (int) delta, deltaSize);
            return true;
        }
        int gap = SerialNumber.diff16(seq, lastSequence);
        if (gap <= 0) {
            return false;
        }
        long delta = ticks - lastTicks;
        if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
            return false;
        }
        int deltaSize = delta >= 0 && delta <= 255 ? 1 : 2;
        if (!fits(statusCount + gap, deltaBytes + deltaSize)) {
            return false;
        }
        for (int i = 0; i < gap - 1; i++) {
            symbols[statusCount++] = TransportCcFeedback.NOT_RECEIVED;
        }
        store(seq, ticks, (int) delta, deltaSize);
        return true;
    }

    private boolean fits(int newStatusCount, int newDeltaBytes) {
        long worstCase = HEADER_LENGTH + 2L * ((newStatusCount + 6) / 7) + newDeltaBytes + 3;
        return newStatusCount <= symbols.length && receivedCount < deltas.length && worstCase <= maxPacketLength;
    }

    private void store(int seq, long ticks, int delta, int deltaSize) {
        symbols[statusCount++] = (byte) (deltaSize == 1 ? TransportCcFeedback.SMALL_DELTA : TransportCcFeedback.LARGE_DELTA);
        deltas[receivedCount++] = (short) delta;
        deltaBytes += deltaSize;
        lastSequence = seq;
        lastTicks = ticks;
    }

    /** Exact size in bytes {@link #write} will produce, padding included. */
    public int encodedLength() {
        int unpadded = HEADER_LENGTH + encodeChunks(null) + deltaBytes;
        return (unpadded + 3) & ~3;
    }

    /**
     * Writes the feedback message at the writer index.
     *
     * @param feedbackPacketCount the sender's running count of feedback messages (the low 8 bits are sent)
     * @return bytes written
     * @throws IllegalStateException when no packet was added: an empty feedback message is not useful
     */
    public int write(ByteBuf out, long senderSsrc, long mediaSsrc, int feedbackPacketCount) {
        if (statusCount == 0) {
            throw new IllegalStateException("no packets recorded");
        }
        int start = out.writerIndex();
        out.writeZero(RtcpHeader.LENGTH);
        out.writeInt((int) senderSsrc);
        out.writeInt((int) mediaSsrc);
        out.writeShort(baseSequence);
        out.writeShort(statusCount);
        out.writeMedium(referenceTime);
        out.writeByte(feedbackPacketCount);
        encodeChunks(out);
        for (int i = 0; i < receivedCount; i++) {
            int delta = deltas[i];
            if (delta >= 0 && delta <= 255) {
                out.writeByte(delta);
            } else {
                out.writeShort(delta);
            }
        }
        int unpadded = out.writerIndex() - start;
        int padding = ((unpadded + 3) & ~3) - unpadded;
        if (padding > 0) {
            out.writeZero(padding - 1);
            out.writeByte(padding);
        }
        int length = out.writerIndex() - start;
        out.setByte(start, (RtcpHeader.VERSION << 6) | (padding > 0 ? 0x20 : 0) | RtcpType.FMT_TRANSPORT_CC);
        out.setByte(start + 1, RtcpType.RTPFB);
        out.setShort(start + 2, length / 4 - 1);
        return length;
    }

    /** Encodes the status chunks into {@code out}, or only measures them when {@code out} is null. */
    private int encodeChunks(ByteBuf out) {
        int bytes = 0;
        int i = 0;
        while (i < statusCount) {
            int first = symbols[i];
            int run = 1;
            while (run < MAX_RUN && i + run < statusCount && symbols[i + run] == first) {
                run++;
            }
            int chunk;
            int covered;
            if (run >= 14 || i + run == statusCount) {
                chunk = (first << 13) | run;
                covered = run;
            } else if (noLargeDelta(i, Math.min(14, statusCount - i))) {
                covered = Math.min(14, statusCount - i);
                chunk = 0x8000;
                for (int k = 0; k < covered; k++) {
                    chunk |= symbols[i + k] << (13 - k);
                }
            } else if (run >= 7) {
                chunk = (first << 13) | run;
                covered = run;
            } else {
                covered = Math.min(7, statusCount - i);
                chunk = 0xC000;
                for (int k = 0; k < covered; k++) {
                    chunk |= symbols[i + k] << (12 - 2 * k);
                }
            }
            if (out != null) {
                out.writeShort(chunk);
            }
            bytes += 2;
            i += covered;
        }
        return bytes;
    }

    private boolean noLargeDelta(int from, int count) {
        for (int k = from; k < from + count; k++) {
            if (symbols[k] == TransportCcFeedback.LARGE_DELTA) {
                return false;
            }
        }
        return true;
    }
}
