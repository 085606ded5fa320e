package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over a Receiver Report (RFC 3550 §6.4.2), and its writer.
 *
 * <pre>
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=RR=201   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     SSRC of packet sender                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 SSRC_1 (SSRC of first source)                 |
 * block  :                      ... ({@link ReportBlock})                :
 *   1    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        :                  profile-specific extensions                  :
 * </pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class ReceiverReport {

    /** Header and sender SSRC, before the report blocks. */
    public static final int MIN_LENGTH = 8;

    private ByteBuf buf;
    private int offset;
    private int reportCount;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false if it is not a well-formed RR. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.RR, -1);
        if (contentEnd < 0) {
            return false;
        }
        int count = RtcpHeader.count(buf, offset);
        if (contentEnd - offset < MIN_LENGTH + count * ReportBlock.LENGTH) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        this.reportCount = count;
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** Number of report blocks (RC); 0 is a valid "empty RR". */
    public int reportCount() {
        return reportCount;
    }

    /** Points {@code into} at report block {@code index} (below {@link #reportCount()}) and returns it. */
    public ReportBlock reportBlock(int index, ReportBlock into) {
        Objects.checkIndex(index, reportCount);
        into.at(buf, offset + MIN_LENGTH + index * ReportBlock.LENGTH);
        return into;
    }

    /**
     * Writes the RR header and sender SSRC at the writer index. The caller then writes exactly
     * {@code reportCount} (0-31) blocks with {@link ReportBlock#write}.
     */
    public static void write(ByteBuf out, long senderSsrc, int reportCount) {
        RtcpHeader.write(out, reportCount, RtcpType.RR, MIN_LENGTH + reportCount * ReportBlock.LENGTH);
        out.writeInt((int) senderSsrc);
    }
}
