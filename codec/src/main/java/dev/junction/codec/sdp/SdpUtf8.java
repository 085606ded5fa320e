package dev.junction.codec.sdp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of an SDP body (RFC 8866 §5: SDP text is UTF-8), shared by {@link SdpParser} and the
 * trickle-ice-sdpfrag parser in {@code dev.junction.codec.sdp.jsep}. A malformed or unmappable byte is reported
 * with its index and line, never replaced, so each parser refuses the body in its own words.
 *
 * <p>Stateless; any thread. The caller bounds the body's size before decoding it.
 */
public final class SdpUtf8 {
    private SdpUtf8() {
    }

    /** The outcome of {@link #decode(byte[])}. */
    public sealed interface Result {
    }

    /** The body as text. */
    public record Decoded(String text) implements Result {
    }

    /**
     * The body is not UTF-8: {@code byteIndex} is where the first bad sequence starts, {@code lineNumber} its line,
     * counted from 1 by LF bytes before it.
     */
    public record Malformed(int byteIndex, int lineNumber) implements Result {
    }

    /** Decodes {@code utf8}, refusing malformed input rather than replacing it. */
    public static Result decode(byte[] utf8) {
        if (isAscii(utf8)) {
            // Browser bodies are ASCII: skip the decoder and its buffer, Latin-1 makes a compact String directly.
            return new Decoded(new String(utf8, StandardCharsets.ISO_8859_1));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        CharBuffer out = CharBuffer.allocate(utf8.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (utf8[i] == '\n') {
                    line++;
                }
            }
            return new Malformed(at, line);
        }
        out.flip();
        return new Decoded(out.toString());
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
