package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over one RTP packet (RFC 3550 §5.1) in a {@link ByteBuf}: reads and rewrites header fields
 * and RFC 8285 header extensions in place, at absolute indexes, without allocating.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |  X=1 (RFC 3550 §5.3.1)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        header extension                       |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            payload                            |
 * |                               +-------------------------------+
 * |                               | padding ...   | padding count |  P=1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Header extensions: "defined by profile" {@code 0xBEDE} selects the RFC 8285 §4.2 one-byte form
 * (ids 1-14, 1-16 data bytes), {@code 0x100X} the §4.3 two-byte form (ids 1-255, 0-255 data bytes; the
 * low four bits X are "appbits", {@link #extensionAppBits()}). Any other profile is an opaque RFC 3550
 * extension: it is skipped correctly, but {@link #findExtension} finds nothing in it. Zero bytes between
 * and after elements are padding. A one-byte element with id 15 ends the walk (§4.2: its length is
 * ignored and only the elements before it count). An element whose length overruns the extension block
 * ends the walk too, and the packet is still accepted: the extension block's own length is intact, so
 * the payload boundary is known.
 *
 * <p>Use: {@code if (!rtp.wrap(buf, off, len)) drop(rtp.error());}. {@link #wrap} validates the fixed
 * header, CSRC list, extension length and padding; afterwards every accessor stays within
 * {@code [offset, offset + length)}. Setters write into the buffer and need it to be writable. After a
 * failed wrap the accessors must not be used.
 *
 * <p>Threading and buffers: not thread-safe; one instance per session, reused for every packet on the
 * room's event loop. The flyweight borrows the buffer: it never retains, releases or moves the reader
 * index. The caller owns the buffer and must not release it while the flyweight is in use.
 */
public final class RtpPacket {

    /** RTP version carried in the top two bits (RFC 3550 §5.1). */
    public static final int VERSION = 2;
    /** Size of the fixed header before the CSRC list. */
    public static final int FIXED_HEADER_LENGTH = 12;
    /** "Defined by profile" value of the RFC 8285 §4.2 one-byte header form. */
    public static final int PROFILE_ONE_BYTE = 0xBEDE;
    /** "Defined by profile" value of the RFC 8285 §4.3 two-byte form, with the appbits nibble zero. */
    public static final int PROFILE_TWO_BYTE = 0x1000;
    /** Largest id a one-byte element can carry; 15 is reserved (RFC 8285 §4.2). */
    public static final int ONE_BYTE_MAX_ID = 14;
    /** Returned by {@link #findExtension} when there is no element with that id. */
    public static final long NOT_FOUND = -1L;

    static final int EXTENSION_NONE = 0;
    static final int EXTENSION_ONE_BYTE = 1;
    static final int EXTENSION_TWO_BYTE = 2;
    static final int EXTENSION_OPAQUE = 3;

    // Passed by wrap().
    private ByteBuf buf;
    private int offset;
    private int length;

    // Derived by wrap().
    private int headerLength;
    private int extensionKind;
    private int extensionProfile;
    private int extensionDataOffset;
    private int extensionDataLength;
    private int paddingLength;
    private RtpParseError error = RtpParseError.NONE;

    // Allocated by this: the walker behind findExtension and rewriteExtensionIds.
    private final RtpExtensionCursor cursor = new RtpExtensionCursor();

    /**
     * Points this flyweight at the packet in {@code buf[offset, offset + length)} and validates its
     * structure. Never throws on malformed input.
     *
     * @return true if the packet is well formed; otherwise {@link #error()} says why
     */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.headerLength = 0;
        this.extensionKind = EXTENSION_NONE;
        this.extensionProfile = -1;
        this.extensionDataOffset = 0;
        this.extensionDataLength = 0;
        this.paddingLength = 0;
        if (buf == null || offset < 0 || length < 0 || offset > buf.writerIndex() - length) {
            return fail(RtpParseError.OUT_OF_BOUNDS);
        }
        if (length < FIXED_HEADER_LENGTH) {
            return fail(RtpParseError.TRUNCATED);
        }
        int b0 = buf.getUnsignedByte(offset);
        if ((b0 >>> 6) != VERSION) {
            return fail(RtpParseError.BAD_VERSION);
        }
        int header = FIXED_HEADER_LENGTH + 4 * (b0 & 0x0F);
        if (header > length) {
            return fail(RtpParseError.TRUNCATED);
        }
        if ((b0 & 0x10) != 0) {
            if (header + 4 > length) {
                return fail(RtpParseError.BAD_EXTENSION_LENGTH);
            }
            int profile = buf.getUnsignedShort(offset + header);
            int dataLength = 4 * buf.getUnsignedShort(offset + header + 2);
            if (dataLength > length - header - 4) {
                return fail(RtpParseError.BAD_EXTENSION_LENGTH);
            }
            extensionProfile = profile;
            extensionDataOffset = offset + header + 4;
            extensionDataLength = dataLength;
            if (profile == PROFILE_ONE_BYTE) {
                extensionKind = EXTENSION_ONE_BYTE;
            } else if ((profile & 0xFFF0) == PROFILE_TWO_BYTE) {
                extensionKind = EXTENSION_TWO_BYTE;
            } else {
                extensionKind = EXTENSION_OPAQUE;
            }
            header += 4 + dataLength;
        }
        if ((b0 & 0x20) != 0) {
            // RFC 3550 §5.1: the last octet counts the padding including itself, so 0 is invalid.
            int padding = buf.getUnsignedByte(offset + length - 1);
            if (padding == 0 || padding > length - header) {
                return fail(RtpParseError.BAD_PADDING);
            }
            paddingLength = padding;
        }
        headerLength = header;
        error = RtpParseError.NONE;
        return true;
    }

    private boolean fail(RtpParseError reason) {
        error = reason;
        return false;
    }

    /** Why the last {@link #wrap} failed, or {@link RtpParseError#NONE} after a successful one. */
    public RtpParseError error() {
        return error;
    }

    /** The wrapped buffer (borrowed, never retained). */
    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the packet's first byte. */
    public int offset() {
        return offset;
    }

    /** Whole packet length in bytes, header, payload and padding. */
    public int length() {
        return length;
    }

    public int version() {
        return buf.getUnsignedByte(offset) >>> 6;
    }

    public boolean hasPadding() {
        return (buf.getByte(offset) & 0x20) != 0;
    }

    public boolean hasExtension() {
        return (buf.getByte(offset) & 0x10) != 0;
    }

    public int csrcCount() {
        return buf.getByte(offset) & 0x0F;
    }

    /** CSRC number {@code index} (0-based, below {@link #csrcCount()}), unsigned. */
    public long csrc(int index) {
        Objects.checkIndex(index, csrcCount());
        return buf.getUnsignedInt(offset + FIXED_HEADER_LENGTH + 4 * index);
    }

    public boolean marker() {
        return (buf.getByte(offset + 1) & 0x80) != 0;
    }

    public int payloadType() {
        return buf.getByte(offset + 1) & 0x7F;
    }

    public int sequenceNumber() {
        return buf.getUnsignedShort(offset + 2);
    }

    /** RTP timestamp, unsigned 32-bit. */
    public long timestamp() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** SSRC, unsigned 32-bit. */
    public long ssrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** Bytes from the packet start to the payload: fixed header, CSRCs and the whole extension block. */
    public int headerLength() {
        return headerLength;
    }

    /** Absolute index of the first payload byte. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    /** Payload length with the padding removed; 0 for a padding-only packet. */
    public int payloadLength() {
        return length - headerLength - paddingLength;
    }

    /** Number of padding bytes at the end, including the count byte; 0 when P is clear. */
    public int paddingLength() {
        return paddingLength;
    }

    /** The extension's "defined by profile" field, or -1 when X is clear. */
    public int extensionProfile() {
        return extensionProfile;
    }

    /** Whether the extension block uses the RFC 8285 one-byte form ({@code 0xBEDE}). */
    public boolean hasOneByteExtensions() {
        return extensionKind == EXTENSION_ONE_BYTE;
    }

    /** Whether the extension block uses the RFC 8285 two-byte form ({@code 0x100X}). */
    public boolean hasTwoByteExtensions() {
        return extensionKind == EXTENSION_TWO_BYTE;
    }

    /** The four application bits of a two-byte extension profile (RFC 8285 §4.3), else 0. */
    public int extensionAppBits() {
        return extensionKind == EXTENSION_TWO_BYTE ? extensionProfile & 0x0F : 0;
    }

    /** Absolute index of the extension data, just after the 4-byte extension header; 0 when X is clear. */
    public int extensionDataOffset() {
        return extensionDataOffset;
    }

    /** Length of the extension data in bytes (a multiple of 4), excluding its 4-byte header. */
    public int extensionDataLength() {
        return extensionDataLength;
    }

    int extensionKind() {
        return extensionKind;
    }

    /**
     * Finds the first RFC 8285 element with {@code id}.
     *
     * @return {@link #NOT_FOUND}, or the element's data packed as {@code (absoluteOffset << 32) | length};
     *         unpack with {@link #foundOffset} and {@link #foundLength}. A two-byte element can have
     *         length 0, which is still distinct from {@link #NOT_FOUND}.
     */
    public long findExtension(int id) {
        if (id <= 0 || !cursor.reset(this)) {
            return NOT_FOUND;
        }
        while (cursor.next()) {
            if (cursor.id() == id) {
                return ((long) cursor.dataOffset() << 32) | cursor.dataLength();
            }
        }
        return NOT_FOUND;
    }

    /** Absolute data offset from a {@link #findExtension} result other than {@link #NOT_FOUND}. */
    public static int foundOffset(long found) {
        return (int) (found >>> 32);
    }

    /** Data length from a {@link #findExtension} result other than {@link #NOT_FOUND}. */
    public static int foundLength(long found) {
        return (int) found;
    }

    public void setMarker(boolean marker) {
        int b1 = buf.getByte(offset + 1);
        buf.setByte(offset + 1, marker ? b1 | 0x80 : b1 & 0x7F);
    }

    /** Sets the 7-bit payload type, keeping the marker bit. */
    public void setPayloadType(int payloadType) {
        int b1 = buf.getByte(offset + 1);
        buf.setByte(offset + 1, (b1 & 0x80) | (payloadType & 0x7F));
    }

    public void setSequenceNumber(int sequenceNumber) {
        buf.setShort(offset + 2, sequenceNumber);
    }

    public void setTimestamp(long timestamp) {
        buf.setInt(offset + 4, (int) timestamp);
    }

    public void setSsrc(long ssrc) {
        buf.setInt(offset + 8, (int) ssrc);
    }

    /**
     * Rewrites every RFC 8285 element's id in place through {@code idMap}: the element with id {@code i}
     * gets id {@code idMap[i] & 0xFF}. This is how a Consumer turns the publisher's {@code a=extmap} ids
     * into its subscriber's. The map is indexed by the old id, so {@code new byte[15]} covers the one-byte
     * form and {@code new byte[256]} both forms; ids beyond the array count as unmapped.
     *
     * <p>Elements that cannot be forwarded are removed without moving any byte: the element (header and
     * data) is overwritten with zero bytes, which RFC 8285 §4.1 defines as padding, so the extension
     * block's length, the payload offset and the SRTP tail room stay unchanged. That happens when
     * <ul>
     *   <li>the old id maps to 0 (the subscriber did not negotiate that extension), or</li>
     *   <li>the packet uses the one-byte form and the new id is above 14: a one-byte element has only
     *       four id bits and 15 is reserved (RFC 8285 §4.2), and switching the whole block to the two-byte
     *       form would grow the packet. Negotiate ids 1-14 for one-byte subscribers, or this extension is
     *       lost on that leg.</li>
     * </ul>
     * Elements after a one-byte id 15 or after a malformed element are left untouched: the receiver stops
     * reading at the same place. Opaque (non-RFC 8285) extension blocks are not changed.
     *
     * @return the number of elements removed (blanked to padding)
     */
    public int rewriteExtensionIds(byte[] idMap) {
        return rewriteExtensionIdsInto(buf, offset, idMap);
    }

    /**
     * As {@link #rewriteExtensionIds}, applied to a byte-for-byte copy of this packet's header that starts at
     * {@code targetOffset} of {@code target} (the copy a forwarder makes per subscriber), without parsing the copy
     * again: the elements are found in this packet and rewritten at the same relative positions in the copy.
     * This packet is only read.
     *
     * @return the number of elements removed (blanked to padding) in the copy
     */
    public int rewriteExtensionIdsInto(ByteBuf target, int targetOffset, byte[] idMap) {
        if (!cursor.reset(this)) {
            return 0;
        }
        boolean oneByte = extensionKind == EXTENSION_ONE_BYTE;
        int shift = targetOffset - offset;
        int removed = 0;
        while (cursor.next()) {
            int oldId = cursor.id();
            int newId = oldId < idMap.length ? idMap[oldId] & 0xFF : 0;
            int at = cursor.elementOffset() + shift;
            if (oneByte) {
                if (newId != 0 && newId <= ONE_BYTE_MAX_ID) {
                    target.setByte(at, (newId << 4) | (buf.getByte(cursor.elementOffset()) & 0x0F));
                    continue;
                }
            } else if (newId != 0) {
                target.setByte(at, newId);
                continue;
            }
            target.setZero(at, cursor.elementLength());
            removed++;
        }
        return removed;
    }

    /**
     * Writes a copy of this packet's header at {@code out}'s writer index with one RFC 8285 element added: id
     * {@code id}, {@code dataLength} data bytes, zeroed for the caller to fill (a forwarder's transport-wide sequence
     * number on a leg whose publisher did not send one). The caller then appends the payload and padding
     * ({@code length() - headerLength()} bytes from {@link #payloadOffset()}). This packet is only read.
     *
     * <ul>
     *   <li>No extension block: a new one, one-byte form ({@code 0xBEDE}) when the id and length fit it (§4.2), else the
     *       two-byte form (§4.3); X is set in the copy.</li>
     *   <li>An RFC 8285 block: the element goes right after the last element, into the block's trailing padding when
     *       there is room (the copy is then as long as the original), else the block grows by whole 32-bit words.
     *       The existing elements keep their positions relative to the packet start, so
     *       {@link #rewriteExtensionIdsInto} applies to the copy unchanged.</li>
     * </ul>
     * Nothing is written, and -1 returned, when the element cannot be added without changing the block's form: a
     * one-byte block and an id above 14 or more than 16 bytes; an opaque (non-RFC 8285) block; a block whose walk
     * stops early (a one-byte id 15, a malformed element), where a receiver would never read the new element.
     *
     * @return the absolute index in {@code out} of the new element's data, or -1
     */
    public int writeHeaderWithExtension(ByteBuf out, int id, int dataLength) {
        int start = out.writerIndex();
        boolean fitsOneByte = id >= 1 && id <= ONE_BYTE_MAX_ID && dataLength >= 1 && dataLength <= 16;
        boolean fitsTwoByte = id >= 1 && id <= 255 && dataLength >= 0 && dataLength <= 255;
        if (extensionKind == EXTENSION_NONE) {
            if (!fitsTwoByte) return -1;
            int element = fitsOneByte ? 1 + dataLength : 2 + dataLength;
            int words = (element + 3) / 4;
            out.writeBytes(buf, offset, headerLength);
            out.setByte(start, buf.getByte(offset) | 0x10);
            out.writeShort(fitsOneByte ? PROFILE_ONE_BYTE : PROFILE_TWO_BYTE);
            out.writeShort(words);
            if (fitsOneByte) {
                out.writeByte((id << 4) | (dataLength - 1));
            } else {
                out.writeByte(id);
                out.writeByte(dataLength);
            }
            int dataAt = out.writerIndex();
            out.writeZero(4 * words - (dataAt - start - headerLength - 4));
            return dataAt;
        }
        boolean oneByte = extensionKind == EXTENSION_ONE_BYTE;
        if (extensionKind == EXTENSION_OPAQUE || (oneByte ? !fitsOneByte : !fitsTwoByte) || !cursor.reset(this)) return -1;
        int lastEnd = extensionDataOffset;
        while (cursor.next()) lastEnd = cursor.dataOffset() + cursor.dataLength();
        if (cursor.malformed() || cursor.stoppedAtReservedId()) return -1;
        int blockEnd = extensionDataOffset + extensionDataLength;
        int element = oneByte ? 1 + dataLength : 2 + dataLength;
        int grow = (Math.max(0, element - (blockEnd - lastEnd)) + 3) & ~3;
        if (extensionDataLength + grow > 4 * 0xFFFF) return -1;
        out.writeBytes(buf, offset, lastEnd - offset);
        if (oneByte) {
            out.writeByte((id << 4) | (dataLength - 1));
        } else {
            out.writeByte(id);
            out.writeByte(dataLength);
        }
        int dataAt = out.writerIndex();
        out.writeZero(blockEnd + grow - offset - (dataAt - start));
        out.setShort(start + (extensionDataOffset - offset) - 2, (extensionDataLength + grow) / 4);
        return dataAt;
    }

    /**
     * Writes SSRC, sequence number, timestamp and payload type (keeping the marker bit) into the fixed header
     * of the RTP packet at {@code offset} of {@code buf}, which must hold at least {@link #FIXED_HEADER_LENGTH}
     * bytes there: a forwarder's rewrite of its copy of a packet that already parsed, with no second parse.
     */
    public static void rewriteHeader(ByteBuf buf, int offset, long ssrc, int sequenceNumber, long timestamp, int payloadType) {
        int b1 = buf.getByte(offset + 1);
        buf.setByte(offset + 1, (b1 & 0x80) | (payloadType & 0x7F));
        buf.setShort(offset + 2, sequenceNumber);
        buf.setInt(offset + 4, (int) timestamp);
        buf.setInt(offset + 8, (int) ssrc);
    }

    @Override
    public String toString() {
        if (buf == null || error != RtpParseError.NONE) {
            return "RtpPacket[invalid: " + error + "]";
        }
        return "RtpPacket[pt=" + payloadType() + " seq=" + sequenceNumber() + " ts=" + timestamp()
                + " ssrc=" + ssrc() + " m=" + marker() + " header=" + headerLength
                + " payload=" + payloadLength() + " padding=" + paddingLength + "]";
    }
}
