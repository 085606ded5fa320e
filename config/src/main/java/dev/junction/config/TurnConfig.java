package dev.junction.config;

import java.util.List;
import java.util.Objects;

/**
 * The embedded TURN server (issue 10), as configured. Named apart from the transport's {@code TurnSettings}, which
 * the gateway builds from it together with the media addresses and the secret in use.
 *
 * @param enabled                whether the TURN server runs
 * @param port                   UDP and TCP port; 0 picks free ones (tests)
 * @param tlsPort                TLS port; 0 turns TLS off, -1 picks a free one (tests)
 * @param tlsCertFile            PEM certificate file, empty for a generated self-signed one
 * @param tlsKeyFile             PEM key file, empty with an empty certificate
 * @param realm                  REALM (RFC 8489 §9.2)
 * @param secret                 the REST shared secret; empty means "generate one at start"
 * @param credentialTtlSeconds   lifetime of the credentials minted for {@code Link} headers
 * @param allowedPeers           extra CIDR ranges allocations may reach, as written (validated here)
 * @param maxAllocations         508 beyond this
 * @param maxAllocationsPerUser  486 beyond this
 * @param bandwidthKbps          per allocation; 0 for unlimited
 * @param relayPortMin           first relay port, 0 with {@code relayPortMax} 0 for ephemeral ports
 * @param relayPortMax           last relay port
 */
public record TurnConfig(boolean enabled, int port, int tlsPort, String tlsCertFile, String tlsKeyFile, String realm,
        String secret, long credentialTtlSeconds, List<String> allowedPeers, int maxAllocations, int maxAllocationsPerUser,
        long bandwidthKbps, int relayPortMin, int relayPortMax) {

    public TurnConfig {
        Objects.requireNonNull(tlsCertFile, "tlsCertFile");
        Objects.requireNonNull(tlsKeyFile, "tlsKeyFile");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(secret, "secret");
        allowedPeers = List.copyOf(allowedPeers);
        if (port < 0 || port > 65_535) throw new IllegalArgumentException("turn port out of range: " + port);
        if (tlsPort < -1 || tlsPort > 65_535) throw new IllegalArgumentException("turn TLS port out of range: " + tlsPort);
        if (tlsCertFile.isEmpty() != tlsKeyFile.isEmpty()) throw new IllegalArgumentException("a TLS certificate and its key go together");
        if (realm.isEmpty()) throw new IllegalArgumentException("the TURN realm must not be empty");
        if (credentialTtlSeconds < 1 || maxAllocations < 1 || maxAllocationsPerUser < 1 || bandwidthKbps < 0) {
            throw new IllegalArgumentException("TURN lifetimes and quotas must be positive, bandwidth >= 0");
        }
        if (relayPortMin < 0 || relayPortMax > 65_535 || relayPortMin > relayPortMax || (relayPortMin == 0) != (relayPortMax == 0)) {
            throw new IllegalArgumentException("bad relay port range " + relayPortMin + "-" + relayPortMax);
        }
    }

    /** TURN off, everything else at its default; with {@link #enabledOn} for tests. */
    public static TurnConfig disabled() {
        return new TurnConfig(false, 3478, 5349, "", "", "junction", "", 86_400, List.of(), 1000, 10, 0, 0, 0);
    }

    /** TURN on, at free ports (UDP/TCP and TLS), with {@code secret} and {@code allowedPeers}: for tests. */
    public static TurnConfig enabledOn(String secret, List<String> allowedPeers) {
        return new TurnConfig(true, 0, -1, "", "", "junction", secret, 86_400, allowedPeers, 1000, 10, 0, 0, 0);
    }

    /** TLS is on. */
    public boolean tls() {
        return tlsPort != 0;
    }

    /** Whether relayed addresses take ephemeral ports. */
    public boolean ephemeralRelayPorts() {
        return relayPortMin == 0;
    }

    @Override
    public String toString() {
        return "TurnConfig[enabled=" + enabled + ", port=" + port + ", tlsPort=" + tlsPort + ", realm=" + realm
                + ", secret=" + (secret.isEmpty() ? "generated" : "<redacted>") + ", allowedPeers=" + allowedPeers
                + ", quotas=" + maxAllocationsPerUser + "/" + maxAllocations + ", bandwidthKbps=" + bandwidthKbps
                + ", relayPorts=" + (relayPortMin == 0 ? "ephemeral" : relayPortMin + "-" + relayPortMax) + "]";
    }
}
