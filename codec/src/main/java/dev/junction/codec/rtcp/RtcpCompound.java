package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Walks the individual packets of a compound RTCP packet (RFC 3550 §6.1) without allocating: for each
 * packet it exposes the type, the RC/SC/FMT field, and where the packet lies, so the caller can hand
 * {@code (buffer(), offset(), length())} to the matching flyweight ({@link SenderReport},
 * {@link GenericNack}, {@link TransportCcFeedback}, ...).
 *
 * <pre>
 * |&lt;----------------------- one UDP datagram (after SRTCP) -------------------------&gt;|
 * +--------------------+----------------------+--------------------------------------+
 * | V=2 P=0 PT length  | V=2 P=0 PT length    | V=2 P=1 PT length ... pad | pad count |
 * | packet 1           | packet 2             | last packet                          |
 * +--------------------+----------------------+--------------------------------------+
 *   (length+1)*4 bytes   (length+1)*4 bytes     (length+1)*4 bytes
 * </pre>
 *
 * <p>Checks per packet (RFC 3550 §6.4.1 and Appendix A.2): at least 4 bytes left, version 2, the length
 * field stays within the compound packet, and a padding count is neither 0 nor larger than the packet
 * body. Padding is accepted on any packet, not only the last (see {@link #next()}). The first fault stops the walk: {@link #next()} returns
 * false and {@link #error()} names it; packets already returned remain valid. Nothing past the wrapped
 * region is ever read. The "first packet must be SR/RR" rule of A.2 is deliberately not enforced:
 * reduced-size RTCP (RFC 5506, {@code a=rtcp-rsize}, which browsers offer) sends feedback alone.
 *
 * <pre>{@code
 * compound.wrap(buf, off, len);
 * while (compound.next()) {
 *     switch (compound.packetType()) { case RtcpType.RR -> rr.wrap(buf, compound.offset(), compound.length()); ... }
 * }
 * if (compound.error() != RtcpParseError.NONE) count(compound.error());
 * }</pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session, reused on the room's event loop.
 * Borrows the buffer: never retains, releases or moves its indexes.
 */
public final class RtcpCompound {

    // Passed by wrap().
    private ByteBuf buf;
    private int end;

    // Walk state.
    private int position;
    private int index;
    private RtcpParseError error = RtcpParseError.NONE;

    // The current packet.
    private int packetOffset;
    private int packetLength;
    private int packetType;
    private int format;
    private int paddingLength;

    /**
     * Starts a walk over {@code buf[offset, offset + length)}.
     *
     * @return false (with {@link RtcpParseError#OUT_OF_BOUNDS}) only when the region lies outside the
     *         buffer's written bytes; malformed content is reported by {@link #next()}
     */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        this.index = -1;
        this.packetOffset = 0;
        this.packetLength = 0;
        this.packetType = 0;
        this.format = 0;
        this.paddingLength = 0;
        if (buf == null || offset < 0 || length < 0 || offset > buf.writerIndex() - length) {
            this.buf = null;
            this.position = 0;
            this.end = 0;
            this.error = RtcpParseError.OUT_OF_BOUNDS;
            return false;
        }
        this.buf = buf;
        this.position = offset;
        this.end = offset + length;
        this.error = length == 0 ? RtcpParseError.TRUNCATED : RtcpParseError.NONE;
        return true;
    }

    /** Moves to the next packet; false at the end of the compound packet or at the first fault. */
    public boolean next() {
        if (error != RtcpParseError.NONE || position >= end) {
            return false;
        }
        int at = position;
        int remaining = end - at;
        if (remaining < RtcpHeader.LENGTH) {
            return fail(RtcpParseError.TRUNCATED);
        }
        int b0 = buf.getUnsignedByte(at);
        if ((b0 >>> 6) != RtcpHeader.VERSION) {
            return fail(RtcpParseError.BAD_VERSION);
        }
        int length = RtcpHeader.packetLength(buf, at);
        if (length > remaining) {
            return fail(RtcpParseError.BAD_LENGTH);
        }
        int padding = 0;
        if ((b0 & 0x20) != 0) {
            // RFC 3550 §6.4.1 puts padding only on the last packet, but libwebrtc batches separately
            // padded feedback packets into one datagram (PacketRouter::SendCombinedRtcpPacket). The
            // length field still bounds each packet, so padding is accepted anywhere.
            padding = buf.getUnsignedByte(at + length - 1);
            if (padding == 0 || padding > length - RtcpHeader.LENGTH) {
                return fail(RtcpParseError.BAD_PADDING);
            }
        }
        packetOffset = at;
        packetLength = length;
        packetType = buf.getUnsignedByte(at + 1);
        format = b0 & 0x1F;
        paddingLength = padding;
        position = at + length;
        index++;
        return true;
    }

    private boolean fail(RtcpParseError reason) {
        error = reason;
        position = end;
        return false;
    }

    /** The fault that stopped the walk, or {@link RtcpParseError#NONE}. */
    public RtcpParseError error() {
        return error;
    }

    /** Whether the walk has consumed the whole compound packet without a fault. */
    public boolean isComplete() {
        return error == RtcpParseError.NONE && position >= end;
    }

    /** The wrapped buffer (borrowed, never retained). */
    public ByteBuf buffer() {
        return buf;
    }

    /** 0-based position of the current packet within the compound packet. */
    public int index() {
        return index;
    }

    /** PT of the current packet ({@link RtcpType}). */
    public int packetType() {
        return packetType;
    }

    /** The 5-bit RC/SC/FMT field of the current packet (the feedback message type for RTPFB/PSFB). */
    public int format() {
        return format;
    }

    /** Absolute index of the current packet's header. */
    public int offset() {
        return packetOffset;
    }

    /** Length of the current packet in bytes, header and padding included. */
    public int length() {
        return packetLength;
    }

    /** Padding bytes at the end of the current packet. */
    public int paddingLength() {
        return paddingLength;
    }
}
