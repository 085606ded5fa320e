package dev.junction.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link JunctionConfig} from four layers, later ones winning: the built-in defaults ({@link ConfigKeys}),
 * the file named by {@code --config}, {@code JUNCTION_*} environment variables, and the command-line flags. Every
 * rejected value throws {@link ConfigException} naming the flag, key or variable it came from.
 */
public final class ConfigLoader {

    /** One effective setting and where it came from, for {@code ./junction config check} and the start-up print. */
    public record Setting(ConfigKeys.Key key, String value, String origin) {

        /** {@code key = value  (origin)}, a secret's value masked. */
        public String describe() {
            String shown = key.secret() ? (value.isEmpty() ? "" : "********") : value;
            return key.name() + " = " + shown + "  (" + origin + ")";
        }
    }

    /** A loaded configuration and every setting behind it, in {@link ConfigKeys#ALL}'s order. */
    public record Loaded(JunctionConfig config, List<Setting> settings) {
    }

    private ConfigLoader() {
    }

    /** Loads defaults, then {@code --config FILE} if given, then the environment, then the other flags in {@code args}. */
    public static JunctionConfig load(String[] args) {
        return loadWithSources(args, System.getenv()).config();
    }

    /** As {@link #load(String[])}, with {@code environment} in place of the process's, and the settings' sources. */
    public static Loaded loadWithSources(String[] args, Map<String, String> environment) {
        Map<String, Source> values = new LinkedHashMap<>();
        for (ConfigKeys.Key k : ConfigKeys.ALL) values.put(k.name(), new Source(k.defaultValue(), "default"));
        Map<String, String> flags = parseFlags(args);
        String file = flags.remove("--config");
        if (file != null) readFile(Path.of(file), values);
        readEnvironment(environment, values);
        flags.forEach((flag, value) -> {
            if (flag.equals(ConfigKeys.BIND_FLAG)) {
                values.put("http.bind", new Source(value, flag));
                values.put("media.bind", new Source(value, flag));
            } else {
                values.put(ConfigKeys.byFlag(flag).orElseThrow().name(), new Source(value, flag));
            }
        });
        JunctionConfig config = build(values);
        List<Setting> settings = new ArrayList<>();
        for (ConfigKeys.Key k : ConfigKeys.ALL) {
            Source s = values.get(k.name());
            settings.add(new Setting(k, s.value(), s.origin()));
        }
        return new Loaded(config, List.copyOf(settings));
    }

