package dev.junction.transport.ice;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * One side's ICE short-term credentials (RFC 8445 §5.3, RFC 8839 §5.4): ice-ufrag and ice-pwd.
 *
 * @param ufrag 4 to 256 ice-chars
 * @param pwd   22 to 256 ice-chars
 */
public record IceCredentials(String ufrag, String pwd) {

    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(pwd, "pwd");
        if (ufrag.length() < 4 || ufrag.length() > 256 || !isIceChars(ufrag)) {
            throw new IllegalArgumentException("ice-ufrag must be 4-256 ice-chars: '" + ufrag + "'");
        }
        if (pwd.length() < 22 || pwd.length() > 256 || !isIceChars(pwd)) {
            throw new IllegalArgumentException("ice-pwd must be 22-256 ice-chars");
        }
    }

    /** Fresh random credentials: 8-char ufrag (48 bits) and 24-char pwd (144 bits), as browsers use. */
    public static IceCredentials random(SecureRandom random) {
        return new IceCredentials(randomIceChars(random, 8), randomIceChars(random, 24));
    }

    private static String randomIceChars(SecureRandom random, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) out[i] = ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length()));
        return new String(out);
    }

    private static boolean isIceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (ICE_CHARS.indexOf(s.charAt(i)) < 0) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", pwd=<redacted>]";
    }
}
