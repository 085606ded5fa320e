package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.junction.config.ConfigLoader;
import dev.junction.gateway.JunctionServer;
import dev.junction.loadtest.Conformance.Check;
import dev.junction.loadtest.Conformance.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The WHIP/WHEP conformance checker against Junction (everything passes, media included) and against a server
 * that gets it wrong (the checker fails it, check by check).
 */
class ConformanceTest {

    @Test
    void shouldPassJunctionOnEveryCheck() {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "2"}))) {
            List<Check> checks = new Conformance(Conformance.Options.parse(new String[] {"--target", "http://127.0.0.1:" + server.httpPort()})).run();
            Map<String, Verdict> verdicts = checks.stream().collect(Collectors.toMap(Check::name, Check::verdict));
            String table = table(checks);
            for (String name : List.of("whip-post", "etag", "get-endpoint", "put-endpoint", "wrong-content-type", "bad-sdp", "cors-preflight",
                    "whep-post", "media", "patch-without-if-match", "patch-wrong-etag", "trickle", "ice-restart", "delete", "delete-again")) {
                assertEquals(Verdict.PASS, verdicts.get(name), name + "\n" + table);
            }
            assertEquals(Verdict.INFO, verdicts.get("link-ice-server"), "reported, not judged\n" + table);
            assertTrue(checks.stream().noneMatch(c -> c.verdict() == Verdict.FAIL), table);
            assertEquals(0, server.sessions().sessionCount(), "the checker deleted its sessions");
            assertEquals(0L, Conformance.json(Conformance.Options.parse(new String[] {"--target", "http://x"}), checks).getLong("failed"));
        }
    }

    /** A server that answers 200 with a fixed body to everything: the checker must say what is wrong. */
    @Test
    void shouldFailAServerThatAnswersEverythingWith200() throws Exception {
        HttpServer wrong = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        wrong.createContext("/", exchange -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        wrong.start();
        try {
            List<Check> checks = new Conformance(Conformance.Options.parse(new String[] {"--target",
                    "http://127.0.0.1:" + wrong.getAddress().getPort()})).run();
            String table = table(checks);
            assertEquals(Verdict.FAIL, checks.getFirst().verdict(), table);
            assertEquals("whip-post", checks.getFirst().name());
            assertTrue(checks.getFirst().detail().startsWith("POST /whip/conformance-"), table);
            assertTrue(checks.getFirst().detail().contains(": 200, Location null"), table);
        } finally {
            wrong.stop(0);
        }
    }

    @Test
    void shouldRefuseBadOptionsWithTheirReason() {
        assertEquals("--target: required, e.g. --target http://127.0.0.1:8080",
                assertThrows(IllegalArgumentException.class, () -> Conformance.Options.parse(new String[0])).getMessage());
        assertEquals("--media: expected on or off, got 'maybe'", assertThrows(IllegalArgumentException.class,
                () -> Conformance.Options.parse(new String[] {"--target", "http://x", "--media", "maybe"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conformance.Options.parse(new String[] {"--target", "http://x", "--nope", "1"}))
                .getMessage().startsWith("unknown option '--nope'"));
        assertEquals("/w/r1", Conformance.Options.parse(new String[] {"--target", "http://x", "--whip-path", "/w/{room}", "--room", "r1"})
                .whip().getPath());
    }

    private static String table(List<Check> checks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Conformance.printTable(checks, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
