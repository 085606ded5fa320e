package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./junction doctor} against Junction: every candidate works; and against wrongly announced candidates. */
class DoctorTest {

    @Test
    void shouldConnectOverEveryCandidateJunctionAnnounces() {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "2"}))) {
            List<String> lines = new ArrayList<>();
            JsonObject result = new Doctor(Doctor.Options.parse(new String[] {"--target", "http://127.0.0.1:" + server.httpPort()})).run(lines::add);
            assertTrue(result.getBoolean("ok"), String.join("\n", lines));
            assertEquals(2, result.getJsonArray("candidates").size(), String.join("\n", lines));
            // Two loops: the sessions alternate between them, so each attempt checks its own answer's candidate.
            assertTrue(lines.get(1).matches("OK    udp 127\\.0\\.0\\.1:\\d+: ICE and DTLS-SRTP in \\d+ ms"), lines.get(1));
            assertTrue(lines.get(2).matches("OK    tcp 127\\.0\\.0\\.1:\\d+: ICE and DTLS-SRTP in \\d+ ms"), lines.get(2));
            assertEquals("doctor: a client like this one can connect", lines.getLast());
            assertEquals(0, server.sessions().sessionCount(), "the doctor deleted its sessions");
        }
    }

    /** Sockets bound to 127.0.0.1 but 127.0.0.2 announced: nothing answers there, and the doctor says how each failed. */
    @Test
    void shouldSayWhyEachWronglyAnnouncedCandidateFails() {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1", "--bind", "127.0.0.1", "--announce", "127.0.0.2"}))) {
            List<String> lines = new ArrayList<>();
            JsonObject result = new Doctor(Doctor.Options.parse(new String[] {"--target", "http://127.0.0.1:" + server.httpPort(),
                    "--timeout", "2"})).run(lines::add);
            String all = String.join("\n", lines);
            assertEquals(false, result.getBoolean("ok"), all);
            assertTrue(lines.get(1).startsWith("FAIL  udp 127.0.0.2:") && lines.get(1).contains("no answer to the ICE checks within 2 s"), all);
            assertTrue(lines.get(2).startsWith("FAIL  tcp 127.0.0.2:") && lines.get(2).contains("no TCP connection: "), all);
            assertEquals("doctor: no candidate worked from here: see the reasons above", lines.getLast());
        }
    }

    @Test
    void shouldRefuseBadOptionsWithTheirReason() {
        assertEquals("--timeout: expected 1-60 seconds, got '0'", assertThrows(IllegalArgumentException.class,
                () -> Doctor.Options.parse(new String[] {"--target", "http://x", "--timeout", "0"})).getMessage());
        assertEquals("--target: required, e.g. --target http://127.0.0.1:8080",
                assertThrows(IllegalArgumentException.class, () -> Doctor.Options.parse(new String[0])).getMessage());
    }
}
