package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.config.PublicPortConfig;
import dev.junction.gateway.JunctionServer;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.socket.PublicPort;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, one-port mode with real Chromium: UDP dropped by nftables and the loops' own ICE-TCP ports off, so the
 * only way in is the public port. Chromium's pages POST their offers to {@code https://127.0.0.1:PORT} (a
 * self-signed certificate, accepted with {@code --ignore-certificate-errors}) and connect ICE-TCP to that same port:
 * one publisher, two subscribers that must decode video over a TCP pair ending at the public port.
 */
@Tag("browser")
class OnePortBrowserIT {

    private static final Duration CONNECTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration DECODING_WITHIN = Duration.ofSeconds(30);

    @Test
    void shouldPublishAndPlayThroughTheOnePortOnly() throws Exception {
        var config = ConfigLoader.load(new String[] {"--bind", "127.0.0.1", "--http-port", "0", "--media-port", "0", "--announce",
                "127.0.0.1", "--media-loops", "2", "--ice-tcp", "off"}).withPublicPort(PublicPortConfig.onFreePort());
        try (JunctionServer server = JunctionServer.start(config);
             IceTcpBrowserIT.UdpBlocked blocked = IceTcpBrowserIT.UdpBlocked.inThisNamespace();
             BrowserHarness harness = BrowserHarness.start()) {
            String port = Integer.toString(server.publicPort());
            harness.open("publisher", "e2e.html", page(server, "publish"));
            assertThroughThePort(WhipWhepBrowserIT.awaitPublishing(harness, "publisher", CONNECTED_WITHIN), port);
            for (String subscriber : List.of("subscriber1", "subscriber2")) harness.open(subscriber, "e2e.html", page(server, "watch"));
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                JsonObject report = WhipWhepBrowserIT.awaitDecoding(harness, subscriber, DECODING_WITHIN);
                assertThroughThePort(report, port);
                System.out.printf("one port %s: first frame %d ms after POST, %d frames, selected pair %s%n", subscriber,
                        report.getLong("firstFrameAfterPostMs"), report.getJsonObject("video").getLong("framesDecoded"),
                        report.getJsonObject("selectedPair"));
            }
            long udpIn = server.sessions().sockets().stream().mapToLong(s -> s.counter(MediaSocket.DATAGRAMS_IN)).sum();
            assertEquals(0, udpIn, "UDP really was blocked");
            PublicPort publicPort = server.sessions().publicPort();
            assertTrue(publicPort.connections(PublicPort.Protocol.HTTPS) >= 3, "the offers came over HTTPS on the port");
            assertTrue(publicPort.connections(PublicPort.Protocol.ICE_TCP) >= 3, "three peers over ICE-TCP on the port");
        }
    }

    private static Map<String, String> page(JunctionServer server, String role) {
        Map<String, String> query = WhipWhepBrowserIT.page(server, "one-port", role, WhipWhepBrowserIT.Offer.VP8, "");
        query.put("base", "https://127.0.0.1:" + server.publicPort());
        return query;
    }

    private static void assertThroughThePort(JsonObject report, String port) {
        JsonObject pair = report.getJsonObject("selectedPair");
        assertTrue(pair != null && "tcp".equals(pair.getString("protocol")), "a TCP pair is selected: " + report.encode());
        String remote = pair.getString("remote");
        assertEquals(port, remote.substring(remote.lastIndexOf(':') + 1), "the pair ends at the public port: " + pair);
    }
}
