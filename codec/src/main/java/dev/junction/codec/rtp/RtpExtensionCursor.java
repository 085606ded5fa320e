package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Reusable, allocation-free walk over the RFC 8285 header extension elements of a wrapped
 * {@link RtpPacket}.
 *
 * <pre>
 * one-byte form (RFC 8285 §4.2), profile 0xBEDE:     two-byte form (§4.3), profile 0x100X:
 *  0 1 2 3 4 5 6 7                                      0                   1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-                           +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 * |  ID   |  len  | data (len+1 bytes)                 |       ID      |    length     | data (length bytes)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-                           +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 * </pre>
 *
 * A zero id byte is one byte of padding in both forms and is skipped (its length nibble is ignored, as
 * libwebrtc does). In the one-byte form id 15 stops the walk ({@link #stoppedAtReservedId()}). An element
 * running past the extension block stops it too ({@link #malformed()}); the elements before it were
 * returned normally.
 *
 * <pre>{@code
 * if (cursor.reset(rtp)) {
 *     while (cursor.next()) { use(cursor.id(), cursor.dataOffset(), cursor.dataLength()); }
 * }
 * }</pre>
 *
 * <p>Threading and buffers: not thread-safe; reuse one per session on the room's event loop. Reads the
 * packet's buffer at absolute indexes and never retains it.
 */
public final class RtpExtensionCursor {

    private ByteBuf buf;
    private int position;
    private int end;
    private boolean oneByte;
    private boolean malformed;
    private boolean reservedId;

    private int id;
    private int elementOffset;
    private int dataOffset;
    private int dataLength;

    /**
     * Starts a walk over {@code packet}'s extension elements. The packet must have been wrapped
     * successfully.
     *
     * @return false when the packet has no RFC 8285 extension block (X clear or an opaque profile)
     */
    public boolean reset(RtpPacket packet) {
        int kind = packet.extensionKind();
        malformed = false;
        reservedId = false;
        id = 0;
        if (kind != RtpPacket.EXTENSION_ONE_BYTE && kind != RtpPacket.EXTENSION_TWO_BYTE) {
            buf = null;
            position = 0;
            end = 0;
            return false;
        }
        buf = packet.buffer();
        oneByte = kind == RtpPacket.EXTENSION_ONE_BYTE;
        position = packet.extensionDataOffset();
        end = position + packet.extensionDataLength();
        return true;
    }

    /** Advances to the next element; false at the end of the block or when the walk had to stop. */
    public boolean next() {
        while (position < end) {
            int at = position;
            if (oneByte) {
                int b = buf.getUnsignedByte(at);
                int elementId = b >>> 4;
                if (elementId == 0) {
                    position++;
                    continue;
                }
                if (elementId == 15) {
                    reservedId = true;
                    position = end;
                    return false;
                }
                int len = (b & 0x0F) + 1;
                if (len > end - at - 1) {
                    return stopMalformed();
                }
                return set(elementId, at, at + 1, len);
            }
            int elementId = buf.getUnsignedByte(at);
            if (elementId == 0) {
                position++;
                continue;
            }
            if (end - at < 2) {
                return stopMalformed();
            }
            int len = buf.getUnsignedByte(at + 1);
            if (len > end - at - 2) {
                return stopMalformed();
            }
            return set(elementId, at, at + 2, len);
        }
        return false;
    }

    private boolean set(int elementId, int at, int data, int len) {
        id = elementId;
        elementOffset = at;
        dataOffset = data;
        dataLength = len;
        position = data + len;
        return true;
    }

    private boolean stopMalformed() {
        malformed = true;
        position = end;
        return false;
    }

    /** Local id of the current element (1-14 one-byte, 1-255 two-byte). */
    public int id() {
        return id;
    }

    /** Absolute index of the current element's header byte(s). */
    public int elementOffset() {
        return elementOffset;
    }

    /** Absolute index of the current element's data. */
    public int dataOffset() {
        return dataOffset;
    }

    /** Length of the current element's data (1-16 one-byte, 0-255 two-byte). */
    public int dataLength() {
        return dataLength;
    }

    /** Header plus data length of the current element. */
    public int elementLength() {
        return dataOffset - elementOffset + dataLength;
    }

    /** Whether the walk stopped at an element whose length runs past the extension block. */
    public boolean malformed() {
        return malformed;
    }

    /** Whether the walk stopped at a one-byte element with the reserved id 15 (RFC 8285 §4.2). */
    public boolean stoppedAtReservedId() {
        return reservedId;
    }
}
