package dev.junction.gateway.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * The optional bearer token of WHIP/WHEP requests (RFC 9725 §4.5, RFC 6750 §2.1). Immutable, so any thread.
 *
 * <p>Both tokens are hashed with SHA-256 before {@link MessageDigest#isEqual}, so the comparison takes the
 * same time whatever the given token's content and length.
 */
final class BearerAuth {

    private static final String SCHEME = "bearer ";

    /** SHA-256 of the configured token, or {@code null} when none is required. */
    private final byte[] expectedDigest;

    BearerAuth(String token) {
        this.expectedDigest = token.isEmpty() ? null : sha256(token);
    }

    /**
     * Checks an {@code Authorization} header value.
     *
     * @return {@code null} when allowed, else the 401 to answer (with its {@code WWW-Authenticate} challenge)
     */
    SessionException check(String authorization) {
        if (expectedDigest == null) return null;
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return new SessionException(401, "this endpoint needs Authorization: Bearer <token>",
                    Map.of("WWW-Authenticate", "Bearer realm=\"junction\""));
        }
        String given = authorization.substring(SCHEME.length()).strip();
        if (!MessageDigest.isEqual(expectedDigest, sha256(given))) {
            return new SessionException(401, "invalid bearer token",
                    Map.of("WWW-Authenticate", "Bearer realm=\"junction\", error=\"invalid_token\""));
        }
        return null;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
