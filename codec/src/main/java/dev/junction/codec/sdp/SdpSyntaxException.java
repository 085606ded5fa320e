package dev.junction.codec.sdp;

/**
 * Thrown inside the parser when a line is malformed and caught by {@link SdpParser}, which turns it into an
 * {@link SdpParseError} with the line number. Never escapes to callers of the parser; it carries no stack
 * trace because it is control flow on bad input, not a bug.
 */
final class SdpSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SdpSyntaxException(String reason) {
        super(reason, null, false, false);
    }
}
