package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.testing.LoopbackPorts;
import dev.junction.config.ConfigLoader;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.turn.RestCredentials;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, advertising the embedded TURN server: {@code --turn} starts it, and WHIP/WHEP 201 responses and OPTIONS
 * on the endpoints carry RFC 9725 §4.6 {@code Link: rel="ice-server"} headers (UDP, TCP, TLS for each announced
 * address) with fresh REST credentials that verify against the configured secret; CORS exposes {@code Link};
 * /metrics has the {@code junction_turn_*} series. With TURN over TLS on, each response also carries the
 * {@code turns:} link on {@code turn.tls-port}, and a WHEP 201 carries them beside its viewer-control links. Without
 * TURN there are no Link headers.
 */
class TurnAdvertisingTest {

    private static final Pattern LINK = Pattern.compile(
            "<(turns?):127\\.0\\.0\\.1:(\\d+)\\?transport=(udp|tcp)>; rel=\"ice-server\"; username=\"([^\"]+)\"; credential=\"([^\"]+)\"; credential-type=\"password\"");

    @Test
    void shouldAdvertiseTurnWithFreshCredentialsOn201AndOptions() throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1", "--turn", "--turn-port", "0", "--turn-tls-port", "0", "--turn-secret", "s3cret"}));
             HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.httpPort();
            HttpResponse<String> options = client.send(HttpRequest.newBuilder(URI.create(base + "/whip/turn-room"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, options.statusCode());
            List<String> links = options.headers().allValues("Link");
            assertEquals(2, links.size(), "turn: over UDP and TCP (TLS is off): " + links);
            String firstUser = assertLinks(links, server.sessions().turn().udpAddress().getPort(), 0);
            assertTrue(options.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("Link"));

            String offer = ClientOffer.publisher(DtlsCertificate.generate().fingerprint(), new InetSocketAddress("127.0.0.1", 9),
                    new SecureRandom()).sdp();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(base + "/whip/turn-room"))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String secondUser = assertLinks(created.headers().allValues("Link"), server.sessions().turn().udpAddress().getPort(), 0);
            assertTrue(!firstUser.equals(secondUser), "credentials are minted per response");

            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("junction_turn_allocations 0"), metrics.body());
            assertTrue(metrics.body().contains("junction_turn_requests_total{method=\"allocate\",result=\"success\"} 0"));
            assertTrue(metrics.body().contains("junction_turn_dropped_total{reason=\"rejected_forbidden\"} 0"));
        }
    }

    @Test
    void shouldAdvertiseTurnsOnTheTlsPortAndTheIceServersOnWhep201() throws Exception {
        int tlsPort = LoopbackPorts.tcp(1)[0];
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1", "--turn", "--turn-port", "0", "--turn-tls-port", Integer.toString(tlsPort), "--turn-secret", "s3cret"}));
             HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.httpPort();
            int turnPort = server.sessions().turn().udpAddress().getPort();
            assertEquals(tlsPort, server.sessions().turn().tlsAddress().getPort());

            HttpResponse<String> options = client.send(HttpRequest.newBuilder(URI.create(base + "/whep/tls-room"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, options.statusCode());
            String optionsUser = assertLinks(options.headers().allValues("Link"), turnPort, tlsPort);

            HttpResponse<String> published = postOffer(client, base + "/whip/tls-room", ClientOffer.publisher(
                    DtlsCertificate.generate().fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            String whipUser = assertLinks(published.headers().allValues("Link"), turnPort, tlsPort);

            HttpResponse<String> played = postOffer(client, base + "/whep/tls-room", ClientOffer.subscriber(
                    DtlsCertificate.generate().fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            List<String> whepLinks = played.headers().allValues("Link");
            String whepUser = assertLinks(whepLinks.stream().filter(l -> l.contains("rel=\"ice-server\"")).toList(), turnPort, tlsPort);
            String session = URI.create(base).resolve(played.headers().firstValue("Location").orElseThrow()).getPath();
            assertTrue(whepLinks.contains("<" + session + "/layer>; rel=\"urn:ietf:params:whep:ext:core:layer\""), "viewer control stays: " + whepLinks);
            assertTrue(whepLinks.stream().anyMatch(l -> l.startsWith("<" + session + "/sse>; rel=\"urn:ietf:params:whep:ext:core:server-sent-events\"")),
                    "viewer events stay: " + whepLinks);
            assertEquals(5, whepLinks.size(), "three ice servers and two viewer-control links: " + whepLinks);
            assertEquals(3, java.util.Set.of(optionsUser, whipUser, whepUser).size(), "credentials are minted per response");
        }
    }

    @Test
    void shouldSendNoLinkHeadersWithoutTurn() throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1"}));
             HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> options = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/whep/r"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(List.of(), options.headers().allValues("Link"));
            assertEquals(null, server.sessions().turn());
        }
    }

    /** POSTs an SDP offer; asserts the 201. */
    private static HttpResponse<String> postOffer(HttpClient client, String url, String offer) throws Exception {
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return created;
    }

    /**
     * Every value is an RFC 9725 ice-server link with the same valid REST credentials: {@code turn:} over UDP and TCP
     * on {@code turnPort}, and {@code turns:} over TCP on {@code tlsPort} when it is not 0; returns the username.
     */
    private static String assertLinks(List<String> links, int turnPort, int tlsPort) {
        String username = null;
        List<String> seen = new java.util.ArrayList<>();
        for (String link : links) {
            Matcher m = LINK.matcher(link);
            assertTrue(m.matches(), link);
            seen.add(m.group(1) + ":" + m.group(2) + "/" + m.group(3));
            if (username == null) username = m.group(4);
            assertEquals(username, m.group(4), "one credential per response");
            assertEquals(RestCredentials.password("s3cret".getBytes(StandardCharsets.UTF_8), m.group(4)), m.group(5));
            long expiry = RestCredentials.expiry(m.group(4));
            assertTrue(Math.abs(expiry - (System.currentTimeMillis() / 1000 + 86_400)) < 60, "valid for turn.credential-ttl-s: " + expiry);
        }
        List<String> expected = new java.util.ArrayList<>(List.of("turn:" + turnPort + "/udp", "turn:" + turnPort + "/tcp"));
        if (tlsPort != 0) expected.add("turns:" + tlsPort + "/tcp");
        assertEquals(expected, seen, "the ice-server links: " + links);
        return username;
    }
}
