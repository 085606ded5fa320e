package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a transport-wide congestion control feedback message
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: RTPFB, FMT=15) with allocation-free
 * iteration over every reported packet's status and arrival time. {@link TransportCcFeedbackWriter}
 * builds them.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     SSRC of packet sender                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      SSRC of media source                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      base sequence number     |      packet status count      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 reference time                | fb pkt. count |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          packet chunk         |         packet chunk          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         packet chunk          |  recv delta   |  recv delta   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           recv delta          |  recv delta   | zero padding  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * run length chunk (§3.1.3)          status vector chunk (§3.1.4)
 * |0|S S|  run length (13 bits)  |   |1|0| 14 x 1-bit symbols    |  0 = not received, 1 = small delta
 *                                    |1|1| 7 x 2-bit symbols     |  00 not received, 01 small delta,
 *                                                                    10 large delta, 11 reserved
 * </pre>
 *
 * Reference time: signed 24 bits, in multiples of 64 ms. Receive deltas, one per received packet in
 * order: small = 1 unsigned byte, large = 2 bytes signed, both in 250 µs ticks; the first is relative
 * to the reference time, each next one to the previous received packet. Chunks may cover more symbols
 * than the packet status count (libwebrtc pads the last vector chunk); only the first
 * {@code packet status count} symbols count.
 *
 * <p>{@link #wrap} walks the chunks once and rejects a message whose chunks or deltas overrun it or that
 * uses the reserved symbol 11, so iteration afterwards cannot fail:
 *
 * <pre>{@code
 * twcc.reset();
 * while (twcc.next()) {
 *     if (twcc.isReceived()) onArrival(twcc.sequenceNumber(), twcc.arrivalTimeUs()); else onLost(twcc.sequenceNumber());
 * }
 * }</pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class TransportCcFeedback {

    /** Symbol: packet not received. */
    public static final int NOT_RECEIVED = 0;
    /** Symbol: received, 1-byte delta in [0, 63.75] ms. */
    public static final int SMALL_DELTA = 1;
    /** Symbol: received, 2-byte signed delta. */
    public static final int LARGE_DELTA = 2;

    /** Microseconds per reference time unit. */
    public static final long REFERENCE_TIME_UNIT_US = 64_000;
    /** Microseconds per receive delta tick. */
    public static final long DELTA_TICK_US = 250;

    static final int CHUNKS_OFFSET = 20;

    private ByteBuf buf;
    private int offset;
    private int statusCount;
    private int chunksEnd;
    private int receivedCount;

    // Iteration state.
    private int statusIndex;
    private int chunkPosition;
    private int chunk;
    private int chunkSymbolsLeft;
    private int chunkSymbolIndex;
    private int deltaPosition;
    private long timeTicks;

    // The current packet.
    private int symbol;
    private int delta;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false unless it is a well-formed feedback message. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.RTPFB, RtcpType.FMT_TRANSPORT_CC);
        if (contentEnd < 0 || contentEnd - offset < CHUNKS_OFFSET) {
            return false;
        }
        int remaining = buf.getUnsignedShort(offset + 14);
        int position = offset + CHUNKS_OFFSET;
        int deltaBytes = 0;
        int received = 0;
        while (remaining > 0) {
            if (contentEnd - position < 2) {
                return false;
            }
            int value = buf.getUnsignedShort(position);
            position += 2;
            if ((value & 0x8000) == 0) {
                int runSymbol = value >>> 13;
                int run = Math.min(value & 0x1FFF, remaining);
                if (runSymbol == 3) {
                    return false;
                }
                if (runSymbol != NOT_RECEIVED) {
                    deltaBytes += run * runSymbol;
                    received += run;
                }
                remaining -= run;
            } else if ((value & 0x4000) == 0) {
                int symbols = Math.min(14, remaining);
                int received1 = Integer.bitCount((value & 0x3FFF) >>> (14 - symbols));
                deltaBytes += received1;
                received += received1;
                remaining -= symbols;
            } else {
                int symbols = Math.min(7, remaining);
                for (int i = 0; i < symbols; i++) {
                    int s = (value >>> (12 - 2 * i)) & 3;
                    if (s == 3) {
                        return false;
                    }
                    if (s != NOT_RECEIVED) {
                        deltaBytes += s;
                        received++;
                    }
                }
                remaining -= symbols;
            }
        }
        if (deltaBytes > contentEnd - position) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        this.statusCount = buf.getUnsignedShort(offset + 14);
        this.chunksEnd = position;
        this.receivedCount = received;
        reset();
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    public long mediaSsrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** Transport-wide sequence number of the first packet reported. */
    public int baseSequenceNumber() {
        return buf.getUnsignedShort(offset + 12);
    }

    /** Number of packets reported, received or not. */
    public int packetStatusCount() {
        return statusCount;
    }

    /** Number of packets reported as received (= number of receive deltas). */
    public int receivedCount() {
        return receivedCount;
    }

    /** Reference time: signed 24 bits in units of 64 ms, in the feedback sender's time base. */
    public int referenceTime() {
        return buf.getMedium(offset + 16);
    }

    /** The reference time in microseconds. */
    public long referenceTimeUs() {
        return referenceTime() * REFERENCE_TIME_UNIT_US;
    }

    /** Feedback packet count: increments per feedback message sent, for detecting lost feedback. */
    public int feedbackPacketCount() {
        return buf.getUnsignedByte(offset + 19);
    }

    /** Restarts the iteration at the base sequence number. */
    public void reset() {
        statusIndex = 0;
        chunkPosition = offset + CHUNKS_OFFSET;
        chunkSymbolsLeft = 0;
        chunkSymbolIndex = 0;
        deltaPosition = chunksEnd;
        timeTicks = (long) referenceTime() * (REFERENCE_TIME_UNIT_US / DELTA_TICK_US);
        symbol = NOT_RECEIVED;
        delta = 0;
    }

    /** Moves to the next reported packet; false after {@link #packetStatusCount()} packets. */
    public boolean next() {
        if (statusIndex >= statusCount) {
            return false;
        }
        while (chunkSymbolsLeft == 0) {
            if (chunksEnd - chunkPosition < 2) {
                statusIndex = statusCount; // only if the buffer changed after wrap()
                return false;
            }
            chunk = buf.getUnsignedShort(chunkPosition);
            chunkPosition += 2;
            chunkSymbolIndex = 0;
            if ((chunk & 0x8000) == 0) {
                chunkSymbolsLeft = chunk & 0x1FFF;
            } else {
                chunkSymbolsLeft = (chunk & 0x4000) == 0 ? 14 : 7;
            }
        }
        int s;
        if ((chunk & 0x8000) == 0) {
            s = chunk >>> 13;
        } else if ((chunk & 0x4000) == 0) {
            s = (chunk >>> (13 - chunkSymbolIndex)) & 1;
        } else {
            s = (chunk >>> (12 - 2 * chunkSymbolIndex)) & 3;
        }
        chunkSymbolIndex++;
        chunkSymbolsLeft--;
        statusIndex++;
        symbol = s;
        if (s == SMALL_DELTA) {
            delta = buf.getUnsignedByte(deltaPosition);
            deltaPosition += 1;
        } else if (s == LARGE_DELTA) {
            delta = buf.getShort(deltaPosition);
            deltaPosition += 2;
        } else {
            delta = 0;
        }
        timeTicks += delta;
        return true;
    }

    /** Transport-wide sequence number of the current packet. */
    public int sequenceNumber() {
        return (baseSequenceNumber() + statusIndex - 1) & 0xFFFF;
    }

    /** Status symbol of the current packet: {@link #NOT_RECEIVED}, {@link #SMALL_DELTA} or {@link #LARGE_DELTA}. */
    public int status() {
        return symbol;
    }

    public boolean isReceived() {
        return symbol != NOT_RECEIVED;
    }

    /** Receive delta of the current packet in 250 µs ticks (signed); 0 when not received. */
    public int deltaTicks() {
        return delta;
    }

    /** Receive delta of the current packet in microseconds; 0 when not received. */
    public long deltaUs() {
        return delta * DELTA_TICK_US;
    }

    /**
     * Arrival time of the current packet in microseconds, in the feedback sender's time base: the
     * reference time plus all deltas so far. Meaningful only when {@link #isReceived()}.
     */
    public long arrivalTimeUs() {
        return timeTicks * DELTA_TICK_US;
    }
}
