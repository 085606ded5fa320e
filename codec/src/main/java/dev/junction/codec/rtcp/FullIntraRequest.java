package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over a Full Intra Request (RFC 5104 §4.3.1: PSFB, FMT=4), and its writer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=4  |    PT=206     |          length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             SSRC of media source (unused, SHALL be 0)         |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                              SSRC                             |  FCI entry
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  (§4.3.1.2),
 * | Seq nr.       |    Reserved                                   |  one or more
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The command sequence number lets the media sender ignore repeated requests (§4.3.1.1): a new request
 * increments it, a retransmission repeats it.
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class FullIntraRequest {

    private static final int FCI_OFFSET = 12;
    private static final int ENTRY_LENGTH = 8;

    private ByteBuf buf;
    private int offset;
    private int entryCount;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false unless it is a FIR with at least one entry. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.PSFB, RtcpType.FMT_FIR);
        if (contentEnd < 0) {
            return false;
        }
        int entries = (contentEnd - offset - FCI_OFFSET) / ENTRY_LENGTH;
        if (entries < 1) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        this.entryCount = entries;
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** The header's media SSRC; RFC 5104 says it is unused and 0, the targets are in the entries. */
    public long mediaSsrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    public int entryCount() {
        return entryCount;
    }

    /** SSRC of the media sender asked for a decoder refresh, in entry {@code index}. */
    public long ssrc(int index) {
        Objects.checkIndex(index, entryCount);
        return buf.getUnsignedInt(offset + FCI_OFFSET + ENTRY_LENGTH * index);
    }

    /** Command sequence number of entry {@code index}. */
    public int sequenceNumber(int index) {
        Objects.checkIndex(index, entryCount);
        return buf.getUnsignedByte(offset + FCI_OFFSET + ENTRY_LENGTH * index + 4);
    }

    /** Writes a FIR with one entry for {@code targetSsrc}; the header's media SSRC is 0 (§4.3.1.2). */
    public static void write(ByteBuf out, long senderSsrc, long targetSsrc, int sequenceNumber) {
        RtcpHeader.write(out, RtcpType.FMT_FIR, RtcpType.PSFB, FCI_OFFSET + ENTRY_LENGTH);
        out.writeInt((int) senderSsrc);
        out.writeInt(0);
        out.writeInt((int) targetSsrc);
        out.writeByte(sequenceNumber);
        out.writeMedium(0);
    }
}
