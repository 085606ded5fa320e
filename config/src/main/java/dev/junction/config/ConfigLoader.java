package dev.junction.config;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Set;

/**
 * Builds a {@link JunctionConfig} from three layers, later ones winning: the defaults in
 * {@code junction.properties} (this module's resource), the file named by {@code --config}, and the
 * command-line flags. Every rejected value throws {@link ConfigException} naming the flag or key.
 */
public final class ConfigLoader {

    /** Flags and the keys they set. */
    private static final Map<String, String> FLAGS = Map.of(
            "--http-port", "http.port",
            "--media-port", "media.port",
            "--announce", "media.announce",
            "--bind", "bind",
            "--media-loops", "media.loops",
            "--ice-tcp", "media.ice-tcp",
            "--token", "http.token");

    private static final Set<String> KEYS = Set.of(
            "http.bind", "http.port", "http.max-body-bytes", "http.token", "http.header-timeout-ms", "http.body-timeout-ms",
            "http.idle-timeout-ms", "http.max-connections-per-source",
            "media.bind", "media.port", "media.loops", "media.announce", "media.consent-timeout-ms", "media.ice-tcp");

    private ConfigLoader() {
    }

    /** Loads defaults, then {@code --config FILE} if given, then the other flags in {@code args}. */
    public static JunctionConfig load(String[] args) {
        Map<String, Source> values = new LinkedHashMap<>();
        readDefaults(values);
        Map<String, String> flags = parseFlags(args);
        String file = flags.remove("--config");
        if (file != null) readFile(Path.of(file), values);
        flags.forEach((flag, value) -> {
            String key = FLAGS.get(flag);
            if (key.equals("bind")) {
                values.put("http.bind", new Source(value, flag));
                values.put("media.bind", new Source(value, flag));
            } else {
                values.put(key, new Source(value, flag));
            }
        });
        return build(values);
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
            if (!name.equals("--config") && !FLAGS.containsKey(name)) {
                throw new ConfigException("unknown option '" + arg + "' (known: --config, " + String.join(", ", FLAGS.keySet().stream().sorted().toList()) + ")");
            }
            if (value == null) {
                if (i + 1 >= args.length) throw new ConfigException(name + ": a value is required");
                value = args[++i];
            }
            flags.put(name, value);
        }
        return flags;
    }

    private static void readDefaults(Map<String, Source> values) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/junction.properties")) {
            if (in == null) throw new IllegalStateException("junction.properties is missing from the config jar");
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            put(p, "junction.properties", values);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in junction.properties", e);
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
            if (!KEYS.contains(key)) {
                throw new ConfigException(origin + ": unknown key '" + key + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
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
                positiveInt(v.get("http.max-connections-per-source")));
        MediaSettings media = new MediaSettings(
                address(v.get("media.bind")),
                port(v.get("media.port")),
                nonNegativeInt(v.get("media.loops")),
                announce(v.get("media.announce")),
                positiveInt(v.get("media.consent-timeout-ms")),
                onOff(v.get("media.ice-tcp")));
        return new JunctionConfig(http, media);
    }

    private static String token(Source s) {
        String t = s.value();
        // RFC 6750 §2.1 b64token characters, so the header can carry it unquoted.
        if (!t.isEmpty() && !t.matches("[A-Za-z0-9\\-._~+/]+=*")) {
            throw new ConfigException(s.origin() + ": a bearer token may use only letters, digits and -._~+/ (then =)");
        }
        return t;
    }

    /** {@code on}/{@code true} or {@code off}/{@code false}, in any case. */
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
