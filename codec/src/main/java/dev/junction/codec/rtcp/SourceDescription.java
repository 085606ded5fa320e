package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Flyweight over a Source Description packet (RFC 3550 §6.5) with allocation-free iteration over its
 * chunks and items, and a CNAME writer.
 *
 * <pre>
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * chunk  |                          SSRC/CSRC_1                          |
 *   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |    CNAME=1    |     length    | user and domain name        ...
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |  ...items...  |  END=0  | null octets up to the next 32-bit boundary
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * chunk  |                          SSRC/CSRC_2                          |
 *   2    :                              ...                              :
 * </pre>
 *
 * Each chunk's item list ends with at least one null octet (§6.5) and the next chunk starts on a 32-bit
 * boundary. {@link #wrap} walks all SC chunks once and rejects a packet whose chunks or items overrun it
 * or lack the terminator, so the iteration afterwards cannot fail:
 *
 * <pre>{@code
 * while (sdes.nextChunk()) {
 *     long ssrc = sdes.chunkSsrc();
 *     while (sdes.nextItem()) { if (sdes.itemType() == SourceDescription.CNAME) ... }
 * }
 * }</pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class SourceDescription {

    /** SDES item types (RFC 3550 §6.5.1-6.5.8). */
    public static final int END = 0;
    public static final int CNAME = 1;
    public static final int NAME = 2;
    public static final int EMAIL = 3;
    public static final int PHONE = 4;
    public static final int LOC = 5;
    public static final int TOOL = 6;
    public static final int NOTE = 7;
    public static final int PRIV = 8;

    private ByteBuf buf;
    private int offset;
    private int contentEnd;
    private int chunkCount;

    // Iteration state.
    private int chunkIndex;
    private int nextChunkOffset;
    private int itemPosition;
    private long chunkSsrc;
    private int itemType;
    private int itemOffset;
    private int itemLength;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false if it is not a well-formed SDES. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.SDES, -1);
        if (contentEnd < 0) {
            return false;
        }
        int count = RtcpHeader.count(buf, offset);
        int position = offset + RtcpHeader.LENGTH;
        for (int chunk = 0; chunk < count; chunk++) {
            if (contentEnd - position < 4) {
                return false;
            }
            position = skipItems(buf, position + 4, contentEnd);
            if (position < 0) {
                return false;
            }
            position = align(offset, position);
        }
        this.buf = buf;
        this.offset = offset;
        this.contentEnd = contentEnd;
        this.chunkCount = count;
        rewind();
        return true;
    }

    /** Walks items from {@code position} to the null terminator; returns the index after it or -1. */
    private static int skipItems(ByteBuf buf, int position, int contentEnd) {
        while (position < contentEnd) {
            int type = buf.getUnsignedByte(position);
            if (type == END) {
                return position + 1;
            }
            if (contentEnd - position < 2) {
                return -1;
            }
            int length = buf.getUnsignedByte(position + 1);
            if (length > contentEnd - position - 2) {
                return -1;
            }
            position += 2 + length;
        }
        return -1;
    }

    private static int align(int packetOffset, int position) {
        return packetOffset + ((position - packetOffset + 3) & ~3);
    }

    /** Number of chunks (SC). */
    public int chunkCount() {
        return chunkCount;
    }

    /** Restarts the chunk iteration. */
    public void rewind() {
        chunkIndex = -1;
        nextChunkOffset = offset + RtcpHeader.LENGTH;
        itemPosition = -1;
        itemType = END;
    }

    /** Moves to the next chunk; false after the last. */
    public boolean nextChunk() {
        if (chunkIndex + 1 >= chunkCount) {
            itemPosition = -1;
            return false;
        }
        chunkIndex++;
        int at = nextChunkOffset;
        chunkSsrc = buf.getUnsignedInt(at);
        itemPosition = at + 4;
        int chunkEnd = skipItems(buf, itemPosition, contentEnd);
        if (chunkEnd < 0) {
            // Only possible if the buffer changed after wrap(), which validated every chunk.
            chunkIndex = chunkCount;
            itemPosition = -1;
            return false;
        }
        nextChunkOffset = align(offset, chunkEnd);
        return true;
    }

    /** SSRC/CSRC of the current chunk. */
    public long chunkSsrc() {
        return chunkSsrc;
    }

    /** Moves to the next item of the current chunk; false at its terminator. */
    public boolean nextItem() {
        if (itemPosition < 0) {
            return false;
        }
        int type = buf.getUnsignedByte(itemPosition);
        if (type == END) {
            itemPosition = -1;
            return false;
        }
        itemType = type;
        itemLength = buf.getUnsignedByte(itemPosition + 1);
        itemOffset = itemPosition + 2;
        itemPosition = itemOffset + itemLength;
        return true;
    }

    /** Type of the current item ({@link #CNAME}, ...). */
    public int itemType() {
        return itemType;
    }

    /** Absolute index of the current item's text. */
    public int itemOffset() {
        return itemOffset;
    }

    /** Length of the current item's text in bytes (0-255). */
    public int itemLength() {
        return itemLength;
    }

    /** The current item's text decoded as UTF-8. Allocates: for the control plane and logs, not per packet. */
    public String itemText() {
        return buf.toString(itemOffset, itemLength, StandardCharsets.UTF_8);
    }

    /**
     * Writes an SDES packet with one chunk holding a single CNAME item (RFC 3550 §6.5.1), what an RTP
     * endpoint sends in every compound packet.
     *
     * @param cname the CNAME's UTF-8 bytes, at most 255
     */
    public static void writeCname(ByteBuf out, long ssrc, byte[] cname) {
        if (cname.length > 255) {
            throw new IllegalArgumentException("CNAME longer than 255 bytes");
        }
        // SSRC + type + length + text + at least one null octet, rounded up to 32 bits.
        int chunkLength = (4 + 2 + cname.length + 1 + 3) & ~3;
        RtcpHeader.write(out, 1, RtcpType.SDES, RtcpHeader.LENGTH + chunkLength);
        out.writeInt((int) ssrc);
        out.writeByte(CNAME);
        out.writeByte(cname.length);
        out.writeBytes(cname);
        out.writeZero(chunkLength - 4 - 2 - cname.length);
    }
}
