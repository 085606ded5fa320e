package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a Picture Loss Indication (RFC 4585 §6.3.1: PSFB, FMT=1, no FCI), and its writer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=1  |    PT=206     |          length=2             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class PictureLossIndication {

    /** Size of a PLI in bytes. */
    public static final int LENGTH = 12;

    private ByteBuf buf;
    private int offset;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false if it is not a well-formed PLI. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.PSFB, RtcpType.FMT_PLI);
        if (contentEnd < 0 || contentEnd - offset < LENGTH) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** The SSRC whose picture was lost: the one to send a keyframe on. */
    public long mediaSsrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    public static void write(ByteBuf out, long senderSsrc, long mediaSsrc) {
        RtcpHeader.write(out, RtcpType.FMT_PLI, RtcpType.PSFB, LENGTH);
        out.writeInt((int) senderSsrc);
        out.writeInt((int) mediaSsrc);
    }
}
