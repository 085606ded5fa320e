package dev.junction.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One-port mode (issue 10): one TCP port, bound on the media bind address, that serves HTTPS (the HTTP API and the
 * demo page), TURN over TLS and over TCP, and ICE-TCP, telling each connection apart by its first bytes.
 *
 * @param port            the TCP port; 0 turns one-port mode off; -1 picks a free port (tests)
 * @param tlsCertFile     PEM certificate (chain) for HTTPS and TURN over TLS there; empty for a self-signed one
 * @param tlsKeyFile      its PEM (PKCS#8) key, empty with an empty certificate
 * @param turnName        a TLS server name (SNI) that routes to TURN whatever the ALPN, and the name the
 *                        {@code turns:} links for this port carry; empty for none (links carry the announced IPs)
 * @param noAlpnToTurn    whether a ClientHello that offers no ALPN goes to TURN (browsers' TURN clients offer
 *                        none; every browser's HTTPS offers some) rather than to HTTPS; only while TURN is on
 */
public record PublicPortConfig(int port, String tlsCertFile, String tlsKeyFile, String turnName, boolean noAlpnToTurn) {

    public PublicPortConfig {
        Objects.requireNonNull(tlsCertFile, "tlsCertFile");
        Objects.requireNonNull(tlsKeyFile, "tlsKeyFile");
        Objects.requireNonNull(turnName, "turnName");
        if (port < -1 || port > 65_535) throw new IllegalArgumentException("public port out of range: " + port);
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) throw new IllegalArgumentException("a TLS certificate and its key go together");
        if (!turnName.isEmpty() && !isDnsName(turnName)) {
            throw new IllegalArgumentException("the TURN name must be a DNS name (letters, digits, '-', '.'): " + turnName);
        }
        turnName = turnName.toLowerCase(Locale.ROOT);
    }

    /** One-port mode off. */
    public static PublicPortConfig off() {
        return new PublicPortConfig(0, "", "", "", true);
    }

    /** On a free port with a self-signed certificate: for tests. */
    public static PublicPortConfig onFreePort() {
        return new PublicPortConfig(-1, "", "", "", true);
    }

    public boolean enabled() {
        return port != 0;
    }

    /** Letters, digits, '-' and '.', not starting or ending with '.', at most 253 characters. */
    static boolean isDnsName(String name) {
        if (name.isEmpty() || name.length() > 253 || name.startsWith(".") || name.endsWith(".")) return false;
        return name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
    }
}