    /** A value and where it came from, so that an error names the flag or key the user wrote. */
    private record Source(String value, String origin) {
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!name.equals("--config") && !name.equals(ConfigKeys.BIND_FLAG) && ConfigKeys.byFlag(name).isEmpty()) {
                throw new ConfigException("unknown option '" + arg + "' (known: " + String.join(", ", knownFlags()) + ")");
            }
            if (value == null && isSwitch(name) && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                // An on/off switch given bare (`--turn`) means on.
                value = "on";
            }
            if (value == null) {
                if (i + 1 >= args.length) throw new ConfigException(name + ": a value is required");
                value = args[++i];
            }
            flags.put(name, value);
        }
        return flags;
    }

    /** A flag whose key is on or off by default, which may then be given without a value. */
    private static boolean isSwitch(String flag) {
        return ConfigKeys.byFlag(flag).map(k -> k.defaultValue().equals("on") || k.defaultValue().equals("off")).orElse(false);
    }

    private static List<String> knownFlags() {
        List<String> known = new ArrayList<>(List.of("--config", ConfigKeys.BIND_FLAG));
        for (ConfigKeys.Key k : ConfigKeys.ALL) if (k.flag() != null) known.add(k.flag());
        return known.stream().sorted().toList();
    }

    /** {@code JUNCTION_*} variables: each must name a key (the launcher's own excepted). */
    private static void readEnvironment(Map<String, String> environment, Map<String, Source> values) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(environment).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith(ConfigKeys.ENV_PREFIX) || ConfigKeys.LAUNCHER_VARIABLES.contains(variable)) continue;
            ConfigKeys.Key key = ConfigKeys.ALL.stream().filter(k -> k.environmentVariable().equals(variable)).findFirst()
                    .orElseThrow(() -> new ConfigException("environment " + variable + ": no such setting (known: "
                            + String.join(", ", ConfigKeys.ALL.stream().map(ConfigKeys.Key::environmentVariable).toList()) + ")"));
            values.put(key.name(), new Source(e.getValue().trim(), "environment " + variable));
        }
    }

    private static void readFile(Path file, Map<String, Source> values) {
        Properties p = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config: no such file: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--config: cannot read " + file + ": " + e.getMessage());
        }
        put(p, file.toString(), values);
    }

    private static void put(Properties p, String origin, Map<String, Source> values) {
        for (String key : p.stringPropertyNames()) {
            if (ConfigKeys.named(key).isEmpty()) {
                throw new ConfigException(origin + ": unknown key '" + key + "' (known: "
                        + String.join(", ", ConfigKeys.ALL.stream().map(ConfigKeys.Key::name).sorted().toList()) + ")");
            }
            values.put(key, new Source(p.getProperty(key).trim(), origin + " key " + key));
        }
    }

    private static JunctionConfig build(Map<String, Source> v) {
        HttpSettings http = new HttpSettings(
                address(v.get("http.bind")),
                port(v.get("http.port")),
                positiveInt(v.get("http.max-body-bytes")),
                token(v.get("http.token")),
                positiveInt(v.get("http.header-timeout-ms")),
                positiveInt(v.get("http.body-timeout-ms")),
                positiveInt(v.get("http.idle-timeout-ms")),
                positiveInt(v.get("http.max-connections-per-source")),
                token(v.get("http.admin-token")));
        MediaSettings media = new MediaSettings(
                address(v.get("media.bind")),
                port(v.get("media.port")),
                nonNegativeInt(v.get("media.loops")),
                announce(v.get("media.announce")),
                positiveInt(v.get("media.consent-timeout-ms")),
                onOff(v.get("media.ice-tcp")),
                nonNegativeInt(v.get("media.spread-after")),
                dtlsClient(v.get("media.dtls-setup")),
                onOff(v.get("media.subscriber-transport-cc")),
                positiveInt(v.get("media.max-sessions")),
                dependencyDescriptor(v.get("media.dependency-descriptor")));
        LogSettings log = new LogSettings(logFormat(v.get("log.format")), logLevel(v.get("log.level"), v.get("log.level").value()),
                logLevels(v.get("log.levels")));
        return new JunctionConfig(http, media, log, turn(v), publicPort(v), cluster(v, http));
    }

    private static PublicPortConfig publicPort(Map<String, Source> v) {
        Source cert = v.get("public.tls-cert");
        Source key = v.get("public.tls-key");
        if (cert.value().isEmpty() != key.value().isEmpty()) {
            throw new ConfigException((cert.value().isEmpty() ? key : cert).origin() + ": public.tls-cert and public.tls-key go together");
        }
        Source name = v.get("public.turn-name");
        if (!name.value().isEmpty() && !PublicPortConfig.isDnsName(name.value())) {
            throw new ConfigException(name.origin() + ": expected a DNS name (letters, digits, '-', '.'), got '" + name.value() + "'");
        }
        Source noAlpn = v.get("public.tls-without-alpn");
        boolean toTurn = switch (noAlpn.value().toLowerCase(java.util.Locale.ROOT)) {
            case "turn" -> true;
            case "https" -> false;
            default -> throw new ConfigException(noAlpn.origin() + ": expected turn or https, got '" + noAlpn.value() + "'");
        };
        return new PublicPortConfig(port(v.get("public.port")), cert.value(), key.value(), name.value(), toTurn);
    }

    /** Formats are checked whether or not clustering is on; what a cluster needs, only when it is. */
    private static ClusterSettings cluster(Map<String, Source> v, HttpSettings http) {
        boolean enabled = onOff(v.get("cluster.enabled"));
        Source name = v.get("cluster.node-name");
        if (!name.value().isEmpty() && !name.value().matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException(name.origin() + ": a node name is 1-64 letters, digits, '.', '_' or '-', got '" + name.value() + "'");
        }
        String host = address(v.get("cluster.host"));
        Source portSource = v.get("cluster.port");
        int port = port(portSource);
        if (port == 0) throw new ConfigException(portSource.origin() + ": the cluster port must be fixed (1-65535): other nodes name it in their member lists");
        List<String> members = clusterMembers(v.get("cluster.members"));
        Source secret = v.get("cluster.secret");
        if (enabled && secret.value().length() < 16) {
            throw new ConfigException(secret.origin() + ": a cluster needs a shared secret of at least 16 characters (--cluster-secret, cluster.secret)"
                    + (secret.value().isEmpty() ? "" : ", got " + secret.value().length()));
        }
        String publicUrl = publicUrl(v.get("cluster.public-url"));
        if (enabled && publicUrl.isEmpty() && IpLiteral.parse(http.bindAddress()).map(InetAddress::isAnyLocalAddress).orElse(false)) {
            throw new ConfigException(v.get("cluster.public-url").origin() + ": with http.bind " + http.bindAddress()
                    + " other nodes cannot tell clients where this node is; set --public-url (cluster.public-url)");
        }
        if (enabled && publicUrl.isEmpty() && http.port() == 0) {
            throw new ConfigException(v.get("cluster.public-url").origin() + ": with http.port 0 the node's URL is not known when it joins;"
                    + " set --public-url (cluster.public-url) or a fixed --http-port");
        }
        Source timeout = v.get("cluster.member-timeout-s");
        int timeoutS = positiveInt(timeout);
        if (timeoutS < 2) throw new ConfigException(timeout.origin() + ": expected at least 2 seconds, got '" + timeout.value() + "'");
        return new ClusterSettings(enabled, name.value(), host, port, members, secret.value(), publicUrl, timeoutS);
    }

    /** {@code host:port[,host:port...]}: an IP literal ({@code [v6]} in brackets) or a DNS name, and a port 1-65535. */
    private static List<String> clusterMembers(Source s) {
        List<String> out = new ArrayList<>();
        if (s.value().isBlank()) return out;
        for (String part : s.value().split(",", -1)) {
            String member = part.trim();
            int colon = member.lastIndexOf(':');
            String host = colon < 0 ? "" : member.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = IpLiteral.parse(host.substring(1, host.length() - 1)).map(InetAddress::getHostAddress).orElse("");
            } else if (host.indexOf(':') >= 0 || !host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                host = "";
            }
            int port = -1;
            try {
                if (colon >= 0) port = Integer.parseInt(member.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || port < 1 || port > 65_535) {
                throw new ConfigException(s.origin() + ": expected host:port members separated by commas ([v6]:port for IPv6), got '" + member + "'");
            }
            out.add((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
        }
        return out;
    }

    /** Empty, or an absolute http(s) URL with a host and no query or fragment; returned without a trailing slash. */
    private static String publicUrl(Source s) {
        String url = s.value();
        if (url.isEmpty()) return url;
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null
                || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new ConfigException(s.origin() + ": expected the URL clients reach this node at, like https://node1.example.com[:port][/prefix], got '" + url + "'");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static TurnConfig turn(Map<String, Source> v) {
        Source cert = v.get("turn.tls-cert");
        Source key = v.get("turn.tls-key");
        if (cert.value().isEmpty() != key.value().isEmpty()) {
            throw new ConfigException((cert.value().isEmpty() ? key : cert).origin() + ": turn.tls-cert and turn.tls-key go together");
        }
        Source realm = v.get("turn.realm");
        if (realm.value().isEmpty() || !realm.value().chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
            throw new ConfigException(realm.origin() + ": expected a realm of printable ASCII without quotes or spaces, got '" + realm.value() + "'");
        }
        Source ports = v.get("turn.relay-ports");
        int min = 0;
        int max = 0;
        if (!ports.value().isEmpty()) {
            String[] range = ports.value().split("-", -1);
            try {
                if (range.length != 2) throw new NumberFormatException();
                min = Integer.parseInt(range[0].trim());
                max = Integer.parseInt(range[1].trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(ports.origin() + ": expected a port range low-high, got '" + ports.value() + "'");
            }
            if (min < 1 || max > 65_535 || min > max) {
                throw new ConfigException(ports.origin() + ": expected ports 1-65535 with low <= high, got '" + ports.value() + "'");
            }
        }
        return new TurnConfig(onOff(v.get("turn.enabled")), port(v.get("turn.port")), port(v.get("turn.tls-port")),
                cert.value(), key.value(), realm.value(), v.get("turn.secret").value(), positiveInt(v.get("turn.credential-ttl-s")),
                cidrs(v.get("turn.allowed-peers")), positiveInt(v.get("turn.max-allocations")),
                positiveInt(v.get("turn.max-allocations-per-user")), nonNegativeInt(v.get("turn.bandwidth-kbps")), min, max);
    }

    /** {@code address/prefix} (or a bare address) separated by commas, IP literals only; empty for none. */
    private static List<String> cidrs(Source s) {
        List<String> out = new ArrayList<>();
        if (s.value().isBlank()) return out;
        for (String part : s.value().split(",", -1)) {
            String cidr = part.trim();
            int slash = cidr.indexOf('/');
            String ip = slash < 0 ? cidr : cidr.substring(0, slash);
            InetAddress address = IpLiteral.parse(ip).orElseThrow(
                    () -> new ConfigException(s.origin() + ": expected CIDR ranges like 10.0.0.0/8, got '" + cidr + "'"));
            int bits = address.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
            }
            if (prefix < 0 || prefix > bits) throw new ConfigException(s.origin() + ": bad prefix length in '" + cidr + "'");
            out.add(address.getHostAddress() + "/" + prefix);
        }
        return out;
    }

    private static String token(Source s) {
        String t = s.value();
        // RFC 6750 §2.1 b64token characters, so the header can carry it unquoted.
        if (!t.isEmpty() && !t.matches("[A-Za-z0-9\\-._~+/]+=*")) {
            throw new ConfigException(s.origin() + ": a bearer token may use only letters, digits and -._~+/ (then =)");
        }
        return t;
    }

    private static boolean logFormat(Source s) {
        return switch (s.value().toLowerCase(java.util.Locale.ROOT)) {
            case "text" -> false;
            case "json" -> true;
            default -> throw new ConfigException(s.origin() + ": expected text or json, got '" + s.value() + "'");
        };
    }

    private static String logLevel(Source s, String text) {
        String level = LogSettings.level(text);
        if (level == null) throw new ConfigException(s.origin() + ": expected a level (trace, debug, info, warn, error, off), got '" + text + "'");
        return level;
    }

    /** {@code prefix=level[,prefix=level...]}, e.g. {@code io.netty=warn,dev.junction.transport=debug}; empty for none. */
    private static Map<String, String> logLevels(Source s) {
        Map<String, String> levels = new LinkedHashMap<>();
        if (s.value().isBlank()) return levels;
        for (String part : s.value().split(",", -1)) {
            int eq = part.indexOf('=');
            String prefix = eq < 0 ? "" : part.substring(0, eq).trim();
            if (eq < 0 || !prefix.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
                throw new ConfigException(s.origin() + ": expected logger=level pairs separated by commas, got '" + part.trim() + "'");
            }
            levels.put(prefix, logLevel(s, part.substring(eq + 1)));
        }
        return levels;
    }

    /** {@code on}/{@code true} or {@code off}/{@code false}, in any case. */
    /** {@code media.dtls-setup}: true for {@code active} (Junction the DTLS client), false for {@code passive}. */
    private static boolean dtlsClient(Source s) {
        return switch (s.value().toLowerCase(java.util.Locale.ROOT)) {
            case "active" -> true;
            case "passive" -> false;
            default -> throw new ConfigException(s.origin() + ": expected passive or active, got '" + s.value() + "'");
        };
    }

    private static DependencyDescriptorMode dependencyDescriptor(Source s) {
        return switch (s.value().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> DependencyDescriptorMode.AUTO;
            case "on", "true" -> DependencyDescriptorMode.ON;
            case "off", "false" -> DependencyDescriptorMode.OFF;
            default -> throw new ConfigException(s.origin() + ": expected auto, on or off, got '" + s.value() + "'");
        };
    }

    private static boolean onOff(Source s) {
        return switch (s.value().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new ConfigException(s.origin() + ": expected on or off, got '" + s.value() + "'");
        };
    }

    private static int port(Source s) {
        int port = integer(s, "a port number 0-65535");
        if (port < 0 || port > 65_535) throw new ConfigException(s.origin() + ": expected a port number 0-65535, got '" + s.value() + "'");
        return port;
    }

    private static int positiveInt(Source s) {
        int n = integer(s, "a positive integer");
        if (n < 1) throw new ConfigException(s.origin() + ": expected a positive integer, got '" + s.value() + "'");
        return n;
    }

    private static int nonNegativeInt(Source s) {
        int n = integer(s, "an integer >= 0");
        if (n < 0) throw new ConfigException(s.origin() + ": expected an integer >= 0, got '" + s.value() + "'");
        return n;
    }

    private static int integer(Source s, String expected) {
        try {
            return Integer.parseInt(s.value());
        } catch (NumberFormatException e) {
            throw new ConfigException(s.origin() + ": expected " + expected + ", got '" + s.value() + "'");
        }
    }

    private static List<String> announce(Source s) {
        List<String> out = new ArrayList<>();
        for (String part : s.value().split(",", -1)) {
            String ip = part.trim();
            if (ip.isEmpty()) throw new ConfigException(s.origin() + ": empty address in '" + s.value() + "'");
            out.add(literalIp(ip, s));
        }
        return out;
    }

    private static String address(Source s) {
        return literalIp(s.value(), s);
    }

    /** Accepts only IP literals (never a name lookup) and returns the canonical form. */
    private static String literalIp(String ip, Source s) {
        return IpLiteral.parse(ip).map(InetAddress::getHostAddress).orElseThrow(
                () -> new ConfigException(s.origin() + ": expected an IPv4 or IPv6 address, got '" + ip + "'"));
    }
}
