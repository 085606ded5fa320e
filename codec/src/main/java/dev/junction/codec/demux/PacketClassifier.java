package dev.junction.codec.demux;

import io.netty.buffer.ByteBuf;

/**
 * Classifies a datagram arriving on a bundled media port by its first byte (RFC 7983 §7), and splits
 * RTP from RTCP by the second (RFC 5761 §4).
 *
 * <pre>
 *                 +----------------+
 *                 |        [0..3] -+--&gt; STUN
 *                 |      [16..19] -+--&gt; ZRTP           (OTHER)
 *     packet --&gt;  |      [20..63] -+--&gt; DTLS
 *                 |      [64..79] -+--&gt; TURN channel   (OTHER)
 *                 |    [128..191] -+--&gt; RTP / RTCP
 *                 +----------------+
 *
 *  RTP and RTCP share the top bits "10" (version 2); the second byte is the RTP marker bit and
 *  payload type, or the RTCP packet type:
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V=2|P|X|  CC   |M|     PT      |   RTP
 *  |V=2|P|   RC    |   PT (RTCP)   |   RTCP: 192..223 (SR 200, RR 201, ..., RTPFB 205, PSFB 206)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * RFC 5761 §4 keeps RTP payload types 64..95 free so that M+PT never falls into 192..223.
 * The classifier only routes; each parser still validates lengths. Stateless, allocation-free,
 * never throws, and only reads the buffer (no index moves, no release).
 */
public final class PacketClassifier {

    private PacketClassifier() {
    }

    /**
     * The kind of the datagram in {@code [offset, offset + length)} of {@code buf}; {@link PacketKind#OTHER}
     * for an empty datagram, a one-byte RTP/RTCP candidate, or a range outside the buffer's written bytes.
     */
    public static PacketKind classify(ByteBuf buf, int offset, int length) {
        if (buf == null || offset < 0 || length <= 0 || length > buf.writerIndex() - offset) {
            return PacketKind.OTHER;
        }
        int first = buf.getUnsignedByte(offset);
        if (first <= 3) {
            return PacketKind.STUN;
        }
        if (first >= 20 && first <= 63) {
            return PacketKind.DTLS;
        }
        if (first >= 128 && first <= 191) {
            if (length < 2) {
                return PacketKind.OTHER;
            }
            return isRtcpPacketType(buf.getUnsignedByte(offset + 1)) ? PacketKind.RTCP : PacketKind.RTP;
        }
        return PacketKind.OTHER;
    }

    /** The classification of the readable bytes of {@code buf}. */
    public static PacketKind classify(ByteBuf buf) {
        return buf == null ? PacketKind.OTHER : classify(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** RFC 5761 §4: whether the second byte of an RTP/RTCP packet (0..255) is an RTCP packet type, 192..223. */
    public static boolean isRtcpPacketType(int secondByte) {
        return secondByte >= 192 && secondByte <= 223;
    }
}
