package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import dev.junction.transport.socket.MediaSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, as browsers behind networks that allow only TURN, or no UDP at all.
 *
 * <p>First, relay only: Chromium asks the WHIP and WHEP endpoints' OPTIONS
 * for their ICE servers (RFC 9725 Link headers with fresh REST credentials), then publishes over TURN/UDP and plays
 * over TURN/TCP with {@code iceTransportPolicy: 'relay'}, so no host candidate can be used. The subscriber must
 * decode, both selected pairs must be relay ones over those transports, and the server must have relayed in
 * process to its own media sockets (no second hop through the kernel).
 *
 * <p>Then inside the browser tests' private network namespace with nftables dropping every UDP datagram
 * ({@link IceTcpBrowserIT.UdpBlocked}; {@link IceTcpBrowserIT} covers the third way in, ICE-TCP with no ICE servers):
 * a publisher and two subscribers relay-only over TURN/TCP and TURN/TLS, and a publisher and two subscribers
 * that simply use every ICE server the Link headers name, with the server's ICE-TCP off so that those servers are
 * the only way in. Each selected pair (getStats) must be a relay one over TCP or TLS, and the subscribers must decode. The Link-header clients trickle their candidates (RFC 9725 §4.3): a client that waits
 * for gathering to complete would wait behind such a firewall until its TURN/UDP Allocate times out (Chromium
 * keeps retrying it for about 40 s), which the README tells operators.
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

    private static final Duration CONNECTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration DECODING_WITHIN = Duration.ofSeconds(30);

    @Test
    void shouldPublishAndPlayRelayOnlyOverTurnTcpAndTurnTlsWhenUdpIsBlocked() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--turn", "on", "--turn-port", "3478", "--turn-tls-port", "5349");
             IceTcpBrowserIT.UdpBlocked blocked = IceTcpBrowserIT.UdpBlocked.inThisNamespace();
             BrowserHarness harness = BrowserHarness.start()) {
            Map<String, String> publish = WhipWhepBrowserIT.page(server, "no-udp-relay", "publish", WhipWhepBrowserIT.Offer.VP8, "");
            publish.put("turn", "tls");
            harness.open("publisher", "e2e.html", publish);
            JsonObject published = WhipWhepBrowserIT.awaitPublishing(harness, "publisher", CONNECTED_WITHIN);
            assertRelayed(published, "tls");
            Map<String, String> overTcp = WhipWhepBrowserIT.page(server, "no-udp-relay", "watch", WhipWhepBrowserIT.Offer.VP8, "");
            overTcp.put("turn", "tcp");
            harness.open("subscriber1", "e2e.html", overTcp);
            Map<String, String> overTls = WhipWhepBrowserIT.page(server, "no-udp-relay", "watch", WhipWhepBrowserIT.Offer.VP8, "");
            overTls.put("turn", "tls");
            harness.open("subscriber2", "e2e.html", overTls);
            assertRelayed(WhipWhepBrowserIT.awaitDecoding(harness, "subscriber1", DECODING_WITHIN), "tcp");
            assertRelayed(WhipWhepBrowserIT.awaitDecoding(harness, "subscriber2", DECODING_WITHIN), "tls");
            assertNoUdpReachedTheServer(server);
        }
    }

    @Test
    void shouldPublishAndPlayWithTheLinkHeadersIceServersWhenUdpIsBlocked() throws Exception {
        // ICE-TCP off: with it on, Chromium prefers our passive TCP candidate and the Link headers' servers go
        // unused, so this case would only repeat IceTcpBrowserIT. Off, the only way in is a server they name.
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--turn", "on", "--turn-port", "3478", "--turn-tls-port", "5349",
                "--ice-tcp", "off");
             IceTcpBrowserIT.UdpBlocked blocked = IceTcpBrowserIT.UdpBlocked.inThisNamespace();
             BrowserHarness harness = BrowserHarness.start()) {
            Map<String, String> publish = WhipWhepBrowserIT.page(server, "no-udp-link", "publish", WhipWhepBrowserIT.Offer.VP8, "");
            publish.put("turn", "link");
            publish.put("trickle", "1");
            harness.open("publisher", "e2e.html", publish);
            assertRelayedOverTcp(WhipWhepBrowserIT.awaitPublishing(harness, "publisher", CONNECTED_WITHIN));
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                Map<String, String> watch = WhipWhepBrowserIT.page(server, "no-udp-link", "watch", WhipWhepBrowserIT.Offer.VP8, "");
                watch.put("turn", "link");
                watch.put("trickle", "1");
                harness.open(subscriber, "e2e.html", watch);
            }
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                assertRelayedOverTcp(WhipWhepBrowserIT.awaitDecoding(harness, subscriber, DECODING_WITHIN));
            }
            assertNoUdpReachedTheServer(server);
        }
    }

    /** The pair is a relay candidate of ours whose allocation runs over {@code relayProtocol}. */
    private static void assertRelayed(JsonObject report, String relayProtocol) {
        JsonObject pair = report.getJsonObject("selectedPair");
        assertTrue(pair != null && "relay".equals(pair.getString("localType")), "a relay pair is selected: " + report.encode());
        assertEquals(relayProtocol, pair.getString("relayProtocol"), report.encode());
        System.out.printf("no UDP, relay only: %s over TURN/%s, pair %s%n", report.getString("role", "?"), relayProtocol, pair);
    }

    /** ICE-TCP straight to us, or a relay whose allocation runs over TCP or TLS: never UDP. */
    private static void assertRelayedOverTcp(JsonObject report) {
        assertTrue(report.getJsonArray("patchStatuses").stream().allMatch(s -> ((Number) s).intValue() == 204),
                "every trickled candidate was taken: " + report.getJsonArray("patchStatuses"));
        JsonObject pair = report.getJsonObject("selectedPair");
        assertTrue(pair != null, "a pair is selected: " + report.encode());
        assertTrue("relay".equals(pair.getString("localType")) && List.of("tcp", "tls").contains(pair.getString("relayProtocol")),
                "the pair is a relay one whose allocation runs over TCP or TLS: " + report.encode());
        System.out.printf("no UDP, Link headers' ICE servers: pair %s%n", pair);
    }

    private static void assertNoUdpReachedTheServer(JunctionServer server) {
        long udpIn = server.sessions().sockets().stream().mapToLong(s -> s.counter(MediaSocket.DATAGRAMS_IN)).sum();
        assertEquals(0, udpIn, "UDP really was blocked: the media sockets received nothing through the kernel");
    }
}
