package dev.junction.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key, the one source of truth: {@link ConfigLoader} takes its defaults, flags and
 * environment names from here, README's key table is generated from here ({@link #markdownTable()}, a test
 * keeps them equal), and so is the example file {@code junction.properties} ({@link #exampleProperties()}).
 */
public final class ConfigKeys {

    /**
     * One key.
     *
     * @param name         the key in a config file, e.g. {@code media.port}
     * @param flag         the command-line flag that sets it, or null
     * @param defaultValue the built-in default, as written in a file
     * @param secret       whether its value is masked wherever it is printed
     * @param help         what it does, one or two sentences
     */
    public record Key(String name, String flag, String defaultValue, boolean secret, String help) {

        /** The environment variable that sets it: {@code JUNCTION_} and the name in upper case, '.' and '-' as '_'. */
        public String environmentVariable() {
            return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    /** Environment variables that set keys start with this. */
    public static final String ENV_PREFIX = "JUNCTION_";
    /** {@code JUNCTION_*} variables the launcher itself reads, not keys. */
    public static final List<String> LAUNCHER_VARIABLES = List.of("JUNCTION_JVM_OPTS");
    /** A flag that sets both bind addresses; not a key of its own. */
    public static final String BIND_FLAG = "--bind";

    public static final List<Key> ALL = List.of(
            new Key("http.bind", null, "127.0.0.1", false,
                    "Address the HTTP server (WHIP, WHEP, `/health`, `/metrics`, the demo page) binds to; `--bind` sets it and `media.bind`."),
            new Key("http.port", "--http-port", "8080", false, "HTTP port."),
            new Key("http.max-body-bytes", null, "65536", false, "Larger request bodies get 413. Real offers are 3-12 KiB."),
            new Key("http.token", "--token", "", true,
                    "When set, WHIP/WHEP requests need `Authorization: Bearer <token>`. Empty: open."),
            new Key("http.admin-token", "--admin-token", "", true,
                    "When set, the admin endpoints take `Authorization: Bearer <token>`: `POST /admin/drain` (drain mode), `GET /stats`, `GET /admin/cluster` (the cluster directory) and the dashboard's data (`/dashboard/api/...`). Empty: they answer 403."),
            new Key("http.header-timeout-ms", null, "10000", false,
                    "A request's headers must arrive within this long of the connection opening or of its previous response, else the connection is closed."),
            new Key("http.body-timeout-ms", null, "10000", false, "A request's body must arrive within this long of its headers, else 408."),
            new Key("http.idle-timeout-ms", null, "30000", false, "A connection silent for this long is closed."),
            new Key("http.max-connections-per-source", null, "64", false,
                    "Connections one client address may hold open at once; more are closed at once."),
            new Key("media.bind", null, "127.0.0.1", false,
                    "Address the media sockets bind to; on a public server `0.0.0.0` with `media.announce` set to the public address."),
            new Key("media.port", "--media-port", "40000", false,
                    "First media port: media loop *i* uses UDP (and, with ICE-TCP, TCP) port N+*i*; 0 picks free ports."),
            new Key("media.loops", "--media-loops", "0", false, "Media event loops; 0 means one per core."),
            new Key("media.announce", "--announce", "127.0.0.1", false,
                    "Addresses put into SDP answers as host candidates, comma-separated (IPv4 and/or IPv6): what browsers reach."),
            new Key("media.consent-timeout-ms", null, "30000", false,
                    "A session whose peer passes no connectivity check for this long is closed (RFC 7675, 30 s); browsers check every 4-6 s."),
            new Key("media.ice-tcp", "--ice-tcp", "on", false,
                    "ICE-TCP (RFC 6544) for networks that block UDP: each loop also listens on TCP, and answers add a passive TCP candidate ranked below UDP (`on`/`off`)."),
            new Key("media.spread-after", "--spread-after", "200", false,
                    "Subscribers a room keeps on its home media loop before new ones are dealt round-robin over the loops: below this fan-out, handing packets to another loop costs more than it saves. 0 spreads from the first."),
            new Key("media.dtls-setup", "--dtls-setup", "passive", false,
                    "The `a=setup` answered to an actpass offer (RFC 5763 §5): `passive` makes Junction the DTLS server, as browsers and WHIP clients expect; `active` makes it the DTLS client (to test clients that must handle both, such as our load tool)."),
            new Key("media.subscriber-transport-cc", "--subscriber-transport-cc", "on", false,
                    "Transport-wide congestion control on the subscriber (WHEP) leg: Junction numbers every packet to a subscriber, reads its feedback, estimates its bandwidth and picks each of its video slots' simulcast layer (and its retransmission budget) from the estimate. `off`: not negotiated, every subscriber gets the highest active layer (`on`/`off`)."),
            new Key("media.dependency-descriptor", "--dependency-descriptor", "auto", false,
                    "The dependency descriptor header extension (AV1 RTP specification, appendix A), through which VP9 and AV1 publishers' temporal layers (`scalabilityMode` L1T2/L1T3) are forwarded per subscriber like VP8's. `auto`: answered to publishers whose first codec is VP9 or AV1 and to subscribers that offer it, declined for VP8 publishers (Chromium then moves VP8's temporal layers into it, and viewers that do not read it lose its picture ids); `on`: answered on both legs for every codec (VP8's temporal layers then come from it); `off`: declined."),

            new Key("media.max-sessions", "--max-sessions", "10000", false,
                    "Open sessions (WHIP and WHEP together) this process takes; beyond it a new one gets 503 with `Retry-After`, or in a cluster a 307 to a node that takes it."),
            new Key("turn.enabled", "--turn", "off", false,
                    "The embedded TURN server (RFC 8656) for networks that block UDP or allow only TCP/TLS: `on` listens on `turn.port` (UDP and TCP) and `turn.tls-port`, and WHIP/WHEP answers carry `Link: rel=\"ice-server\"` headers with fresh credentials (`on`/`off`)."),
            new Key("turn.port", "--turn-port", "3478", false, "TURN over UDP and TCP (one port number for both)."),
            new Key("turn.tls-port", "--turn-tls-port", "5349", false, "TURN over TLS (`turns:`); 0 turns TLS off."),
            new Key("turn.tls-cert", "--turn-tls-cert", "", false,
                    "PEM certificate (chain) for TURN over TLS. Empty: a self-signed certificate is generated at start, for local use (the log says so)."),
            new Key("turn.tls-key", "--turn-tls-key", "", false, "PEM private key (PKCS#8) of `turn.tls-cert`."),
            new Key("turn.realm", "--turn-realm", "junction", false, "REALM of the long-term credentials (RFC 8489 §9.2)."),
            new Key("turn.secret", "--turn-secret", "", true,
                    "Shared secret of the time-limited REST credentials (username `expiry:user`, password base64(HMAC-SHA1(secret, username))). Empty: a random one is generated at start, so credentials minted elsewhere will not work."),
            new Key("turn.credential-ttl-s", null, "86400", false, "How long the credentials in each `Link` header stay valid, in seconds."),
            new Key("turn.allowed-peers", "--turn-allowed-peers", "", false,
                    "CIDR ranges an allocation may also reach, comma-separated (e.g. `10.0.0.0/8`). Empty: only Junction's own media addresses; it is never an open relay."),
            new Key("turn.max-allocations", null, "1000", false, "Allocations in all; more get 508 (Insufficient Capacity)."),
            new Key("turn.max-allocations-per-user", null, "10", false, "Allocations per REST user (the part after `expiry:`); more get 486 (Allocation Quota Reached)."),
            new Key("turn.bandwidth-kbps", null, "0", false, "Relayed bandwidth per allocation, both directions together, in kbit/s; 0: unlimited."),
            new Key("turn.relay-ports", "--turn-relay-ports", "", false,
                    "UDP port range for relayed addresses, `low-high` (e.g. `49152-65535`). Empty: ephemeral ports from the kernel."),
            new Key("public.port", "--public-port", "0", false,
                    "One-port mode: one TCP port (e.g. 443) on `media.bind` that tells each connection apart by its first bytes and serves HTTPS (the HTTP API and the demo page), TURN over TLS and TCP (with `turn.enabled`) and ICE-TCP; answers and TURN links then name it too. 0: off."),
            new Key("public.tls-cert", "--public-tls-cert", "", false,
                    "PEM certificate (chain) for HTTPS and TURN over TLS on `public.port`. Empty: a self-signed certificate is generated at start, for local use (the log says so)."),
            new Key("public.tls-key", "--public-tls-key", "", false, "PEM private key (PKCS#8) of `public.tls-cert`."),
            new Key("public.turn-name", "--public-turn-name", "", false,
                    "A TLS server name (SNI) on `public.port` that always means TURN, e.g. `turn.example.com` pointing at the same address; `turns:` links for the port then carry it. Empty: links carry the announced IPs."),
            new Key("public.tls-without-alpn", null, "turn", false,
                    "Where a TLS connection on `public.port` that offers no ALPN goes: `turn` (browsers' TURN clients offer none, their HTTPS always does) or `https`. Only while TURN is on; else HTTPS."),
            new Key("cluster.enabled", "--cluster", "off", false,
                    "Join or form a cluster of Junction nodes (README \"Cluster\"): a shared room directory, WHIP POSTs for a room homed elsewhere answered with 307 to its home, new rooms homed on the least-loaded node, WHEP served on every node through node pipes from the home (`on`/`off`). Off: nothing cluster-related runs or loads."),
            new Key("cluster.node-name", "--node-name", "", false,
                    "This node's name in the room directory, unique in the cluster (letters, digits, `.`, `_`, `-`). Empty: `cluster.host`-`cluster.port`."),
            new Key("cluster.host", "--cluster-host", "127.0.0.1", false,
                    "IP address the cluster's TCP port binds to and announces to the other nodes; on several machines a private-network address."),
            new Key("cluster.port", "--cluster-port", "5701", false, "The cluster's TCP port (membership and the directory)."),
            new Key("cluster.members", "--cluster-members", "", false,
                    "The other nodes as `host:port` (their `cluster.host` and `cluster.port`), comma-separated: the TCP/IP member list, no multicast. Listing every node on every node is fine. Empty: start alone and let others join."),
            new Key("cluster.secret", "--cluster-secret", "", true,
                    "Shared by every node (at least 16 characters); required with `cluster.enabled`. Only nodes with the same secret form a cluster, and node pipes' keys travel wrapped under a key derived from it; the cluster's other traffic is not encrypted: keep the cluster port on a private network."),
            new Key("cluster.public-url", "--public-url", "", false,
                    "This node's HTTP API as clients reach it, e.g. `https://node1.example.com`: the base of the `Location` other nodes send in a 307. Announced with the node's cluster membership, the only place redirects take URLs from. Empty: `http://` `http.bind`:`http.port` (so required when `http.bind` is a wildcard or `http.port` is 0)."),
            new Key("cluster.member-timeout-s", null, "60", false,
                    "A node silent for this long is declared gone, and its rooms and load leave the directory (a node that stops cleanly leaves at once)."),
            new Key("log.format", "--log-format", "text", false, "`text` lines, or `json` lines (one JSON object per event) for a log pipeline."),
            new Key("log.level", "--log-level", "info", false, "The root level: `trace`, `debug`, `info`, `warn`, `error` or `off`."),
            new Key("log.levels", null, "io.netty=warn,io.vertx=warn,org.jitsi=warn,com.hazelcast=warn", false,
                    "Levels per logger prefix, `prefix=level` separated by commas, e.g. `dev.junction.session=debug`."));

    private ConfigKeys() {
    }

    /** The key named {@code name}. */
    public static Optional<Key> named(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** The key {@code flag} sets. */
    public static Optional<Key> byFlag(String flag) {
        return ALL.stream().filter(k -> flag.equals(k.flag())).findFirst();
    }

    /** README's table of keys, one row each, in this class's order. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | flag | environment | default | meaning |\n");
        sb.append("| --- | --- | --- | --- | --- |\n");
        for (Key k : ALL) {
            sb.append("| `").append(k.name()).append("` | ")
                    .append(k.flag() == null ? "" : "`" + k.flag() + "`").append(" | `")
                    .append(k.environmentVariable()).append("` | ")
                    .append(k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`").append(" | ")
                    .append(k.help().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** A properties file with every key at its default and its help as a comment: {@code junction.properties}. */
    public static String exampleProperties() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Junction's settings at their defaults (generated from ConfigKeys; `./junction config example`).\n");
        sb.append("# Copy it, change what you need and pass it with `./junction serve --config FILE`.\n");
        sb.append("# Precedence: these defaults, then the file, then JUNCTION_* environment variables, then flags.\n");
        for (Key k : ALL) {
            sb.append('\n');
            sb.append("# ").append(k.help().replace("`", "")).append('\n');
            sb.append(k.name()).append(" = ").append(k.defaultValue()).append('\n');
        }
        return sb.toString();
    }
}
