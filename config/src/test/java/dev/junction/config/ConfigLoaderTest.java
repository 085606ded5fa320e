package dev.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void shouldLoadBuiltInDefaults() {
        JunctionConfig c = JunctionConfig.defaults();
        assertEquals(8080, c.http().port());
        assertEquals("127.0.0.1", c.http().bindAddress());
        assertEquals(65536, c.http().maxBodyBytes());
        assertEquals(false, c.http().requiresToken());
        assertEquals(40000, c.media().basePort());
        assertEquals(List.of("127.0.0.1"), c.media().announce());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.media().effectiveLoops());
    }

    @Test
    void shouldLetFlagsOverrideDefaults() {
        JunctionConfig c = ConfigLoader.load(new String[] {
                "--http-port", "9000", "--media-port=41000", "--announce", "127.0.0.1,::1", "--bind", "0.0.0.0"});
        assertEquals(9000, c.http().port());
        assertEquals(41000, c.media().basePort());
        assertEquals(List.of("127.0.0.1", "0:0:0:0:0:0:0:1"), c.media().announce());
        assertEquals("0.0.0.0", c.http().bindAddress());
        assertEquals("0.0.0.0", c.media().bindAddress());
    }

    @Test
    void shouldApplyFileThenFlags(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("j.properties");
        Files.writeString(file, "http.port = 7000\nmedia.port = 42000\nmedia.loops = 3\n");
        JunctionConfig c = ConfigLoader.load(new String[] {"--config", file.toString(), "--http-port", "7001"});
        assertEquals(7001, c.http().port(), "flag wins over file");
        assertEquals(42000, c.media().basePort(), "file wins over defaults");
        assertEquals(3, c.media().effectiveLoops());
    }

    @Test
    void shouldTakeABearerTokenAndRedactIt() {
        JunctionConfig c = ConfigLoader.load(new String[] {"--token", "s3cr3t-Token_1"});
        assertEquals("s3cr3t-Token_1", c.http().bearerToken());
        assertTrue(c.http().requiresToken());
        assertTrue(!c.toString().contains("s3cr3t"), c.toString());
        assertMessage("--token: a bearer token may use only letters, digits and -._~+/ (then =)", "--token", "has space");
    }

    @Test
    void shouldNameTheFlagOfAnInvalidPort() {
        assertMessage("--http-port: expected a port number 0-65535, got 'abc'", "--http-port", "abc");
        assertMessage("--media-port: expected a port number 0-65535, got '70000'", "--media-port", "70000");
        assertMessage("--http-port: expected a port number 0-65535, got '-1'", "--http-port=-1");
    }

    @Test
    void shouldNameTheFlagOfAnInvalidAddress() {
        assertMessage("--announce: expected an IPv4 or IPv6 address, got 'example.com'", "--announce", "example.com");
        assertMessage("--announce: expected an IPv4 or IPv6 address, got '1.2.3.256'", "--announce", "1.2.3.256");
        assertMessage("--announce: empty address in '127.0.0.1,'", "--announce", "127.0.0.1,");
        assertMessage("--bind: expected an IPv4 or IPv6 address, got 'localhost'", "--bind", "localhost");
    }

    @Test
    void shouldRejectUnknownOrIncompleteFlags() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--htp-port", "1"}));
        assertTrue(e.getMessage().startsWith("unknown option '--htp-port'"), e.getMessage());
        assertMessage("--http-port: a value is required", "--http-port");
    }

    @Test
    void shouldRejectBadConfigFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "http.prot = 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", file.toString()}));
        assertTrue(e.getMessage().contains("unknown key 'http.prot'"), e.getMessage());
        Files.writeString(file, "media.loops = many\n");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", file.toString()}));
        assertTrue(e.getMessage().contains("key media.loops: expected an integer >= 0, got 'many'"), e.getMessage());
        assertMessage("--config: no such file: " + dir.resolve("none"), "--config", dir.resolve("none").toString());
    }

    @Test
    void shouldLoadTheConnectionLimits(@TempDir Path dir) throws IOException {
        HttpSettings defaults = JunctionConfig.defaults().http();
        assertEquals(10_000, defaults.headerTimeoutMs());
        assertEquals(10_000, defaults.bodyTimeoutMs());
        assertEquals(30_000, defaults.idleTimeoutMs());
        assertEquals(64, defaults.maxConnectionsPerSource());

        Path file = dir.resolve("limits.properties");
        Files.writeString(file, "http.header-timeout-ms = 2500\nhttp.body-timeout-ms = 4000\n"
                + "http.idle-timeout-ms = 60000\nhttp.max-connections-per-source = 8\n");
        HttpSettings set = ConfigLoader.load(new String[] {"--config", file.toString()}).http();
        assertEquals(2500, set.headerTimeoutMs());
        assertEquals(4000, set.bodyTimeoutMs());
        assertEquals(60_000, set.idleTimeoutMs());
        assertEquals(8, set.maxConnectionsPerSource());

        assertEquals(30_000, JunctionConfig.defaults().media().consentTimeoutMs());
        Files.writeString(file, "media.consent-timeout-ms = 12000\n");
        assertEquals(12_000, ConfigLoader.load(new String[] {"--config", file.toString()}).media().consentTimeoutMs());

        Files.writeString(file, "http.max-connections-per-source = 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", file.toString()}));
        assertTrue(e.getMessage().contains("key http.max-connections-per-source: expected a positive integer, got '0'"), e.getMessage());
    }

    @Test
    void shouldAnswerPassiveByDefaultAndActiveWhenConfigured(@TempDir Path dir) throws IOException {
        assertFalse(JunctionConfig.defaults().media().dtlsClient());
        assertTrue(ConfigLoader.load(new String[] {"--dtls-setup", "active"}).media().dtlsClient());
        Path file = dir.resolve("dtls.properties");
        Files.writeString(file, "media.dtls-setup = PASSIVE\n");
        assertFalse(ConfigLoader.load(new String[] {"--config", file.toString()}).media().dtlsClient());
        assertMessage("--dtls-setup: expected passive or active, got 'actpass'", "--dtls-setup", "actpass");
    }

    @Test
    void shouldNegotiateTheDependencyDescriptorAutomaticallyByDefault(@TempDir Path dir) throws IOException {
        assertEquals(DependencyDescriptorMode.AUTO, JunctionConfig.defaults().media().dependencyDescriptor());
        assertEquals(DependencyDescriptorMode.ON, ConfigLoader.load(new String[] {"--dependency-descriptor", "on"}).media().dependencyDescriptor());
        Path file = dir.resolve("dd.properties");
        Files.writeString(file, "media.dependency-descriptor = OFF\n");
        assertEquals(DependencyDescriptorMode.OFF, ConfigLoader.load(new String[] {"--config", file.toString()}).media().dependencyDescriptor());
        assertMessage("--dependency-descriptor: expected auto, on or off, got 'vp9'", "--dependency-descriptor", "vp9");
    }

    @Test
    void shouldTurnIceTcpOnByDefaultAndOffByFlagOrKey(@TempDir Path dir) throws IOException {
        assertTrue(JunctionConfig.defaults().media().iceTcp());
        assertEquals(false, ConfigLoader.load(new String[] {"--ice-tcp", "off"}).media().iceTcp());
        assertEquals(true, ConfigLoader.load(new String[] {"--ice-tcp", "ON"}).media().iceTcp());
        Path file = dir.resolve("tcp.properties");
        Files.writeString(file, "media.ice-tcp = false\n");
        assertEquals(false, ConfigLoader.load(new String[] {"--config", file.toString()}).media().iceTcp());
        assertMessage("--ice-tcp: expected on or off, got 'maybe'", "--ice-tcp", "maybe");
    }

    @Test
    void shouldLayerDefaultsFileEnvironmentThenFlags(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("layers.properties");
        Files.writeString(file, "http.port = 9000\nmedia.port = 41000\nmedia.loops = 3\n");
        Map<String, String> env = Map.of("JUNCTION_MEDIA_PORT", "42000", "JUNCTION_MEDIA_LOOPS", "2", "JUNCTION_JVM_OPTS", "-Xmx1g",
                "PATH", "/usr/bin");
        ConfigLoader.Loaded loaded = ConfigLoader.loadWithSources(new String[] {"--config", file.toString(), "--media-loops", "1"}, env);
        assertEquals(9000, loaded.config().http().port(), "the file over the default");
        assertEquals(42000, loaded.config().media().basePort(), "the environment over the file");
        assertEquals(1, loaded.config().media().loops(), "a flag over the environment");
        Map<String, String> origins = new java.util.HashMap<>();
        for (ConfigLoader.Setting s : loaded.settings()) origins.put(s.key().name(), s.origin());
        assertEquals("default", origins.get("http.bind"));
        assertEquals(file + " key http.port", origins.get("http.port"));
        assertEquals("environment JUNCTION_MEDIA_PORT", origins.get("media.port"));
        assertEquals("--media-loops", origins.get("media.loops"));
        assertEquals(ConfigKeys.ALL.size(), loaded.settings().size());
    }

    @Test
    void shouldRefuseAnEnvironmentVariableThatNamesNoKeyAndABadValueFromOne() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ConfigLoader.loadWithSources(new String[0], Map.of("JUNCTION_HTTP_PROT", "80")));
        assertTrue(unknown.getMessage().startsWith("environment JUNCTION_HTTP_PROT: no such setting (known: JUNCTION_HTTP_BIND, "), unknown.getMessage());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigLoader.loadWithSources(new String[0], Map.of("JUNCTION_HTTP_PORT", "eighty")));
        assertEquals("environment JUNCTION_HTTP_PORT: expected a port number 0-65535, got 'eighty'", bad.getMessage());
    }

    @Test
    void shouldReadOnePortSettingsAndRefuseBadOnes() {
        assertEquals(PublicPortConfig.off(), JunctionConfig.defaults().publicPort(), "off by default");
        PublicPortConfig on = ConfigLoader.load(new String[] {"--public-port", "443", "--public-turn-name", "TURN.example.com"}).publicPort();
        assertTrue(on.enabled());
        assertEquals(443, on.port());
        assertEquals("turn.example.com", on.turnName());
        assertTrue(on.noAlpnToTurn());
        assertEquals(false, ConfigLoader.loadWithSources(new String[0], Map.of("JUNCTION_PUBLIC_TLS_WITHOUT_ALPN", "https"))
                .config().publicPort().noAlpnToTurn());
        assertEquals("--public-port: expected a port number 0-65535, got '70000'",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--public-port", "70000"})).getMessage());
        assertEquals("--public-tls-cert: public.tls-cert and public.tls-key go together",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--public-tls-cert", "/etc/cert.pem"})).getMessage());
        assertEquals("--public-turn-name: expected a DNS name (letters, digits, '-', '.'), got 'turn example'",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--public-turn-name", "turn example"})).getMessage());
        assertEquals("environment JUNCTION_PUBLIC_TLS_WITHOUT_ALPN: expected turn or https, got 'both'",
                assertThrows(ConfigException.class, () -> ConfigLoader.loadWithSources(new String[0],
                        Map.of("JUNCTION_PUBLIC_TLS_WITHOUT_ALPN", "both"))).getMessage());
    }

    @Test
    void shouldMaskTheTokenWhereSettingsArePrinted() {
        ConfigLoader.Loaded loaded = ConfigLoader.loadWithSources(new String[] {"--token", "s3cret"}, Map.of());
        String token = loaded.settings().stream().filter(s -> s.key().name().equals("http.token")).findFirst().orElseThrow().describe();
        assertEquals("http.token = ********  (--token)", token);
        String all = String.join("\n", loaded.settings().stream().map(ConfigLoader.Setting::describe).toList());
        assertTrue(!all.contains("s3cret"), all);
        assertTrue(all.contains("media.port = 40000  (default)"), all);
    }

    @Test
    void shouldLoadAndCheckTheLogSettings() {
        LogSettings defaults = JunctionConfig.defaults().log();
        assertEquals(false, defaults.json());
        assertEquals("INFO", defaults.level());
        assertEquals("WARN", defaults.levels().get("io.netty"));
        LogSettings set = ConfigLoader.loadWithSources(new String[] {"--log-format", "json", "--log-level", "debug"},
                Map.of("JUNCTION_LOG_LEVELS", "dev.junction.session=trace, io.vertx=error")).config().log();
        assertEquals(true, set.json());
        assertEquals("DEBUG", set.level());
        assertEquals(Map.of("dev.junction.session", "TRACE", "io.vertx", "ERROR"), set.levels());
        assertMessage("--log-format: expected text or json, got 'xml'", "--log-format", "xml");
        assertMessage("--log-level: expected a level (trace, debug, info, warn, error, off), got 'loud'", "--log-level", "loud");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigLoader.loadWithSources(new String[0], Map.of("JUNCTION_LOG_LEVELS", "io.netty")));
        assertEquals("environment JUNCTION_LOG_LEVELS: expected logger=level pairs separated by commas, got 'io.netty'", bad.getMessage());
    }

    @Test
    void shouldLeaveClusteringOffByDefault() {
        ClusterSettings c = JunctionConfig.defaults().cluster();
        assertEquals(false, c.enabled());
        assertEquals("127.0.0.1-5701", c.effectiveNodeName());
    }

    @Test
    void shouldTakeTheClusterFlags() {
        ClusterSettings c = ConfigLoader.load(new String[] {"--cluster", "--node-name", "a", "--cluster-host", "127.0.0.1",
                "--cluster-port", "5801", "--cluster-members", "127.0.0.1:5802, node3.example:5803,[::1]:5804",
                "--cluster-secret", "0123456789abcdef", "--public-url", "https://a.example.com/"}).cluster();
        assertTrue(c.enabled());
        assertEquals("a", c.effectiveNodeName());
        assertEquals(5801, c.port());
        assertEquals(List.of("127.0.0.1:5802", "node3.example:5803", "[0:0:0:0:0:0:0:1]:5804"), c.members());
        assertEquals("https://a.example.com", c.publicUrl(), "no trailing slash: the request path is appended");
        assertTrue(!c.toString().contains("0123456789abcdef"), c.toString());
    }

    @Test
    void shouldRejectBadClusterSettingsWithOneLine() {
        assertMessage("--cluster-secret: a cluster needs a shared secret of at least 16 characters (--cluster-secret, cluster.secret), got 5",
                "--cluster", "--cluster-secret", "short");
        assertMessage("default: a cluster needs a shared secret of at least 16 characters (--cluster-secret, cluster.secret)", "--cluster");
        assertMessage("--cluster-members: expected host:port members separated by commas ([v6]:port for IPv6), got '127.0.0.1'",
                "--cluster-members", "127.0.0.1");
        assertMessage("--cluster-members: expected host:port members separated by commas ([v6]:port for IPv6), got 'a:99999'",
                "--cluster-members", "a:99999");
        assertMessage("--node-name: a node name is 1-64 letters, digits, '.', '_' or '-', got 'a b'", "--node-name", "a b");
        assertMessage("--cluster-port: the cluster port must be fixed (1-65535): other nodes name it in their member lists",
                "--cluster-port", "0");
        assertMessage("--public-url: expected the URL clients reach this node at, like https://node1.example.com[:port][/prefix], got 'node1:8080'",
                "--public-url", "node1:8080");
        assertMessage("default: with http.bind 0.0.0.0 other nodes cannot tell clients where this node is; set --public-url (cluster.public-url)",
                "--cluster", "--cluster-secret", "0123456789abcdef", "--bind", "0.0.0.0");
        assertMessage("default: with http.port 0 the node's URL is not known when it joins; set --public-url (cluster.public-url) or a fixed --http-port",
                "--cluster", "--cluster-secret", "0123456789abcdef", "--http-port", "0");
        assertMessage("--cluster-host: expected an IPv4 or IPv6 address, got 'localhost'", "--cluster-host", "localhost");
    }

    private static void assertMessage(String expected, String... args) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args));
        assertEquals(expected, e.getMessage());
    }
}
