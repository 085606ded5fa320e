package dev.junction.codec.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexical rules of SDP text (RFC 8866 §9) shared by the SDP parser and its typed attributes, and by the ICE
 * candidate and trickle-ice-sdpfrag parsers in {@code dev.junction.codec.sdp.jsep}: the public methods are the
 * ones both packages use. Stateless; any thread.
 */
public final class SdpTokens {
    /** Longest token quoted back in an error message, so a reason stays one short line. */
    private static final int QUOTE_LIMIT = 40;

    private SdpTokens() {
    }

    /** Splits on runs of spaces (SP, RFC 8866 §9) and tabs; no empty tokens. */
    public static List<String> split(String s) {
        List<String> tokens = new ArrayList<>(8);
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isBlank(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isBlank(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                tokens.add(s.substring(start, i));
            }
        }
        return tokens;
    }

    /** The text after the first {@code count} tokens, blanks collapsed to single spaces; empty if none. */
    static String rest(List<String> tokens, int count) {
        return tokens.size() <= count ? "" : String.join(" ", tokens.subList(count, tokens.size()));
    }

    public static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** A decimal number in {@code [0, max]}, or -1: digits only, no sign, no overflow. */
    public static long parseUnsigned(String s, long max) {
        int n = s.length();
        if (n == 0 || n > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    /** An RTP payload type {@code 0..127} (RFC 3550 §5.1: 7 bits), or -1. */
    static int parsePayloadType(String s) {
        return (int) parseUnsigned(s, 127);
    }

    /** Whether {@code s} is an RFC 8866 §9 token: one or more token-chars. */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tokenChar = c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D
                    || c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x5E && c <= 0x7E);
            if (!tokenChar) {
                return false;
            }
        }
        return true;
    }

    /** Quotes a piece of input for an error message or a refusal's reason, cut to a short length. */
    public static String quote(String s) {
        return s.length() <= QUOTE_LIMIT ? "'" + s + "'" : "'" + s.substring(0, QUOTE_LIMIT) + "...'";
    }
}
