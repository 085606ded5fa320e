package dev.junction.config;

import java.util.Objects;

/**
 * Everything the server is configured with. Immutable; built by {@link ConfigLoader}.
 *
 * @param http       the control plane (WHIP/WHEP, health, metrics)
 * @param media      the media plane (UDP sockets and the addresses put into SDP answers)
 * @param log        the log format and levels
 * @param turn       the embedded TURN server
 * @param publicPort one-port mode
 * @param cluster    clustering (off by default)
 */
public record JunctionConfig(HttpSettings http, MediaSettings media, LogSettings log, TurnConfig turn, PublicPortConfig publicPort,
        ClusterSettings cluster) {

    /** Without TURN. */
    public JunctionConfig(HttpSettings http, MediaSettings media, LogSettings log) {
        this(http, media, log, TurnConfig.disabled());
    }

    /** Without one-port mode, not clustered. */
    public JunctionConfig(HttpSettings http, MediaSettings media, LogSettings log, TurnConfig turn) {
        this(http, media, log, turn, PublicPortConfig.off());
    }

    /** Not clustered. */
    public JunctionConfig(HttpSettings http, MediaSettings media, LogSettings log, TurnConfig turn, PublicPortConfig publicPort) {
        this(http, media, log, turn, publicPort, ClusterSettings.disabled());
    }

    public JunctionConfig {
        Objects.requireNonNull(turn, "turn");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(media, "media");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(publicPort, "publicPort");
        Objects.requireNonNull(cluster, "cluster");
    }

    /** This configuration with {@code turn} in place of its TURN settings (tests). */
    public JunctionConfig withTurn(TurnConfig turn) {
        return new JunctionConfig(http, media, log, turn, publicPort, cluster);
    }

    /** This configuration with {@code publicPort} in place of its one-port settings (tests). */
    public JunctionConfig withPublicPort(PublicPortConfig publicPort) {
        return new JunctionConfig(http, media, log, turn, publicPort, cluster);
    }

    /** This configuration with {@code cluster} in place of its cluster settings (tests). */
    public JunctionConfig withCluster(ClusterSettings cluster) {
        return new JunctionConfig(http, media, log, turn, publicPort, cluster);
    }

    /** The built-in defaults ({@link ConfigKeys}), whatever the environment says. */
    public static JunctionConfig defaults() {
        return ConfigLoader.loadWithSources(new String[0], java.util.Map.of()).config();
    }
}
