package dev.junction.gateway.cluster;

import static dev.junction.gateway.cluster.NodeProcess.await;
import static dev.junction.gateway.cluster.NodeProcess.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.browser.ClientPublisher;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A cluster of one (issue 14) behaves like today's single node: WHIP and WHEP are answered 201 where they are
 * asked, never 307, media flows from a publisher to a subscriber with no node pipe, and the directory holds the room
 * on this node until its last publisher leaves.
 */
class ClusterOfOneTest {

    private static final DtlsCertificate PEER_CERT = DtlsCertificate.generate();

    @Test
    void shouldServeEverythingHereAndForgetTheRoomWhenItsPublisherLeaves() throws Exception {
        int[] ports = NodeProcess.freePorts(2);
        int port = ports[0];
        try (NodeProcess node = NodeProcess.start("solo", List.of("-Dhazelcast.wait.seconds.before.join=1"),
                List.of("--cluster", "--node-name", "solo", "--cluster-port", Integer.toString(port), "--cluster-secret", "cluster-of-one-secret",
                        "--http-port", Integer.toString(ports[1])),
                Map.of())) {
            String url = node.awaitReady();
            HttpResponse<String> published = post(url + "/whip/room1", ClientOffer.publisher(PEER_CERT.fingerprint(),
                    new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            assertEquals(201, published.statusCode(), published.body());
            HttpResponse<String> subscribed = post(url + "/whep/room1", ClientOffer.subscriber(PEER_CERT.fingerprint(),
                    new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            assertEquals(201, subscribed.statusCode(), subscribed.body());
            HttpResponse<String> waiting = post(url + "/whep/no-publisher-yet", ClientOffer.subscriber(PEER_CERT.fingerprint(),
                    new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            assertEquals(201, waiting.statusCode(), "a subscriber may wait for a publisher, as on a single node: " + waiting.body());

            JsonObject directory = node.directory();
            assertNotNull(directory, node.tail());
            assertEquals("solo", directory.getString("node"));
            assertEquals(1, directory.getInteger("members"));
            assertEquals("solo", directory.getJsonObject("rooms").getString("room1"));

            // Real media, as on a single node: the client-role publisher's audio and video reach the subscriber,
            // fanned out locally, through no pipe.
            try (ClientPublisher publisher = new ClientPublisher(url, "media");
                    ClientSubscriber viewer = new ClientSubscriber(url + "/whep/media")) {
                await("the subscriber receives the publisher's audio and video", Duration.ofSeconds(30),
                        () -> viewer.video() >= 50 && viewer.audio() >= 50, node);
                String metrics = NodeProcess.get(url + "/metrics", null).body();
                assertTrue(metrics.contains("junction_cluster_pipes{direction=\"out\"} 0\n")
                        && metrics.contains("junction_cluster_pipes{direction=\"in\"} 0\n"), metrics);
                assertEquals(0, node.directory().getJsonArray("pipes").size());
                assertEquals("solo", node.directory().getJsonObject("rooms").getString("media"));
                assertEquals(null, viewer.closedReason());
            }

            String location = published.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> deleted = NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create(url + location)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, deleted.statusCode(), deleted.body());
            await("the room leaves the directory with its last publisher", Duration.ofSeconds(30), () -> {
                JsonObject d = node.directory();
                return d != null && !d.getJsonObject("rooms").containsKey("room1");
            }, node);
        }
    }
}
