package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over one 24-byte reception report block of an SR or RR (RFC 3550 §6.4.1), and its writer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 SSRC_n (SSRC of source)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | fraction lost |       cumulative number of packets lost       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           extended highest sequence number received           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      interarrival jitter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last SR (LSR)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last SR (DLSR)                  |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * </pre>
 *
 * Filled by {@link SenderReport#reportBlock} / {@link ReceiverReport#reportBlock}, which have checked
 * that all 24 bytes are inside the packet. Not thread-safe; reuse one instance; never retains the buffer.
 */
public final class ReportBlock {

    /** Size of a report block in bytes. */
    public static final int LENGTH = 24;

    private ByteBuf buf;
    private int offset;

    void at(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
    }

    /** SSRC of the source this block reports on. */
    public long ssrc() {
        return buf.getUnsignedInt(offset);
    }

    /** Fraction of packets lost since the previous report, as a fixed-point number over 256. */
    public int fractionLost() {
        return buf.getUnsignedByte(offset + 4);
    }

    /** Cumulative packets lost: signed 24 bits, negative when duplicates outnumber losses (RFC 3550 §6.4.1). */
    public int cumulativeLost() {
        return buf.getMedium(offset + 5);
    }

    /** Extended highest sequence number received: cycles in the high 16 bits. */
    public long extendedHighestSequenceNumber() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** Interarrival jitter in RTP timestamp units. */
    public long jitter() {
        return buf.getUnsignedInt(offset + 12);
    }

    /** The middle 32 bits of the NTP timestamp of the last SR received from this source, or 0. */
    public long lastSenderReport() {
        return buf.getUnsignedInt(offset + 16);
    }

    /** Delay since that SR, in units of 1/65536 seconds. */
    public long delaySinceLastSenderReport() {
        return buf.getUnsignedInt(offset + 20);
    }

    /**
     * Writes one report block at the writer index. {@code cumulativeLost} is clamped to the 24-bit signed
     * range, as RFC 3550 §6.4.1 requires for the field.
     */
    public static void write(ByteBuf out, long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSeq,
                             long jitter, long lastSenderReport, long delaySinceLastSenderReport) {
        out.writeInt((int) ssrc);
        out.writeByte(fractionLost);
        out.writeMedium(Math.max(-0x80_0000, Math.min(0x7F_FFFF, cumulativeLost)));
        out.writeInt((int) extendedHighestSeq);
        out.writeInt((int) jitter);
        out.writeInt((int) lastSenderReport);
        out.writeInt((int) delaySinceLastSenderReport);
    }
}
