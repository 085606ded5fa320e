package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, as a browser behind a network that allows only TURN: Chromium asks the WHIP and WHEP endpoints' OPTIONS
 * for their ICE servers (RFC 9725 Link headers with fresh REST credentials), then publishes over TURN/UDP and plays
 * over TURN/TCP with {@code iceTransportPolicy: 'relay'}, so no host candidate can be used. The subscriber must
 * decode, both selected pairs must be relay ones over those transports, and the server must have relayed in
 * process to its own media sockets (no second hop through the kernel).
 */
@Tag("browser")
class TurnBrowserIT {

    @Test
    void shouldPublishOverTurnUdpAndPlayOverTurnTcp() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--turn", "on", "--turn-port", "3478", "--turn-tls-port", "0");
             BrowserHarness harness = BrowserHarness.start()) {
            Map<String, String> publish = WhipWhepBrowserIT.page(server, "relayed", "publish", WhipWhepBrowserIT.Offer.VP8, "");
            publish.put("turn", "udp");
            harness.open("publisher", "e2e.html", publish);
            JsonObject published = WhipWhepBrowserIT.awaitPublishing(harness, "publisher");

            Map<String, String> watch = WhipWhepBrowserIT.page(server, "relayed", "watch", WhipWhepBrowserIT.Offer.VP8, "");
            watch.put("turn", "tcp");
            harness.open("subscriber", "e2e.html", watch);
            JsonObject watched = WhipWhepBrowserIT.awaitDecoding(harness, "subscriber", Duration.ofSeconds(20));

            published = harness.latestReport("publisher");
            JsonObject up = published.getJsonObject("selectedPair");
            JsonObject down = watched.getJsonObject("selectedPair");
            assertEquals("relay", up.getString("localType"), published.encode());
            assertEquals("udp", up.getString("relayProtocol"), published.encode());
            assertEquals("relay", down.getString("localType"), watched.encode());
            assertEquals("tcp", down.getString("relayProtocol"), watched.encode());
            StringBuilder metrics = new StringBuilder();
            server.sessions().metrics().appendMetrics(metrics);
            long locally = metrics.toString().lines().filter(l -> l.startsWith("junction_turn_relayed_packets_total{direction=\"locally\"}"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            long toPeers = metrics.toString().lines().filter(l -> l.startsWith("junction_turn_relayed_packets_total{direction=\"to_peers\"}"))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertTrue(locally > 200, "the publisher's media reached the media socket in process: " + locally);
            assertEquals(0, toPeers, "nothing relayed through the kernel");
            System.out.printf("TURN: publisher over %s, subscriber over %s, %d frames decoded, %d packets relayed in process%n",
                    up.getString("relayProtocol"), down.getString("relayProtocol"),
                    watched.getJsonObject("video").getLong("framesDecoded"), locally);
        }
    }
}
