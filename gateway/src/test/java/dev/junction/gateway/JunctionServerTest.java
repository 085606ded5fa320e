package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class JunctionServerTest {

    @Test
    void shouldAnswerHealthOnLoopback() throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"}));
             HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }

    /** Issue 13: GET /health?verbose is the connectivity self-check: sockets, candidates, HTTP URL, warnings. */
    @Test
    void shouldReportTheConnectivitySelfCheckOnVerboseHealth() throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "2", "--announce", "127.0.0.1"}));
             HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> verbose = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                    + "/health?verbose")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, verbose.statusCode());
            String body = verbose.body();
            List<String> lines = body.lines().toList();
            assertEquals("HTTP: http://127.0.0.1:" + server.httpPort() + "/", lines.get(0), body);
            int udp0 = server.sessions().sockets().get(0).localAddress().getPort();
            int tcp0 = server.sessions().tcpListeners().get(0).localAddress().getPort();
            assertEquals("media loop 0: UDP 127.0.0.1:" + udp0 + ", ICE-TCP 127.0.0.1:" + tcp0, lines.get(1), body);
            assertTrue(lines.get(3).startsWith("announced 127.0.0.1: candidates udp " + udp0 + " "), body);
            assertEquals("connectivity: no problems found", lines.getLast(), body);
        }
    }
}
