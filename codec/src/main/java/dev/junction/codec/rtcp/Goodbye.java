package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Flyweight over a Goodbye packet (RFC 3550 §6.6), and its writer.
 *
 * <pre>
 *        0                   1                   2                   3
 *        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |                           SSRC/CSRC                           |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       :                              ...                              :
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * (opt) |     length    |               reason for leaving            ...
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The reason is present when bytes follow the SC sources; its length octet must fit the packet, and the
 * null octets padding it to 32 bits are ignored. A zero length octet means no reason.
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class Goodbye {

    private ByteBuf buf;
    private int offset;
    private int sourceCount;
    private int reasonLength;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false if it is not a well-formed BYE. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.BYE, -1);
        if (contentEnd < 0) {
            return false;
        }
        int count = RtcpHeader.count(buf, offset);
        int sourcesEnd = offset + RtcpHeader.LENGTH + 4 * count;
        if (sourcesEnd > contentEnd) {
            return false;
        }
        int reason = 0;
        if (sourcesEnd < contentEnd) {
            reason = buf.getUnsignedByte(sourcesEnd);
            if (reason > contentEnd - sourcesEnd - 1) {
                return false;
            }
        }
        this.buf = buf;
        this.offset = offset;
        this.sourceCount = count;
        this.reasonLength = reason;
        return true;
    }

    /** Number of SSRC/CSRCs leaving (SC). */
    public int sourceCount() {
        return sourceCount;
    }

    /** Source {@code index} (below {@link #sourceCount()}). */
    public long source(int index) {
        Objects.checkIndex(index, sourceCount);
        return buf.getUnsignedInt(offset + RtcpHeader.LENGTH + 4 * index);
    }

    public boolean hasReason() {
        return reasonLength > 0;
    }

    /** Absolute index of the reason text. */
    public int reasonOffset() {
        return offset + RtcpHeader.LENGTH + 4 * sourceCount + 1;
    }

    /** Length of the reason text in bytes; 0 when there is none. */
    public int reasonLength() {
        return reasonLength;
    }

    /** The reason decoded as UTF-8, or "" when absent. Allocates: control plane and logs only. */
    public String reasonText() {
        return reasonLength == 0 ? "" : buf.toString(reasonOffset(), reasonLength, StandardCharsets.UTF_8);
    }

    /**
     * Writes a BYE for {@code sources[0, count)} (at most 31) with an optional reason (UTF-8, at most
     * 255 bytes; null for none), null-padded to 32 bits.
     */
    public static void write(ByteBuf out, long[] sources, int count, byte[] reason) {
        if (count < 0 || count > 31 || count > sources.length) {
            throw new IllegalArgumentException("BYE carries 0-31 sources: " + count);
        }
        if (reason != null && reason.length > 255) {
            throw new IllegalArgumentException("BYE reason longer than 255 bytes");
        }
        int reasonBytes = reason == null ? 0 : (1 + reason.length + 3) & ~3;
        RtcpHeader.write(out, count, RtcpType.BYE, RtcpHeader.LENGTH + 4 * count + reasonBytes);
        for (int i = 0; i < count; i++) {
            out.writeInt((int) sources[i]);
        }
        if (reason != null) {
            out.writeByte(reason.length);
            out.writeBytes(reason);
            out.writeZero(reasonBytes - 1 - reason.length);
        }
    }
}
