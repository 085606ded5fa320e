package dev.junction.codec.sdp.jsep;

import java.security.SecureRandom;

/**
 * ICE short-term credentials (RFC 8839 §5.4): ufrag and password, each made of ice-chars
 * ({@code ALPHA / DIGIT / "+" / "/"}), the ufrag 4-256 of them, the password 22-256.
 */
public record IceCredentials(String ufrag, String pwd) {
    /** Junction's ufrag length: 96 random bits, so lookups by ufrag do not collide in practice. */
    public static final int UFRAG_LENGTH = 16;
    /** Junction's password length: 192 random bits, above RFC 8839's 128-bit minimum. */
    public static final int PWD_LENGTH = 32;

    private static final char[] ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

    /**
     * Fresh credentials from {@code random}. There are 64 ice-chars, so the low 6 bits of each random byte pick
     * one without bias; one {@code nextBytes} call serves both strings.
     */
    public static IceCredentials generate(SecureRandom random) {
        byte[] bytes = new byte[UFRAG_LENGTH + PWD_LENGTH];
        random.nextBytes(bytes);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = ICE_CHARS[bytes[i] & 0x3F];
        }
        return new IceCredentials(new String(chars, 0, UFRAG_LENGTH), new String(chars, UFRAG_LENGTH, PWD_LENGTH));
    }

    /** Why {@code ufrag} is not a valid ice-ufrag, or empty if it is. */
    public static String ufragProblem(String ufrag) {
        return problem("a=ice-ufrag", ufrag, 4);
    }

    /** Why {@code pwd} is not a valid ice-pwd, or empty if it is. */
    public static String pwdProblem(String pwd) {
        return problem("a=ice-pwd", pwd, 22);
    }

    private static String problem(String what, String value, int minLength) {
        if (value.length() < minLength || value.length() > 256) {
            return what + " is " + value.length() + " characters; RFC 8839 §5.4 needs " + minLength + "-256";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean iceChar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/';
            if (!iceChar) {
                return what + " has character " + (c < 0x7F && c > 0x20 ? "'" + c + "'" : String.format("U+%04X", (int) c))
                        + " outside the ice-chars A-Z a-z 0-9 + / (RFC 8839 §5.4)";
            }
        }
        return "";
    }

    @Override
    public String toString() {
        // The password authenticates STUN checks (RFC 8489 §9.1); keep it out of logs.
        return "IceCredentials[ufrag=" + ufrag + "]";
    }
}
