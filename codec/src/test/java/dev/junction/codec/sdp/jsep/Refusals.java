package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What a parser's refusal must look like whatever the input; shared by {@link SdpInvariants} and
 * {@link TrickleFragmentInvariants}.
 */
final class Refusals {
    private Refusals() {
    }

    /** A refusal is one non-empty line, so that it fits an HTTP reason and a log line. */
    static void assertOneLine(String message) {
        assertFalse(message.isEmpty());
        assertFalse(message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0, message);
    }

    /** The lines in {@code input}, counted by LF bytes; a refusal's line number lies within one past it. */
    static int countLines(byte[] input) {
        int lines = 1;
        for (byte b : input) {
            if (b == '\n') {
                lines++;
            }
        }
        return lines;
    }
}
