package dev.junction.transport.turn;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in the widely used REST form (draft-uberti-behave-turn-rest, coturn's
 * {@code use-auth-secret}): the username is {@code expiry:user}, expiry in Unix seconds, and the password is
 * base64(HMAC-SHA1(secret, username)). The server derives the password from the username it receives, so it
 * keeps no user table; the long-term key is then MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
 *
 * <p>Stateless and thread-safe. Used on the request path and by the gateway when it mints credentials for
 * its {@code Link: rel="ice-server"} headers.
 */
public final class RestCredentials {

    /** A username and password pair to hand to a client. */
    public record Credential(String username, String password) {
    }

    private RestCredentials() {
    }

    /** Credentials for {@code user} valid until {@code expiryUnixSeconds}. */
    public static Credential mint(byte[] secret, String user, long expiryUnixSeconds) {
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("user must not contain ':': " + user);
        }
        String username = expiryUnixSeconds + ":" + user;
        return new Credential(username, password(secret, username));
    }

    /** base64(HMAC-SHA1(secret, username)), the REST password for {@code username}. */
    public static String password(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is required of every Java platform", e);
        }
    }

    /** The expiry of a REST username ({@code expiry:user}, digits then ':'), or -1 when it is not one. */
    public static long expiry(String username) {
        int colon = username.indexOf(':');
        if (colon <= 0 || colon > 12) {
            return -1;
        }
        long expiry = 0;
        for (int i = 0; i < colon; i++) {
            char c = username.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            expiry = expiry * 10 + (c - '0');
        }
        return expiry;
    }

    /** The user part of a REST username (after the first ':'), which quotas count by; null when it is not one. */
    public static String user(String username) {
        return expiry(username) < 0 ? null : username.substring(username.indexOf(':') + 1);
    }
}
