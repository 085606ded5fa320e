package dev.junction.gateway.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The load tool against an in-process gateway: its figures come from what really arrived. */
class LoadTestTest {

    private static JunctionServer server() {
        return JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"}));
    }

    private static LoadOptions options(JunctionServer server, int seconds) {
        return LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:" + server.httpPort(), "--room", "lt",
            "--publishers", "1", "--subscribers", "2", "--seconds", Integer.toString(seconds), "--video-kbps", "500",
            "--server-pid", Long.toString(ProcessHandle.current().pid())});
    }

    @Test
    void shouldReportWhatArrivedThroughTheServer() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (JunctionServer server = server()) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 3), new PrintStream(progress, true, StandardCharsets.UTF_8)).run());
            assertEquals(1, result.getInteger("publishers"));
            assertEquals(2, result.getInteger("subscribers"));
            long sent = result.getLong("packets_sent");
            long received = result.getLong("packets_received");
            assertTrue(sent > 3 * 50, "at least audio at 50/s: " + result);
            // Each subscriber gets every packet of the one publisher: about twice what was sent.
            assertTrue(received > sent * 3 / 2 && received <= sent * 2 + 20, result.encode());
            assertTrue(result.getDouble("loss_pct") < 1.0, result.encode());
            assertTrue(result.getDouble("latency_ms_p50") > 0 && result.getDouble("latency_ms_p99") >= result.getDouble("latency_ms_p50"), result.encode());
            assertTrue(result.getDouble("setup_ms_p99") > 0, result.encode());
            assertTrue(result.containsKey("server_cpu_s") && result.getDouble("server_cpu_s") > 0, result.encode());
            assertEquals(0, server.sessions().sessionCount(), "every peer left with DELETE");
        }
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertEquals(3, lines.lines().filter(l -> l.startsWith("loadtest: ")).count(), "one progress line per second:\n" + lines);
    }

    @Test
    void shouldShowLossWhenTheServerDiesMidRun() throws Exception {
        JunctionServer server = server();
        LoadOptions options = options(server, 4);
        Thread killer = Thread.ofPlatform().name("server-killer").start(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2500)); // mid-run by design
            server.close();
        });
        JsonObject result = new JsonObject(new LoadTest(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run());
        killer.join(10_000);
        // The server forwarded for about a third of the window: the rest never arrived, and the tool says so.
        assertTrue(result.getDouble("loss_pct") > 25, "a dead server shows as loss: " + result.encode());
    }

    @Test
    void shouldFailWithAReasonWhenPeersCannotConnect() {
        LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:9", "--seconds", "1"});
        LoadTest.NotConnected e = assertThrows(LoadTest.NotConnected.class, () -> new LoadTest(options, System.err).run());
        assertTrue(e.getMessage().startsWith("publisher could not join"), e.getMessage());
    }

    @Test
    void shouldRejectBadOptionsNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--seconds", "5"}));
        assertEquals("--target: required, e.g. --target http://127.0.0.1:8080", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--target", "http://x", "--publishers", "many"}));
        assertEquals("--publishers: expected an integer 0-1000, got 'many'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--target", "http://x", "--audio", "maybe"}));
        assertEquals("--audio: expected on or off, got 'maybe'", e.getMessage());
    }
}
