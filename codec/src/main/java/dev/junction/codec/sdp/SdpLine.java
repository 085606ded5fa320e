package dev.junction.codec.sdp;

import java.util.Objects;

/**
 * One line of a session description: its type letter, its value exactly as written (without {@code "x="} and
 * without the line ending), and what the parser understood of it.
 *
 * <p>Writing a description writes {@link #type()}, {@code '='} and {@link #value()}, so a parsed line comes back
 * byte for byte; {@link #field()} is only a typed view. Immutable; any thread.
 *
 * @param type  the line type letter (RFC 8866 §5)
 * @param value the text after {@code "x="}; never contains CR or LF
 * @param field the typed meaning of the value
 */
public record SdpLine(char type, String value, SdpField field) {

    public SdpLine {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(field, "field");
        if (type != field.lineType()) {
            throw new IllegalArgumentException("line type " + type + " does not match field " + field);
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("an SDP line value cannot contain CR or LF");
        }
    }

    /** A new line that writes {@code field} in its canonical form. */
    public static SdpLine of(SdpField field) {
        return new SdpLine(field.lineType(), field.toValue(), field);
    }

    /** A line Junction does not interpret, such as {@code s=-} or {@code t=0 0}. */
    public static SdpLine opaque(char type, String value) {
        return new SdpLine(type, value, new SdpField.Opaque(type, value));
    }

    /** The line as written, without the line ending: {@code "a=rtcp-mux"}. */
    public String text() {
        return type + "=" + value;
    }

    @Override
    public String toString() {
        return text();
    }
}
