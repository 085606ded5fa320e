package dev.junction.config;

import java.util.Objects;

/**
 * The HTTP control plane.
 *
 * @param bindAddress             the address the HTTP server listens on
 * @param port                    its TCP port; 0 picks a free one (tests)
 * @param maxBodyBytes            the largest accepted request body; larger gets 413
 * @param bearerToken             when not empty, WHIP/WHEP requests must carry {@code Authorization: Bearer <token>}
 *                                (RFC 9725 §4.5); missing or wrong gets 401
 * @param headerTimeoutMs         a connection must deliver a request's headers within this long of opening (or of
 *                                its previous response); else it is closed (slow-header clients, "slowloris")
 * @param bodyTimeoutMs           a request's body must arrive within this long of its headers; else 408 and close
 * @param idleTimeoutMs           a connection with no traffic for this long is closed
 * @param maxConnectionsPerSource connections one client address may hold open at once; more are closed at once
 */
public record HttpSettings(String bindAddress, int port, int maxBodyBytes, String bearerToken, int headerTimeoutMs,
        int bodyTimeoutMs, int idleTimeoutMs, int maxConnectionsPerSource, String adminToken) {

    public static final int DEFAULT_HEADER_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_BODY_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 64;

    public HttpSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(bearerToken, "bearerToken (empty for none)");
        Objects.requireNonNull(adminToken, "adminToken (empty for none)");
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("http port out of range: " + port);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        if (headerTimeoutMs < 1) throw new IllegalArgumentException("headerTimeoutMs must be positive: " + headerTimeoutMs);
        if (bodyTimeoutMs < 1) throw new IllegalArgumentException("bodyTimeoutMs must be positive: " + bodyTimeoutMs);
        if (idleTimeoutMs < 1) throw new IllegalArgumentException("idleTimeoutMs must be positive: " + idleTimeoutMs);
        if (maxConnectionsPerSource < 1) throw new IllegalArgumentException("maxConnectionsPerSource must be positive: " + maxConnectionsPerSource);
    }

    /** The first four settings, the connection limits at their defaults. */
    public HttpSettings(String bindAddress, int port, int maxBodyBytes, String bearerToken) {
        this(bindAddress, port, maxBodyBytes, bearerToken, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_BODY_TIMEOUT_MS,
                DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS_PER_SOURCE, "");
    }

    /** All but the admin token, which is then unset (the admin endpoints answer 403). */
    public HttpSettings(String bindAddress, int port, int maxBodyBytes, String bearerToken, int headerTimeoutMs,
            int bodyTimeoutMs, int idleTimeoutMs, int maxConnectionsPerSource) {
        this(bindAddress, port, maxBodyBytes, bearerToken, headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs, maxConnectionsPerSource, "");
    }

    /** Whether WHIP/WHEP requests need a bearer token. */
    public boolean requiresToken() {
        return !bearerToken.isEmpty();
    }

    @Override
    public String toString() {
        return "HttpSettings[bindAddress=" + bindAddress + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes
                + ", bearerToken=" + (bearerToken.isEmpty() ? "none" : "<redacted>") + ", headerTimeoutMs=" + headerTimeoutMs
                + ", bodyTimeoutMs=" + bodyTimeoutMs + ", idleTimeoutMs=" + idleTimeoutMs
                + ", maxConnectionsPerSource=" + maxConnectionsPerSource
                + ", adminToken=" + (adminToken.isEmpty() ? "none" : "<redacted>") + "]";
    }
}
