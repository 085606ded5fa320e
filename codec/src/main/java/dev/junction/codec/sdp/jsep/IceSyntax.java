package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SdpTokens;
import dev.junction.codec.sdp.jsep.IceCandidate.AddressKind;

/**
 * Lexical rules shared by {@link IceCandidate} and the trickle fragment parser: ice-chars (RFC 8839 §5.1), bounded
 * decimal numbers and connection addresses. SDP's own rules (tokens, blanks, quoting) are {@link SdpTokens}'. Pure
 * functions that never throw on input; any thread.
 */
final class IceSyntax {
    /** RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 characters as text. */
    private static final int MAX_HOST_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private IceSyntax() {
    }

    /** {@code ice-char = ALPHA / DIGIT / "+" / "/"} (RFC 8839 §5.1). */
    static boolean isIceChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    }

    /** Whether {@code s} is {@code min}-{@code max} ice-chars. */
    static boolean isIceChars(String s, int min, int max) {
        if (s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isIceChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A decimal number of 1-{@code maxDigits} digits in {@code [0, max]}, or -1; no sign, no overflow. */
    static long number(String s, int maxDigits, long max) {
        // 18 digits always fit a long; SdpTokens.parseUnsigned takes 19, which may not.
        return s.length() > Math.min(maxDigits, 18) ? -1 : SdpTokens.parseUnsigned(s, max);
    }

    /** The index of the first control character (C0 other than tab, or DEL), or -1. */
    static int controlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The kind of {@code address}, or null when it is none of them. IPv4 is a dotted quad without leading zeros;
     * IPv6 is the RFC 4291 §2.2 text form without a zone; anything else must be an RFC 1123 §2.1 host name whose
     * last label is not all digits, so that a mistyped IPv4 address is not taken for a name.
     */
    static AddressKind addressKind(String address) {
        if (address.indexOf(':') >= 0) {
            return isIpv6(address) ? AddressKind.IPV6 : null;
        }
        if (isIpv4(address)) {
            return AddressKind.IPV4;
        }
        return isHostName(address) ? AddressKind.FQDN : null;
    }

    static boolean isIpv4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) {
            return false;
        }
        int parts = 0;
        int i = 0;
        while (i <= n) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
        return parts == 4;
    }

    /** RFC 4291 §2.2: eight groups of 1-4 hex digits, one {@code ::} at most, an IPv4 tail allowed. */
    static boolean isIpv6(String s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return false;
        }
        int groups = 0;
        boolean compressed = false;
        int i = 0;
        if (s.startsWith("::")) {
            compressed = true;
            i = 2;
        } else if (s.charAt(0) == ':') {
            return false;
        }
        while (i < n) {
            int start = i;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                // RFC 4291 §2.2 form 3: the last 32 bits as a dotted quad.
                if (!isIpv4(s.substring(start))) {
                    return false;
                }
                groups += 2;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                return false;
            }
            groups++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return false;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                i++;
            } else if (i == n) {
                return false;
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /** RFC 1123 §2.1: labels of letters, digits and inner hyphens, 1-63 long; the last label not all digits. */
    static boolean isHostName(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_HOST_NAME_LENGTH) {
            return false;
        }
        int start = 0;
        boolean lastAllDigits = true;
        for (int i = 0; i <= n; i++) {
            if (i < n && s.charAt(i) != '.') {
                continue;
            }
            int length = i - start;
            if (length == 0 || length > MAX_LABEL_LENGTH || s.charAt(start) == '-' || s.charAt(i - 1) == '-') {
                return false;
            }
            lastAllDigits = true;
            for (int j = start; j < i; j++) {
                char c = s.charAt(j);
                boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                boolean digit = c >= '0' && c <= '9';
                if (!letter && !digit && c != '-') {
                    return false;
                }
                lastAllDigits &= digit;
            }
            start = i + 1;
        }
        return !lastAllDigits;
    }
}
