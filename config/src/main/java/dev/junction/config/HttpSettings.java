package dev.junction.config;

import java.util.Objects;

/**
 * The HTTP control plane.
 *
 * @param bindAddress  the address the HTTP server listens on
 * @param port         its TCP port; 0 picks a free one (tests)
 * @param maxBodyBytes the largest accepted request body; larger gets 413
 * @param bearerToken  when not empty, WHIP/WHEP requests must carry {@code Authorization: Bearer <token>}
 *                     (RFC 9725 §4.5); missing or wrong gets 401
 */
public record HttpSettings(String bindAddress, int port, int maxBodyBytes, String bearerToken) {

    public HttpSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(bearerToken, "bearerToken (empty for none)");
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("http port out of range: " + port);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }

    /** Whether WHIP/WHEP requests need a bearer token. */
    public boolean requiresToken() {
        return !bearerToken.isEmpty();
    }

    @Override
    public String toString() {
        return "HttpSettings[bindAddress=" + bindAddress + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes
                + ", bearerToken=" + (bearerToken.isEmpty() ? "none" : "<redacted>") + "]";
    }
}
