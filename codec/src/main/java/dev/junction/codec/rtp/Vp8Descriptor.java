package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * The VP8 payload descriptor (RFC 7741 §4.2) of one RTP payload, as an SFU needs it to forward a subset of a
 * temporally layered stream: where the frame starts, whether it is a keyframe, its picture id, TL0PICIDX, temporal
 * layer index (TID) and layer-sync bit (Y), and where in the payload the first two sit, so a forwarder can rewrite them
 * in its copy.
 *
 * <pre>
 *      0 1 2 3 4 5 6 7
 *     +-+-+-+-+-+-+-+-+
 *     |X|R|N|S|R| PID | (required)
 *     +-+-+-+-+-+-+-+-+
 * X:  |I|L|T|K| RSV   | (optional)
 *     +-+-+-+-+-+-+-+-+
 * I:  |M| PictureID   | (optional; M=1: 15 bits over two bytes)
 *     +-+-+-+-+-+-+-+-+
 * L:  |   TL0PICIDX   | (optional)
 *     +-+-+-+-+-+-+-+-+
 * T/K:|TID|Y| KEYIDX  | (optional)
 *     +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A flyweight (STYLE): one instance reused; {@link #parse} reads the buffer at absolute indexes and never moves
 * its indexes. Absent fields read as {@link #ABSENT}.
 */
public final class Vp8Descriptor {
    /** A field the descriptor does not carry. */
    public static final int ABSENT = -1;

    private boolean frameStart;
    private boolean keyframe;
    private int pictureId;
    private int pictureIdBits;
    private int pictureIdAt;
    private int tl0PicIdx;
    private int tl0PicIdxAt;
    private int temporalLayer;
    private boolean layerSync;

    /**
     * Reads the descriptor of the VP8 payload at {@code buf[offset, offset + length)}.
     *
     * @return false when the payload is too short for the descriptor it announces (the fields are then all absent)
     */
    public boolean parse(ByteBuf buf, int offset, int length) {
        absent();
        if (length <= 0) return false;
        int end = offset + length;
        int b0 = buf.getUnsignedByte(offset);
        int i = offset + 1;
        if ((b0 & 0x80) != 0) {
            if (i >= end) return false;
            int x = buf.getUnsignedByte(i++);
            if ((x & 0x80) != 0) {
                if (i >= end) return false;
                int m = buf.getUnsignedByte(i);
                if ((m & 0x80) != 0) {
                    if (i + 1 >= end) return false;
                    pictureId = ((m & 0x7F) << 8) | buf.getUnsignedByte(i + 1);
                    pictureIdBits = 15;
                    pictureIdAt = i - offset;
                    i += 2;
                } else {
                    pictureId = m;
                    pictureIdBits = 7;
                    pictureIdAt = i - offset;
                    i++;
                }
            }
            if ((x & 0x40) != 0) {
                if (i >= end) return !absent(); // cut short: nothing half-read is reported
                tl0PicIdx = buf.getUnsignedByte(i);
                tl0PicIdxAt = i - offset;
                i++;
            }
            if ((x & 0x30) != 0) {
                if (i >= end) return !absent();
                int t = buf.getUnsignedByte(i++);
                if ((x & 0x20) != 0) {
                    temporalLayer = t >>> 6;
                    layerSync = (t & 0x20) != 0;
                }
            }
        }
        frameStart = (b0 & 0x10) != 0 && (b0 & 0x07) == 0;
        keyframe = frameStart && i < end && (buf.getUnsignedByte(i) & 0x01) == 0;
        return true;
    }

    /** Sets every field to absent (nothing half-read is ever reported); always true. */
    private boolean absent() {
        pictureId = ABSENT;
        pictureIdBits = 0;
        pictureIdAt = ABSENT;
        tl0PicIdx = ABSENT;
        tl0PicIdxAt = ABSENT;
        temporalLayer = ABSENT;
        layerSync = false;
        frameStart = false;
        keyframe = false;
        return true;
    }

    /** The first packet of a frame: S=1 with partition index 0. */
    public boolean frameStart() {
        return frameStart;
    }

    /** The first packet of a keyframe (the VP8 payload header's P=0, RFC 7741 §4.3). */
    public boolean keyframe() {
        return keyframe;
    }

    /** The picture id (7 or 15 bits), or {@link #ABSENT}. */
    public int pictureId() {
        return pictureId;
    }

    /** 7 or 15; 0 without a picture id. */
    public int pictureIdBits() {
        return pictureIdBits;
    }

    /** Where the picture id starts, from the start of the payload, or {@link #ABSENT}. */
    public int pictureIdOffset() {
        return pictureIdAt;
    }

    /** TL0PICIDX, or {@link #ABSENT}. */
    public int tl0PicIdx() {
        return tl0PicIdx;
    }

    /** Where TL0PICIDX sits, from the start of the payload, or {@link #ABSENT}. */
    public int tl0PicIdxOffset() {
        return tl0PicIdxAt;
    }

    /** The temporal layer index (TID, 0-3), or {@link #ABSENT} when the T bit is not set. */
    public int temporalLayer() {
        return temporalLayer;
    }

    /** The Y bit: this frame depends only on frames of temporal layer 0 (a point to switch up at). */
    public boolean layerSync() {
        return layerSync;
    }

    /**
     * Writes picture id {@code value} (taken modulo 2^bits) over the {@code bits}-bit field at {@code at}, keeping
     * the M bit of a 15-bit field.
     */
    public static void writePictureId(ByteBuf buf, int at, int bits, int value) {
        if (bits == 15) {
            buf.setByte(at, 0x80 | ((value >>> 8) & 0x7F));
            buf.setByte(at + 1, value & 0xFF);
        } else {
            buf.setByte(at, value & 0x7F);
        }
    }

    /** Writes TL0PICIDX {@code value} (modulo 256) at {@code at}. */
    public static void writeTl0PicIdx(ByteBuf buf, int at, int value) {
        buf.setByte(at, value & 0xFF);
    }
}
