package dev.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code turn.*} keys (issue 10): defaults, flags, the environment, and what is refused. */
class TurnConfigTest {

    @Test
    void shouldBeOffByDefaultWithRfcPorts() {
        TurnConfig t = JunctionConfig.defaults().turn();
        assertFalse(t.enabled());
        assertEquals(3478, t.port());
        assertEquals(5349, t.tlsPort());
        assertEquals("junction", t.realm());
        assertEquals("", t.secret());
        assertEquals(86_400, t.credentialTtlSeconds());
        assertEquals(List.of(), t.allowedPeers());
        assertTrue(t.ephemeralRelayPorts());
    }

    @Test
    void shouldTurnOnWithABareFlag() {
        assertTrue(ConfigLoader.load(new String[] {"--turn"}).turn().enabled());
        assertTrue(ConfigLoader.load(new String[] {"--turn", "--http-port", "9000"}).turn().enabled());
        assertFalse(ConfigLoader.load(new String[] {"--turn", "off"}).turn().enabled());
    }

    @Test
    void shouldReadEveryKey() {
        TurnConfig t = ConfigLoader.loadWithSources(new String[] {"--turn=on", "--turn-port", "3479", "--turn-tls-port", "0",
                "--turn-realm", "example.org", "--turn-allowed-peers", "10.0.0.0/8, 2001:db8::/32,192.0.2.7",
                "--turn-relay-ports", "49152-49200"}, Map.of("JUNCTION_TURN_SECRET", "s3cret", "JUNCTION_TURN_BANDWIDTH_KBPS", "2000",
                "JUNCTION_TURN_MAX_ALLOCATIONS", "5", "JUNCTION_TURN_MAX_ALLOCATIONS_PER_USER", "2",
                "JUNCTION_TURN_CREDENTIAL_TTL_S", "600")).config().turn();
        assertTrue(t.enabled());
        assertEquals(3479, t.port());
        assertFalse(t.tls());
        assertEquals("example.org", t.realm());
        assertEquals("s3cret", t.secret());
        assertEquals(List.of("10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32", "192.0.2.7/32"), t.allowedPeers());
        assertEquals(2000, t.bandwidthKbps());
        assertEquals(5, t.maxAllocations());
        assertEquals(2, t.maxAllocationsPerUser());
        assertEquals(600, t.credentialTtlSeconds());
        assertEquals(49152, t.relayPortMin());
        assertEquals(49200, t.relayPortMax());
    }

    @Test
    void shouldMaskTheSecret() {
        ConfigLoader.Loaded loaded = ConfigLoader.loadWithSources(new String[] {"--turn-secret", "hunter2"}, Map.of());
        String line = loaded.settings().stream().filter(s -> s.key().name().equals("turn.secret")).findFirst().orElseThrow().describe();
        assertFalse(line.contains("hunter2"), line);
    }

    @Test
    void shouldRefuseBadValues() {
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-allowed-peers", "example.com/8"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-allowed-peers", "10.0.0.0/33"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-relay-ports", "50000"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-relay-ports", "6000-5000"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-tls-cert", "/tmp/cert.pem"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn-realm", "a b"}));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--turn", "maybe"}));
    }
}
