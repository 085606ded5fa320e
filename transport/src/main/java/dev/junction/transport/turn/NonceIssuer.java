package dev.junction.transport.turn;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless NONCEs (RFC 8489 §9.2): the issue time and an HMAC-SHA1 over it and the client's transport address
 * and protocol, so the server keeps nothing per client, a nonce is good only for the 5-tuple it was given to,
 * and an old one is told from a forged one by the clock alone.
 *
 * <pre>
 * nonce = base64url( issuedNs (8 bytes, big-endian) || HMAC-SHA1(key, issuedNs || client IP || client port || protocol)[0..12) )
 * </pre>
 *
 * 27 characters, all of them legal in a quoted-string. {@code issuedNs} is the core's own monotonic time, so
 * nonces do not survive a restart; a client then gets 438 and retries with a fresh one, as RFC 8489 intends.
 *
 * <p>Owned by one {@link TurnServer}, on its thread (the {@link Mac} is reused). Request path only.
 */
final class NonceIssuer {

    private static final int TIME_LENGTH = 8;
    private static final int MAC_LENGTH = 12;
    private static final int NONCE_BYTES = TIME_LENGTH + MAC_LENGTH;

    // Passed by argument.
    private final long lifetimeNs;

    // Allocated by this.
    private final Mac mac;
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    private final Base64.Decoder decoder = Base64.getUrlDecoder();

    NonceIssuer(byte[] key, long lifetimeNs) {
        if (key.length < 16) throw new IllegalArgumentException("nonce key must be at least 16 bytes");
        this.lifetimeNs = lifetimeNs;
        try {
            mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is required of every Java platform", e);
        }
    }

    String issue(TurnFiveTuple tuple, long nowNs) {
        byte[] nonce = new byte[NONCE_BYTES];
        putLong(nonce, nowNs);
        System.arraycopy(tag(tuple, nowNs), 0, nonce, TIME_LENGTH, MAC_LENGTH);
        return encoder.encodeToString(nonce);
    }

    /** Whether {@code nonce} is one we issued to {@code tuple} within the lifetime. */
    boolean isValid(String nonce, TurnFiveTuple tuple, long nowNs) {
        if (nonce.length() != 27) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = decoder.decode(nonce);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (bytes.length != NONCE_BYTES) {
            return false;
        }
        long issuedNs = getLong(bytes);
        byte[] expected = tag(tuple, issuedNs);
        byte[] actual = new byte[MAC_LENGTH];
        System.arraycopy(bytes, TIME_LENGTH, actual, 0, MAC_LENGTH);
        // Issued in the past, within the lifetime (wrap-aware), and ours.
        return nowNs - issuedNs >= 0 && nowNs - issuedNs < lifetimeNs && MessageDigest.isEqual(expected, actual);
    }

    private byte[] tag(TurnFiveTuple tuple, long issuedNs) {
        byte[] time = new byte[TIME_LENGTH];
        putLong(time, issuedNs);
        mac.update(time);
        mac.update(tuple.client().getAddress().getAddress());
        int port = tuple.client().getPort();
        mac.update((byte) (port >>> 8));
        mac.update((byte) port);
        mac.update((byte) tuple.transport().ordinal());
        byte[] full = mac.doFinal();
        byte[] truncated = new byte[MAC_LENGTH];
        System.arraycopy(full, 0, truncated, 0, MAC_LENGTH);
        return truncated;
    }

    private static void putLong(byte[] b, long v) {
        for (int i = 0; i < TIME_LENGTH; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long getLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < TIME_LENGTH; i++) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }
}
