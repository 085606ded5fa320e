package dev.junction.codec.sdp;

/**
 * Why a description could not be parsed, as one line for an HTTP 400 body or a log.
 *
 * @param lineNumber the 1-based line the problem is on, or 0 when it concerns the whole input (size, encoding)
 * @param reason     what is wrong, one line without the line number
 */
public record SdpParseError(int lineNumber, String reason) {

    /** {@code "line 12: a=rtpmap payload type 'x' is not a number in 0-127"}, or just the reason for line 0. */
    public String message() {
        return lineNumber > 0 ? "line " + lineNumber + ": " + reason : reason;
    }

    @Override
    public String toString() {
        return message();
    }
}
