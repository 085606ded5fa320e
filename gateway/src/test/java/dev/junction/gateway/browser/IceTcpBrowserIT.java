package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.MediaSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, ICE-TCP with real Chromium where UDP is blocked: inside the browser tests' private network namespace,
 * nftables drops every UDP datagram, so the only way in is the passive TCP candidate of each answer (RFC 6544).
 * Chromium publishes over WHIP and two Chromiums play over WHEP, each with no ICE servers; all three must pick a
 * TCP candidate pair (getStats' selected pair) and the subscribers must decode video, while the server's UDP
 * sockets receive nothing.
 */
@Tag("browser")
class IceTcpBrowserIT {

    private static final Duration CONNECTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration DECODING_WITHIN = Duration.ofSeconds(30);

    @Test
    void shouldPublishAndPlayOverIceTcpWhenUdpIsBlocked() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer();
             UdpBlocked blocked = UdpBlocked.inThisNamespace();
             BrowserHarness harness = BrowserHarness.start()) {
            Set<String> tcpPorts = server.sessions().tcpListeners().stream()
                    .map(l -> Integer.toString(l.localAddress().getPort())).collect(Collectors.toSet());
            harness.open("publisher", "e2e.html", WhipWhepBrowserIT.page(server, "tcp-only", "publish", WhipWhepBrowserIT.Offer.VP8, ""));
            assertOverTcp(WhipWhepBrowserIT.awaitPublishing(harness, "publisher", CONNECTED_WITHIN), tcpPorts);
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                harness.open(subscriber, "e2e.html", WhipWhepBrowserIT.page(server, "tcp-only", "watch", WhipWhepBrowserIT.Offer.VP8, ""));
            }
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                JsonObject report = WhipWhepBrowserIT.awaitDecoding(harness, subscriber, DECODING_WITHIN);
                assertOverTcp(report, tcpPorts);
                System.out.printf("ICE-TCP %s: first frame %d ms after POST, %d frames, selected pair %s%n", subscriber,
                        report.getLong("firstFrameAfterPostMs"), report.getJsonObject("video").getLong("framesDecoded"),
                        report.getJsonObject("selectedPair"));
            }
            long udpIn = server.sessions().sockets().stream().mapToLong(s -> s.counter(MediaSocket.DATAGRAMS_IN)).sum();
            assertEquals(0, udpIn, "UDP really was blocked: the media sockets received nothing");
            long tcpConnections = server.sessions().tcpListeners().stream().mapToLong(IceTcpListener::openConnections).sum();
            assertTrue(tcpConnections >= 3, tcpConnections + " ICE-TCP connections for three peers");
        }
    }

    private static void assertOverTcp(JsonObject report, Set<String> tcpPorts) {
        JsonObject pair = report.getJsonObject("selectedPair");
        assertTrue(pair != null && "tcp".equals(pair.getString("protocol")), "a TCP pair is selected: " + report.encode());
        String remote = pair.getString("remote");
        assertTrue(tcpPorts.contains(remote.substring(remote.lastIndexOf(':') + 1)), "the pair ends at a TCP listener " + tcpPorts + ": " + pair);
    }

    /**
     * An nftables table that drops every UDP datagram leaving any socket of this network namespace; deleted on
     * close. Refuses to run outside a private namespace (one with only a loopback interface), so it can never
     * touch the machine's own network.
     */
    static final class UdpBlocked implements AutoCloseable {
        private static final String TABLE = "junction_test_no_udp";

        static UdpBlocked inThisNamespace() throws IOException, InterruptedException {
            String links = run("ip", "-o", "link", "show");
            List<String> names = links.lines().map(l -> l.split(":")[1].trim()).toList();
            if (!names.equals(List.of("lo"))) {
                throw new IllegalStateException("refusing to block UDP outside a private loopback-only namespace; interfaces: " + names);
            }
            run("nft", "add", "table", "inet", TABLE);
            run("nft", "add chain inet " + TABLE + " output { type filter hook output priority 0 ; policy accept ; }");
            run("nft", "add", "rule", "inet", TABLE, "output", "meta", "l4proto", "udp", "drop");
            return new UdpBlocked();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            run("nft", "delete", "table", "inet", TABLE);
        }

        private static String run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out.strip());
            return out;
        }
    }
}
