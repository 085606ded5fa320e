package dev.junction.codec.demux;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.tls.TlsClientHello;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Tells the protocols that share Junction's one public TCP port apart by a connection's first bytes, as RFC 7983
 * does for a media port's datagrams. Each needs at most {@link #MAX_BYTES_TO_DECIDE} bytes:
 *
 * <pre>
 *   byte  0    1    2    3    4    5    6    7    8    9
 *        0x16 0x03 0x0?                                        TLS record header (RFC 8446 §5.1)      → TLS
 *        'G'  'E'  'T'  ' '                                    HTTP/1.1 request line (RFC 9112 §3)    → HTTP
 *        |00 type  |  length  | 0x21 0x12 0xA4 0x42 |          STUN header, unframed (RFC 8656 §3.1)  → TURN
 *        |01 chan  |  length  |                                ChannelData (RFC 8656 §12.4)           → TURN
 *        | frame len | 00 type | length  | 0x21 0x12 0xA4 0x42 | RFC 4571 frame of STUN (RFC 6544)  → ICE_TCP
 * </pre>
 *
 * The magic cookie decides between the two STUN shapes: it sits at offset 4 of a STUN message, so at byte 4 of a
 * TURN stream and byte 6 of an ICE-TCP one; a framed message must also fill its frame exactly (frame length =
 * 20 + STUN length). A client speaks first in all of these (the active ICE-TCP side sends a check, a TURN client an
 * Allocate), so waiting for its bytes costs nothing.
 *
 * <p>Stateless, allocation-free, never throws; reads at absolute indexes without moving them.
 */
public final class StreamClassifier {

    /** Bytes after which every kind is decided. */
    public static final int MAX_BYTES_TO_DECIDE = 10;
    /** The request methods WHIP, WHEP, the demo page and a CORS preflight use, each with its trailing space. */
    private static final byte[][] METHODS = {
        ascii("GET "), ascii("HEAD "), ascii("POST "), ascii("PUT "), ascii("PATCH "), ascii("DELETE "), ascii("OPTIONS "),
    };

    private StreamClassifier() {
    }

    /** The kind of the stream whose first {@code length} bytes are at {@code offset} of {@code buf}. */
    public static StreamKind classify(ByteBuf buf, int offset, int length) {
        if (length <= 0) return StreamKind.NEED_MORE;
        if (offset < 0 || offset + length > buf.writerIndex()) return StreamKind.UNKNOWN;
        int first = buf.getUnsignedByte(offset);
        if (first == TlsClientHello.CONTENT_HANDSHAKE) {
            if (length < 3) return TlsClientHello.looksLikeTls(buf, offset, length) ? StreamKind.NEED_MORE : StreamKind.UNKNOWN;
            return TlsClientHello.looksLikeTls(buf, offset, 3) ? StreamKind.TLS : StreamKind.UNKNOWN;
        }
        if (first >= 'A' && first <= 'Z') return method(buf, offset, length);
        if (ChannelData.isChannelData(first)) {
            // A TURN client starts with an Allocate; ChannelData first is odd but harmless: the TURN core drops it.
            return length < ChannelData.HEADER_LENGTH ? StreamKind.NEED_MORE : StreamKind.TURN;
        }
        // Both STUN shapes: unframed STUN starts with 00 in its top bits, a frame with the high byte of its length.
        boolean unframed = (first & 0xC0) == 0;
        if (unframed && length >= 8 && buf.getInt(offset + 4) == StunMessage.MAGIC_COOKIE) return StreamKind.TURN;
        if (length < MAX_BYTES_TO_DECIDE) {
            // Still possible: a STUN header (unframed, before byte 8) or a frame (before byte 10).
            return stunPrefixPossible(buf, offset, length) ? StreamKind.NEED_MORE : StreamKind.UNKNOWN;
        }
        if (isFramedStun(buf, offset)) return StreamKind.ICE_TCP;
        return StreamKind.UNKNOWN;
    }

    /** Bytes 0..9 of an RFC 4571 frame around a whole STUN message: frame length 20 + STUN length, the cookie at 6. */
    private static boolean isFramedStun(ByteBuf buf, int offset) {
        int frame = buf.getUnsignedShort(offset);
        int stunType = buf.getUnsignedByte(offset + 2);
        int stunLength = buf.getUnsignedShort(offset + 4);
        return frame >> 8 <= MAX_FRAME_HIGH_BYTE && (stunType & 0xC0) == 0 && (stunLength & 3) == 0 && frame == StunMessage.HEADER_LENGTH + stunLength
                && buf.getInt(offset + 6) == StunMessage.MAGIC_COOKIE;
    }

    /** Whether the bytes so far can still become either STUN shape. */
    private static boolean stunPrefixPossible(ByteBuf buf, int offset, int length) {
        return matchesCookieAt(buf, offset, length, 4) && (buf.getUnsignedByte(offset) & 0xC0) == 0
                || matchesCookieAt(buf, offset, length, 6) && buf.getUnsignedByte(offset) <= MAX_FRAME_HIGH_BYTE
                        && (length < 3 || (buf.getUnsignedByte(offset + 2) & 0xC0) == 0);
    }

    /** Whether the bytes present from {@code at} agree with the cookie's leading bytes. */
    private static boolean matchesCookieAt(ByteBuf buf, int offset, int length, int at) {
        for (int i = at; i < Math.min(length, at + 4); i++) {
            int expected = (StunMessage.MAGIC_COOKIE >>> (8 * (3 - (i - at)))) & 0xFF;
            if (buf.getUnsignedByte(offset + i) != expected) return false;
        }
        return true;
    }

    /** A first ICE-TCP frame is a connectivity check, well under 16 KiB: a larger length is no check. */
    private static final int MAX_FRAME_HIGH_BYTE = 0x3F;

    private static StreamKind method(ByteBuf buf, int offset, int length) {
        boolean prefix = false;
        for (byte[] m : METHODS) {
            int n = Math.min(length, m.length);
            boolean same = true;
            for (int i = 0; i < n && same; i++) same = buf.getByte(offset + i) == m[i];
            if (!same) continue;
            if (length >= m.length) return StreamKind.HTTP;
            prefix = true;
        }
        return prefix ? StreamKind.NEED_MORE : StreamKind.UNKNOWN;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
