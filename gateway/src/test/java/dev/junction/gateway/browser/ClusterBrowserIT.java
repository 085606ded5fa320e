package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 with real browsers: Chromium publishes to node a of a two-node cluster, and another Chromium plays the
 * room through node b, which pulls it from a through a node pipe. Both nodes run in this JVM (each its own
 * clustered Vert.x and Hazelcast member), inside the browser tests' loopback-only namespace.
 */
@Tag("browser")
class ClusterBrowserIT {

    private static final String ADMIN = "cluster-browser-admin";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldPlayThroughOneNodeWhatChromiumPublishesToAnother() throws Exception {
        int[] ports = dev.junction.gateway.cluster.NodeProcess.freePorts(4);
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        try (JunctionServer a = node("a", ports[0], ports[2], members);
             JunctionServer b = node("b", ports[1], ports[3], members);
             BrowserHarness harness = BrowserHarness.start()) {
            await("b sees both members", () -> directory(b).getInteger("members", 0) == 2);
            harness.open("publisher", "e2e.html", WhipWhepBrowserIT.page(a, "spread", "publish", WhipWhepBrowserIT.Offer.VP8, ""));
            WhipWhepBrowserIT.awaitPublishing(harness, "publisher");
            await("b's directory homes the room on a", () -> "a".equals(directory(b).getJsonObject("rooms").getString("spread")));

            harness.open("viewer", "e2e.html", WhipWhepBrowserIT.page(b, "spread", "watch", WhipWhepBrowserIT.Offer.VP8, ""));
            JsonObject report = WhipWhepBrowserIT.awaitDecoding(harness, "viewer", Duration.ofSeconds(30));
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(WhipWhepBrowserIT.baseUrl(b) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long piped = metrics.lines().filter(l -> l.startsWith("junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"} "))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertTrue(piped > 100, "the viewer's media came through the node pipe from a: " + piped);
            assertEquals(0, a.sessions().roomDirectory().find("spread").subscribers(), "the viewer sits on b, not a");
            System.out.printf("cluster: Chromium published to a, Chromium on b decoded %d frames, %d packets through the pipe%n",
                    report.getJsonObject("video").getLong("framesDecoded"), piped);
        }
    }

    private static JunctionServer node(String name, int clusterPort, int httpPort, String members) {
        return WhipWhepBrowserIT.startServer("--http-port", Integer.toString(httpPort), "--admin-token", ADMIN, "--cluster", "--node-name", name,
                "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPort), "--cluster-members", members,
                "--cluster-secret", "cluster-browser-test-secret");
    }

    private static JsonObject directory(JunctionServer node) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(WhipWhepBrowserIT.baseUrl(node) + "/admin/cluster"))
                    .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new JsonObject(r.body()) : new JsonObject().put("rooms", new JsonObject());
        } catch (IOException e) {
            return new JsonObject().put("rooms", new JsonObject());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) throw new AssertionError("timed out waiting for: " + what);
            Thread.sleep(100);
        }
    }
}
