package dev.junction.codec.sdp;

/**
 * Writes a description as SDP text: every line as {@code <type>=<value>} followed by CRLF (RFC 8866 §5), in
 * model order. Lines that came from the parser keep their exact text, so a parsed CRLF description is written
 * back byte for byte, and an LF-only one comes back with CRLF. Stateless; any thread.
 */
public final class SdpWriter {

    private SdpWriter() {
    }

    public static String write(SessionDescription description) {
        StringBuilder sb = new StringBuilder(estimateLength(description));
        writeTo(description, sb);
        return sb.toString();
    }

    public static void writeTo(SessionDescription description, StringBuilder out) {
        for (SdpLine line : description.sessionLines()) {
            append(out, line);
        }
        for (MediaDescription media : description.media()) {
            for (SdpLine line : media.lines()) {
                append(out, line);
            }
        }
    }

    private static void append(StringBuilder out, SdpLine line) {
        out.append(line.type()).append('=').append(line.value()).append("\r\n");
    }

    private static int estimateLength(SessionDescription description) {
        int length = 0;
        for (SdpLine line : description.sessionLines()) {
            length += line.value().length() + 4;
        }
        for (MediaDescription media : description.media()) {
            for (SdpLine line : media.lines()) {
                length += line.value().length() + 4;
            }
        }
        return length;
    }
}
