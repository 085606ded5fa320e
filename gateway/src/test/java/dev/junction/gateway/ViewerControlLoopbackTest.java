package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.gateway.browser.ClientPublisher;
import dev.junction.gateway.cluster.ClientSubscriber;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WHEP viewer control end to end (issue 11): a client-role simulcast publisher (rids q and f), a client-role
 * subscriber, real HTTP to the layer endpoint and a real event stream. A pin to the lowest layer makes the subscriber
 * receive that layer's packets and {@code /stats} say {@code preference}; clearing it returns to the best layer.
 */
class ViewerControlLoopbackTest {

    private static final String ADMIN = "adm1n";
    private JunctionServer server;
    private HttpClient http;
    private String base;

    @BeforeEach
    void start() {
        server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "2",
                "--spread-after", "0", "--admin-token", ADMIN}));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        base = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    @Test
    void shouldPinTheLowestLayerReportItAndReturnToAutomatic() throws Exception {
        try (ClientPublisher publisher = new ClientPublisher(base, "pin", List.of("q", "f"));
                ClientSubscriber viewer = new ClientSubscriber(base + "/whep/pin")) {
            String layer = link(viewer, "urn:ietf:params:whep:ext:core:layer");
            String sse = link(viewer, "urn:ietf:params:whep:ext:core:server-sent-events");
            assertEquals(URI.create(viewer.session()).getPath() + "/layer", layer);
            Events events = Events.open(http, base + sse);
            awaitCondition(() -> viewer.lastVideoLayer() == 1, () -> "the top layer first, got " + viewer.lastVideoLayer());
            // Each sample sends what changed, in this order: the publication's state, the layers, the choice.
            events.await("active", j -> true);
            JsonObject layers = events.await("layers", j -> j.containsKey("1") && j.getJsonObject("1").getJsonArray("layers").stream()
                    .allMatch(l -> ((JsonObject) l).getBoolean("active")));
            JsonArray both = layers.getJsonObject("1").getJsonArray("layers");
            assertEquals(List.of("q", "f"), both.stream().map(l -> ((JsonObject) l).getString("encodingId")).toList());
            events.await("selection", j -> "best".equals(slot(j).getString("reason")));

            HttpResponse<String> pinned = postJson(layer, "{\"mediaId\":\"1\",\"encodingId\":\"q\"}");
            assertEquals(200, pinned.statusCode(), pinned.body());
            JsonObject answer = slot(new JsonObject(pinned.body()));
            assertEquals("q", answer.getJsonObject("preference").getString("encodingId"));
            assertEquals(true, answer.getJsonObject("preference").getBoolean("temporalLayerApplied"));
            assertEquals(0, answer.getInteger("targetLayer"));
            awaitLayer(viewer, 0);
            events.await("selection", j -> "preference".equals(slot(j).getString("reason")) && Integer.valueOf(0).equals(slot(j).getInteger("layer")));
            assertEquals("preference", statsSlot().getString("reason_label"));

            assertEquals(200, postJson(layer, "{\"mediaId\":\"1\"}").statusCode(), "back to automatic");
            awaitLayer(viewer, 1);
            events.await("selection", j -> "best".equals(slot(j).getString("reason")) && slot(j).getJsonObject("preference").getBoolean("auto"));

            String metrics = get("/metrics").body();
            assertTrue(metrics.contains("junction_whep_layer_requests_total{code=\"200\"} 2"), metrics);
            assertTrue(metrics.contains("junction_whep_event_streams 1"), metrics);
            viewer.close();
            events.awaitEnd();
        }
    }

    @Test
    void shouldRefuseWhatTheSessionsTracksDoNotHave() throws Exception {
        try (ClientPublisher publisher = new ClientPublisher(base, "check", List.of("q", "f"));
                ClientSubscriber viewer = new ClientSubscriber(base + "/whep/check")) {
            String layer = link(viewer, "urn:ietf:params:whep:ext:core:layer");
            awaitCondition(() -> viewer.lastVideoLayer() >= 0, () -> "video");
            assertRefused(postJson(layer, "{\"mediaId\":\"7\"}"), 400, "no video m-section with mediaId 7; video mids: 1");
            assertRefused(postJson(layer, "{\"mediaId\":\"0\"}"), 400, "mediaId 0 is not a video m-section");
            assertRefused(postJson(layer, "{\"encodingId\":\"h\"}"), 400, "mid 1 has no layer with rid h; its rids: q, f");
            assertRefused(postJson(layer, "{\"spatialLayerId\":2}"), 400, "mid 1 has layers 0..1, not 2");
            assertRefused(postJson(layer.replace(URI.create(viewer.session()).getPath(), "/whep/check/0000"), "{}"), 404, "no whep session 0000");
            HttpResponse<String> ok = postJson(layer, "{\"maxBitrate\":100000,\"maxTemporalLayerId\":0}");
            assertEquals(200, ok.statusCode(), ok.body());
            JsonObject preference = slot(new JsonObject(ok.body())).getJsonObject("preference");
            assertEquals(100_000L, preference.getLong("maxBitrate"));
            assertEquals(0, preference.getInteger("maxTemporalLayerId"));

            String sse = link(viewer, "urn:ietf:params:whep:ext:core:server-sent-events");
            List<Events> open = new ArrayList<>();
            for (int i = 0; i < 4; i++) open.add(Events.open(http, base + sse));
            HttpResponse<String> fifth = get(sse);
            assertRefused(fifth, 429, "event streams open already");
            // The bitrate cap, below the top layer's rate once measured, holds the viewer on the lowest layer.
            open.getFirst().await("selection", j -> "preference".equals(slot(j).getString("reason")) && Integer.valueOf(0).equals(slot(j).getInteger("layer")));
        }
    }

    private static JsonObject slot(JsonObject selection) {
        return selection.getJsonObject("slots").getJsonObject("1");
    }

    private JsonObject statsSlot() throws Exception {
        JsonObject stats = new JsonObject(send(HttpRequest.newBuilder(URI.create(base + "/stats")).header("Authorization", "Bearer " + ADMIN).GET()).body());
        JsonObject subscriber = stats.getJsonArray("rooms").getJsonObject(0).getJsonArray("subscribers").getJsonObject(0);
        for (Object s : subscriber.getJsonArray("slots")) {
            if (((JsonObject) s).getString("kind").equals("video")) return (JsonObject) s;
        }
        throw new AssertionError("no video slot in " + subscriber);
    }

    private static void awaitLayer(ClientSubscriber viewer, int layer) {
        awaitCondition(() -> viewer.lastVideoLayer() == layer, () -> "layer " + layer + ", got " + viewer.lastVideoLayer());
        long seen = viewer.video();
        awaitCondition(() -> viewer.video() > seen + 20, () -> "more video");
        assertEquals(layer, viewer.lastVideoLayer(), "it stays on layer " + layer);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String reason) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(reason), response.body());
    }

    private static String link(ClientSubscriber viewer, String rel) {
        for (String l : viewer.links()) {
            if (l.contains("rel=\"" + rel + "\"")) return l.substring(l.indexOf('<') + 1, l.indexOf('>'));
        }
        throw new AssertionError("no Link with rel " + rel + " in " + viewer.links());
    }

    private HttpResponse<String> postJson(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitCondition(BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + state.get());
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** One event stream read on a virtual thread: its events as they come, and its end. */
    private record Events(BlockingQueue<String[]> queue) {
        private static final String[] END = {};

        static Events open(HttpClient http, String url) throws Exception {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            Events events = new Events(new LinkedBlockingQueue<>());
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String name = null;
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("event: ")) name = line.substring(7);
                        else if (line.startsWith("data: ") && name != null) events.queue.add(new String[] {name, line.substring(6)});
                    }
                } catch (Exception e) {
                    // The stream broke: the same as its end for these tests.
                }
                events.queue.add(END);
            });
            return events;
        }

        /** The first event {@code name} whose data matches, skipping others. */
        JsonObject await(String name, Predicate<JsonObject> matches) throws InterruptedException {
            List<String> skipped = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                String[] e = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertTrue(e != null && e != END, "no " + name + " event matched; skipped " + skipped);
                if (e[0].equals(name)) {
                    JsonObject data = new JsonObject(e[1]);
                    if (matches.test(data)) return data;
                }
                skipped.add(e[0] + " " + e[1]);
            }
        }

        void awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                String[] e = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertTrue(e != null, "the stream did not end");
                if (e == END) return;
            }
        }
    }
}
