package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over a Sender Report (RFC 3550 §6.4.1), and its writer.
 *
 * <pre>
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         SSRC of sender                        |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |
 * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |             NTP timestamp, least significant word             |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         RTP timestamp                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     sender's packet count                     |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      sender's octet count                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 SSRC_1 (SSRC of first source)                 |
 * block  :                      ... ({@link ReportBlock})                :
 *   1    +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        :                  profile-specific extensions                  :
 * </pre>
 *
 * {@link #wrap} checks that the RC report blocks fit; profile-specific extensions after them are ignored.
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class SenderReport {

    /** Header, sender SSRC and sender info, before the report blocks. */
    public static final int MIN_LENGTH = 28;

    private ByteBuf buf;
    private int offset;
    private int reportCount;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false if it is not a well-formed SR. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.SR, -1);
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

    /** The 64-bit NTP timestamp: seconds since 1900 in the high word, a binary fraction in the low. */
    public long ntpTimestamp() {
        return buf.getLong(offset + 8);
    }

    /** The middle 32 bits of the NTP timestamp, which a receiver echoes as LSR (RFC 3550 §6.4.1). */
    public long compactNtp() {
        return buf.getUnsignedInt(offset + 10);
    }

    /** The RTP timestamp corresponding to {@link #ntpTimestamp()}. */
    public long rtpTimestamp() {
        return buf.getUnsignedInt(offset + 16);
    }

    public long packetCount() {
        return buf.getUnsignedInt(offset + 20);
    }

    public long octetCount() {
        return buf.getUnsignedInt(offset + 24);
    }

    /** Number of report blocks (RC). */
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
     * Writes the SR header and sender info at the writer index. The caller then writes exactly
     * {@code reportCount} (0-31) blocks with {@link ReportBlock#write}; the length field already counts
     * them.
     */
    public static void write(ByteBuf out, long senderSsrc, long ntpTimestamp, long rtpTimestamp, long packetCount,
                             long octetCount, int reportCount) {
        RtcpHeader.write(out, reportCount, RtcpType.SR, MIN_LENGTH + reportCount * ReportBlock.LENGTH);
        out.writeInt((int) senderSsrc);
        out.writeLong(ntpTimestamp);
        out.writeInt((int) rtpTimestamp);
        out.writeInt((int) packetCount);
        out.writeInt((int) octetCount);
    }
}
