package dev.junction.config;

import java.util.List;
import java.util.Objects;

/**
 * The media plane: one UDP socket per media event loop on consecutive ports from {@code basePort}
 * (DESIGN §3), and the addresses a browser is told to send to.
 *
 * @param bindAddress the address the UDP sockets bind to
 * @param basePort    the first media port; loop {@code i} listens on {@code basePort + i}; 0 picks free ports
 * @param loops       the number of media event loops; 0 means one per available core
 * @param announce    the addresses put into answers as host candidates, one candidate each (never empty)
 * @param consentTimeoutMs a session whose peer has not passed a connectivity check for this long is closed
 *                    (RFC 7675 consent freshness: 30 s); a peer checks every 4-6 s, so anything shorter than about
 *                    10 s drops live sessions
 * @param iceTcp      whether each loop also listens for ICE-TCP (RFC 6544) on the same port number as its UDP
 *                    socket, and answers carry a passive TCP candidate per announced address after the UDP ones
 * @param spreadAfter subscribers a room keeps on its home loop before it spreads them over the others
 * @param dtlsClient  whether answers to actpass offers say {@code a=setup:active}, making Junction the DTLS client
 *                    (false: {@code a=setup:passive}, the DTLS server, as browsers expect of a server)
 * @param subscriberTransportCc whether subscribers (WHEP) negotiate transport-wide congestion control, so that each
 *                    one's layers follow a send-side bandwidth estimate (issue 11); off: every subscriber gets the
 *                    highest active layer its preferences allow
 * @param maxSessions open sessions (WHIP and WHEP) beyond which new ones are refused with 503, or, in a cluster,
 *                    sent to another node with a 307
 * @param dependencyDescriptor when the dependency descriptor header extension (AV1 RTP specification, appendix A)
 *                    is negotiated, through which VP9 and AV1 publishers' temporal layers are forwarded per subscriber
 *                    (issue 11; see {@link DependencyDescriptorMode})
 */
public record MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs,
        boolean iceTcp, int spreadAfter, boolean dtlsClient, boolean subscriberTransportCc, int maxSessions,
        DependencyDescriptorMode dependencyDescriptor) {

    /** When the dependency descriptor is negotiated (the {@code media.dependency-descriptor} default). */
    public static final DependencyDescriptorMode DEFAULT_DEPENDENCY_DESCRIPTOR = DependencyDescriptorMode.AUTO;

    /** Open sessions a process takes before it refuses new ones (the {@code media.max-sessions} default). */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;

    /** Subscribers a room keeps on its home loop before it spreads (the {@code media.spread-after} default). */
    public static final int DEFAULT_SPREAD_AFTER = 200;

    /** RFC 7675 §5.1: consent expires 30 s after the last answered check. */
    public static final int DEFAULT_CONSENT_TIMEOUT_MS = 30_000;

    /** The first four settings, consent at its RFC 7675 default, no ICE-TCP. */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce) {
        this(bindAddress, basePort, loops, announce, DEFAULT_CONSENT_TIMEOUT_MS, false);
    }

    /** All but the spread, which takes its default. */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs, boolean iceTcp) {
        this(bindAddress, basePort, loops, announce, consentTimeoutMs, iceTcp, DEFAULT_SPREAD_AFTER);
    }

    /** All but the DTLS role, which stays the server. */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs, boolean iceTcp,
            int spreadAfter) {
        this(bindAddress, basePort, loops, announce, consentTimeoutMs, iceTcp, spreadAfter, false);
    }

    /** All but subscriber transport-cc, which is on. */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs, boolean iceTcp,
            int spreadAfter, boolean dtlsClient) {
        this(bindAddress, basePort, loops, announce, consentTimeoutMs, iceTcp, spreadAfter, dtlsClient, true);
    }

    /** All but the session limit, which takes its default. */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs, boolean iceTcp,
            int spreadAfter, boolean dtlsClient, boolean subscriberTransportCc) {
        this(bindAddress, basePort, loops, announce, consentTimeoutMs, iceTcp, spreadAfter, dtlsClient, subscriberTransportCc,
                DEFAULT_MAX_SESSIONS);
    }

    /** All but the dependency descriptor, which takes its default ({@link #DEFAULT_DEPENDENCY_DESCRIPTOR}). */
    public MediaSettings(String bindAddress, int basePort, int loops, List<String> announce, int consentTimeoutMs, boolean iceTcp,
            int spreadAfter, boolean dtlsClient, boolean subscriberTransportCc, int maxSessions) {
        this(bindAddress, basePort, loops, announce, consentTimeoutMs, iceTcp, spreadAfter, dtlsClient, subscriberTransportCc,
                maxSessions, DEFAULT_DEPENDENCY_DESCRIPTOR);
    }

    public MediaSettings {
        if (consentTimeoutMs < 1) throw new IllegalArgumentException("consentTimeoutMs must be positive: " + consentTimeoutMs);
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dependencyDescriptor, "dependencyDescriptor");
        announce = List.copyOf(announce);
        if (basePort < 0 || basePort > 65_535) throw new IllegalArgumentException("media port out of range: " + basePort);
        if (loops < 0) throw new IllegalArgumentException("loops must not be negative: " + loops);
        if (spreadAfter < 0) throw new IllegalArgumentException("spreadAfter must not be negative: " + spreadAfter);
        if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        if (announce.isEmpty()) throw new IllegalArgumentException("at least one announced address is required");
    }

    /** The number of media event loops to run: {@code loops}, or the core count when it is 0. */
    public int effectiveLoops() {
        return loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
    }
}
