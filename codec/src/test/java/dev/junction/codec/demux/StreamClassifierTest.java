package dev.junction.codec.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The public port's first-bytes classifier: each protocol's start, decided exactly when enough bytes are there
 * (every shorter prefix asks for more), and garbage refused as early as it can be.
 */
class StreamClassifierTest {

    /** A Binding request header (RFC 8489 §5): type 0x0001, length 0, magic cookie, transaction id. */
    private static final byte[] STUN = {
        0x00, 0x01, 0x00, 0x00,                                  // Binding request, no attributes
        0x21, 0x12, (byte) 0xA4, 0x42,                           // magic cookie
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,                   // transaction id
    };

    private static byte[] framed(byte[] stun) {
        byte[] out = new byte[2 + stun.length];
        out[0] = (byte) (stun.length >> 8);                      // RFC 4571 length
        out[1] = (byte) stun.length;
        System.arraycopy(stun, 0, out, 2, stun.length);
        return out;
    }

    private static StreamKind classify(byte[] bytes, int length) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, length);
        try {
            return StreamClassifier.classify(buf, 0, length);
        } finally {
            if (length > 0) assertTrue(buf.release()); // an empty wrap is the shared EMPTY_BUFFER
        }
    }

    /** Every prefix shorter than {@code decidedAt} needs more; from {@code decidedAt} on it is {@code kind}. */
    private static void assertDecidedAt(byte[] bytes, int decidedAt, StreamKind kind) {
        for (int n = 0; n <= bytes.length; n++) {
            assertEquals(n < decidedAt ? StreamKind.NEED_MORE : kind, classify(bytes, n), "after " + n + " bytes");
        }
    }

    @Test
    void shouldTellEachProtocolAsSoonAsItCan() {
        assertDecidedAt(new byte[] {22, 3, 1, 2, 0}, 3, StreamKind.TLS);
        assertDecidedAt("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 4, StreamKind.HTTP);
        assertDecidedAt("OPTIONS /whip/x HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 8, StreamKind.HTTP);
        assertDecidedAt("DELETE /whip/x/1 HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 7, StreamKind.HTTP);
        assertDecidedAt(STUN, 8, StreamKind.TURN);
        assertDecidedAt(framed(STUN), 10, StreamKind.ICE_TCP);
        assertDecidedAt(new byte[] {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4}, 4, StreamKind.TURN);
    }

    @Test
    void shouldRefuseGarbageEarly() {
        assertEquals(StreamKind.UNKNOWN, classify(new byte[] {22, 4}, 2), "not TLS 3.x");
        assertEquals(StreamKind.UNKNOWN, classify("GIVE".getBytes(StandardCharsets.US_ASCII), 4));
        assertEquals(StreamKind.UNKNOWN, classify("CONNECT x".getBytes(StandardCharsets.US_ASCII), 9), "no proxying");
        assertEquals(StreamKind.UNKNOWN, classify("SSH-2.0-OpenSSH".getBytes(StandardCharsets.US_ASCII), 15));
        assertEquals(StreamKind.UNKNOWN, classify(new byte[] {(byte) 0x80, 0}, 2), "an RTP-like first byte");
        byte[] badFrame = framed(STUN);
        badFrame[1]++; // the frame is not exactly the STUN message
        assertEquals(StreamKind.UNKNOWN, classify(badFrame, badFrame.length));
        byte[] noCookie = STUN.clone();
        noCookie[4] = 0;
        assertEquals(StreamKind.UNKNOWN, classify(noCookie, 10));
    }
}
