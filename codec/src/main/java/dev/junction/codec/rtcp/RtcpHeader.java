package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * The 4-byte header every RTCP packet starts with (RFC 3550 §6.4.1), read and written at absolute
 * indexes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| RC/SC/FMT |      PT       |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * {@code length} is the packet size in 32-bit words minus one, header and padding included. With P set
 * the packet's last octet counts the padding octets, itself included.
 *
 * <p>Stateless; safe from any thread. Never retains a buffer.
 */
public final class RtcpHeader {

    /** Header size in bytes. */
    public static final int LENGTH = 4;
    /** RTCP version (RFC 3550 §6.4.1). */
    public static final int VERSION = 2;

    private RtcpHeader() {
    }

    /** The 5-bit RC/SC/FMT field of the header at {@code offset}. */
    public static int count(ByteBuf buf, int offset) {
        return buf.getByte(offset) & 0x1F;
    }

    public static int packetType(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset + 1);
    }

    public static boolean hasPadding(ByteBuf buf, int offset) {
        return (buf.getByte(offset) & 0x20) != 0;
    }

    /** Packet size in bytes announced by the header at {@code offset}: (length + 1) * 4. */
    public static int packetLength(ByteBuf buf, int offset) {
        return (buf.getUnsignedShort(offset + 2) + 1) * 4;
    }

    /** Writes a header with V=2, P=0 at the writer index for a packet of {@code packetLength} bytes (a multiple of 4). */
    public static void write(ByteBuf out, int count, int packetType, int packetLength) {
        if (count < 0 || count > 31 || (packetLength & 3) != 0 || packetLength < LENGTH || packetLength > 4 * 65536) {
            throw new IllegalArgumentException("bad RTCP header: count=" + count + " length=" + packetLength);
        }
        out.writeByte((VERSION << 6) | count);
        out.writeByte(packetType);
        out.writeShort(packetLength / 4 - 1);
    }

    /**
     * Validates the single packet at {@code buf[offset, offset + length)} as one of {@code packetType}
     * (and, unless {@code format} is negative, that FMT) for the packet flyweights.
     *
     * @return the absolute index where the packet's content ends (padding excluded), or -1 when the
     *         region is out of bounds, shorter than the header, not version 2, of another type, shorter
     *         than its length field, or its padding count is invalid
     */
    static int contentEnd(ByteBuf buf, int offset, int length, int packetType, int format) {
        if (buf == null || offset < 0 || length < LENGTH || offset > buf.writerIndex() - length) {
            return -1;
        }
        int b0 = buf.getUnsignedByte(offset);
        if ((b0 >>> 6) != VERSION || buf.getUnsignedByte(offset + 1) != packetType
                || (format >= 0 && (b0 & 0x1F) != format)) {
            return -1;
        }
        int packetLength = packetLength(buf, offset);
        if (packetLength > length) {
            return -1;
        }
        int end = offset + packetLength;
        if ((b0 & 0x20) != 0) {
            int padding = buf.getUnsignedByte(end - 1);
            if (padding == 0 || padding > packetLength - LENGTH) {
                return -1;
            }
            end -= padding;
        }
        return end;
    }
}
