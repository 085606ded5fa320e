package dev.junction.config;

import java.util.Objects;

/**
 * The HTTP control plane.
 *
 * @param bindAddress  the address the HTTP server listens on
 * @param port         its TCP port; 0 picks a free one (tests)
 * @param maxBodyBytes the largest accepted request body; larger gets 413
 */
public record HttpSettings(String bindAddress, int port, int maxBodyBytes) {

    public HttpSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("http port out of range: " + port);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
    }
}
