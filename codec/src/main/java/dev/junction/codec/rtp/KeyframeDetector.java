package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Whether an RTP packet's payload starts a keyframe, per video codec: what an SFU needs to switch a subscriber
 * to another simulcast layer without handing its decoder a delta frame it cannot decode.
 * <ul>
 *   <li>VP8 (RFC 7741 §4.2, §4.3): the start of partition 0 (S=1, PID=0) whose payload header has P=0;</li>
 *   <li>VP9 (RFC 9628 §4.2): the start of a frame (B=1) that is not inter-predicted (P=0);</li>
 *   <li>H.264 (RFC 6184 §5): an IDR slice (type 5) or a parameter set (SPS 7) that precedes one, alone, in a
 *       STAP-A, or as the start of an FU-A;</li>
 *   <li>H.265 (RFC 7798 §4.4): an IRAP picture (types 16-21) or a VPS/SPS (32, 33), alone, in an aggregation
 *       packet (48) or as the start of a fragmentation unit (49);</li>
 *   <li>AV1 (the AOM RTP payload format §4.4): the aggregation header's N bit, the first packet of a coded video
 *       sequence.</li>
 * </ul>
 * Anything else, or a payload too short to tell, is not a keyframe; a codec it does not know is
 * {@link #UNKNOWN_CODEC}, for which the caller decides.
 *
 * <p>Stateless; reads the buffer at absolute indexes and never moves its indexes.
 */
public final class KeyframeDetector {

    /** A codec this class cannot read. */
    public static final int UNKNOWN_CODEC = 0;
    public static final int VP8 = 1;
    public static final int VP9 = 2;
    public static final int H264 = 3;
    public static final int H265 = 4;
    public static final int AV1 = 5;

    private KeyframeDetector() {
    }

    /** The constant for codec {@code name} (an SDP encoding name such as {@code VP8}), else {@link #UNKNOWN_CODEC}. */
    public static int codecOf(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "VP8" -> VP8;
            case "VP9" -> VP9;
            case "H264" -> H264;
            case "H265" -> H265;
            case "AV1" -> AV1;
            default -> UNKNOWN_CODEC;
        };
    }

    /** Whether {@code rtp}'s payload starts a keyframe of {@code codec}. */
    public static boolean isKeyframeStart(int codec, RtpPacket rtp) {
        return isKeyframeStart(codec, rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength());
    }

    /** Whether the payload at {@code buf[offset, offset + length)} starts a keyframe of {@code codec}. */
    public static boolean isKeyframeStart(int codec, ByteBuf buf, int offset, int length) {
        if (length <= 0) return false;
        return switch (codec) {
            case VP8 -> vp8(buf, offset, length);
            case VP9 -> (buf.getUnsignedByte(offset) & 0x48) == 0x08; // P=0, B=1
            case H264 -> h264(buf, offset, length);
            case H265 -> h265(buf, offset, length);
            case AV1 -> (buf.getUnsignedByte(offset) & 0x08) != 0;
            default -> false;
        };
    }

    private static boolean vp8(ByteBuf buf, int offset, int length) {
        int b0 = buf.getUnsignedByte(offset);
        if ((b0 & 0x10) == 0 || (b0 & 0x07) != 0) return false; // not S=1 with PID=0
        int i = offset + 1;
        int end = offset + length;
        if ((b0 & 0x80) != 0) { // X: the extension byte
            if (i >= end) return false;
            int x = buf.getUnsignedByte(i++);
            if ((x & 0x80) != 0) { // I: picture id, 7 or 15 bits
                if (i >= end) return false;
                i += (buf.getUnsignedByte(i) & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) i++; // L: TL0PICIDX
            if ((x & 0x30) != 0) i++; // T or K: TID/Y/KEYIDX
        }
        return i < end && (buf.getUnsignedByte(i) & 0x01) == 0; // VP8 payload header P=0: a key frame
    }

    private static boolean h264(ByteBuf buf, int offset, int length) {
        int type = buf.getUnsignedByte(offset) & 0x1F;
        if (type == 5 || type == 7) return true;
        if (type == 24) { // STAP-A: 16-bit size, then the NAL unit
            int i = offset + 1;
            int end = offset + length;
            while (i + 2 < end) {
                int size = buf.getUnsignedShort(i);
                int nal = buf.getUnsignedByte(i + 2) & 0x1F;
                if (nal == 5 || nal == 7) return true;
                i += 2 + size;
            }
            return false;
        }
        if (type == 28 && length >= 2) { // FU-A: the start of a fragmented IDR slice
            int header = buf.getUnsignedByte(offset + 1);
            return (header & 0x80) != 0 && (header & 0x1F) == 5;
        }
        return false;
    }

    private static boolean h265(ByteBuf buf, int offset, int length) {
        if (length < 2) return false;
        int type = (buf.getUnsignedByte(offset) >> 1) & 0x3F;
        if (isH265Key(type)) return true;
        if (type == 48) { // aggregation packet: 2-byte header, then 16-bit size + NAL unit each
            int i = offset + 2;
            int end = offset + length;
            while (i + 2 < end) {
                int size = buf.getUnsignedShort(i);
                if (isH265Key((buf.getUnsignedByte(i + 2) >> 1) & 0x3F)) return true;
                i += 2 + size;
            }
            return false;
        }
        if (type == 49 && length >= 3) { // fragmentation unit: S bit and the fragmented type
            int header = buf.getUnsignedByte(offset + 2);
            return (header & 0x80) != 0 && isH265Key(header & 0x3F);
        }
        return false;
    }

    private static boolean isH265Key(int type) {
        return (type >= 16 && type <= 21) || type == 32 || type == 33;
    }
}
