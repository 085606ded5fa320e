package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11, VP8 temporal layers with real Chromium: a Chromium publishes VP8 simulcast with three temporal layers
 * per encoding ({@code scalabilityMode: 'L1T3'}, asked for explicitly: Chromium 156 sends the same by default, as
 * long as the dependency descriptor is not negotiated, and the test should not depend on that default),
 * another watches. The viewer caps itself at temporal layer 0 through the
 * WHEP layer endpoint: the server leaves out layers 1 and 2, and the viewer's decoded frame rate falls to about a
 * quarter while it keeps decoding (the picture ids and sequence numbers it gets run on without a gap, or its decoder
 * would stall). Back to automatic, the frame rate comes back: the server switches up at a layer-sync frame or a
 * keyframe. Frame rates are read from the viewer's getStats (framesDecoded over a 3 s window).
 */
@Tag("browser")
class TemporalLayerBrowserIT {
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final long WINDOW_MS = 3_000;

    /** What the publisher sends, and whether the server negotiates the dependency descriptor. */
    enum Stream {
        /** VP8 simulcast, its temporal layers in the VP8 payload descriptor. */
        VP8_SIMULCAST("vp8", true, false, false),
        /**
         * VP8 simulcast with the dependency descriptor negotiated: Chromium sends the temporal layers only there; the
         * viewer reads frames from it too.
         */
        VP8_SIMULCAST_DD("vp8", true, true, true),
        /** One VP9 encoding, its temporal layers read from the dependency descriptor, which the viewer reads too. */
        VP9_DD("vp9", false, true, true),
        /** The same for a viewer that does not negotiate the descriptor (Chromium's default recvonly offer). */
        VP9_DD_PLAIN_VIEWER("vp9", false, true, false),
        /** One AV1 encoding, as {@link #VP9_DD}. */
        AV1_DD("av1", false, true, true);

        final String codec;
        final boolean simulcast;
        final boolean dependencyDescriptor;
        final boolean viewerDependencyDescriptor;

        Stream(String codec, boolean simulcast, boolean dependencyDescriptor, boolean viewerDependencyDescriptor) {
            this.codec = codec;
            this.simulcast = simulcast;
            this.dependencyDescriptor = dependencyDescriptor;
            this.viewerDependencyDescriptor = viewerDependencyDescriptor;
        }

        /** The server's {@code media.dependency-descriptor}: the default, except for VP8 with the descriptor. */
        String serverMode() {
            return dependencyDescriptor && codec.equals("vp8") ? "on" : "auto";
        }

        java.util.Map<String, String> page(JunctionServer server, String role) {
            java.util.Map<String, String> query = WhipWhepBrowserIT.page(server, "temporal", role,
                    simulcast ? WhipWhepBrowserIT.Offer.VP8_SIMULCAST : WhipWhepBrowserIT.Offer.VP8, "");
            query.put("codec", codec);
            if (viewerDependencyDescriptor && role.equals("watch")) query.put("dd", "1");
            return query;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Stream.class)
    void shouldLowerTheFrameRateToTheTemporalCapAndRaiseItAgain(Stream stream) throws Exception {
        // The default (auto) answers the descriptor to VP9 and AV1 publishers and declines it for VP8; VP8 with it
        // needs media.dependency-descriptor on.
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--dependency-descriptor", stream.serverMode());
             BrowserHarness harness = BrowserHarness.start()) {
            java.util.Map<String, String> publish = stream.page(server, "publish");
            publish.put("scalability", "L1T3");
            harness.open("publisher", "e2e.html", publish);
            WhipWhepBrowserIT.awaitPublishing(harness, "publisher");
            harness.open("viewer", "e2e.html", stream.page(server, "watch"));
            JsonObject report = WhipWhepBrowserIT.awaitDecoding(harness, "viewer", WITHIN);
            assertEquals(stream.viewerDependencyDescriptor, report.getBoolean("dependencyDescriptor"),
                    "the viewer's answer has the dependency descriptor exactly when it offered it");
            assertEquals(stream.dependencyDescriptor, harness.latestReport("publisher").getBoolean("dependencyDescriptor"),
                    "the publisher's answer has it exactly when the server negotiates it");
            URI layer = URI.create(report.getString("sessionUrl") + "/layer");

            JsonObject slot;
            try {
                slot = awaitSlot(server, "the server sees temporal layers on the viewer's layer", s -> s.getValue("temporal_layer") != null);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the publisher sends " + harness.latestReport("publisher").getJsonObject("outbound"), e);
            }
            assertEquals("best", slot.getString("temporal_reason"), slot.encode());
            double all = frameRate(harness);

            HttpResponse<String> capped = post(layer, "{\"temporalLayerId\":0}");
            assertEquals(200, capped.statusCode(), capped.body());
            awaitSlot(server, "the viewer on temporal layer 0 for its preference",
                    s -> Integer.valueOf(0).equals(s.getInteger("temporal_layer")) && "preference".equals(s.getString("temporal_reason")));
            frameRate(harness); // the window the cap came into
            double base = frameRate(harness);
            JsonObject after = harness.latestReport("viewer").getJsonObject("video");

            HttpResponse<String> auto = post(layer, "{}");
            assertEquals(200, auto.statusCode(), auto.body());
            awaitSlot(server, "the viewer back on every temporal layer", s -> s.getInteger("temporal_layer", -1) >= 2);
            frameRate(harness);
            double back = frameRate(harness);
            StringBuilder metrics = new StringBuilder();
            server.sessions().metrics().appendMetrics(metrics);
            String dropped = metrics.toString().lines().filter(l -> l.startsWith("junction_room_dropped_total{reason=\"temporal_layer\"}"))
                    .findFirst().orElse("?");
            JsonObject sent = harness.latestReport("publisher").getJsonObject("outbound").getJsonObject("video");
            System.out.printf(stream + " temporal layers: %.1f fps with all, %.1f fps capped at layer 0, %.1f fps after the cap was lifted;"
                    + " viewer freezes %s; %s; publisher %s %s (%s), viewer decodes %s (%s)%n", all, base, back, after.getValue("freezeCount"),
                    dropped, sent.getString("codec"), sent.getString("scalabilityMode"), sent.getString("encoder"),
                    after.getString("codec"), after.getString("decoder"));
            assertEquals("video/" + stream.codec, sent.getString("codec").toLowerCase(java.util.Locale.ROOT), "what the publisher sends");
            assertEquals("L1T3", sent.getString("scalabilityMode"), "the publisher's encoder runs three temporal layers");
            assertTrue(dropped.matches(".* [1-9][0-9]*"), "the server counted the packets it left out: " + dropped);
            assertTrue(base < all * 0.5, "capped at temporal layer 0, the frame rate fell: " + base + " fps, against " + all);
            assertTrue(base >= 3, "capped at temporal layer 0, the viewer kept decoding: " + base + " fps");
            assertTrue(back > base * 1.8, "the frame rate came back after the cap was lifted: " + back + " fps, against " + base);
        }
    }

    private static HttpResponse<String> post(URI uri, String json) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Frames the viewer decoded per second over the next {@link #WINDOW_MS} of its reports. */
    private static double frameRate(BrowserHarness harness) {
        JsonObject start = harness.latestReport("viewer");
        long startMs = start.getLong("elapsedMs");
        long startFrames = start.getJsonObject("video").getLong("framesDecoded");
        JsonObject end = harness.awaitReport("viewer", "a report " + WINDOW_MS + " ms later",
                r -> r.getLong("elapsedMs") >= startMs + WINDOW_MS, WITHIN);
        return (end.getJsonObject("video").getLong("framesDecoded") - startFrames) * 1000.0 / (end.getLong("elapsedMs") - startMs);
    }

    /** Waits until the viewer's video slot, as the room's detail shows it, satisfies {@code until}. */
    private static JsonObject awaitSlot(JunctionServer server, String expectation, Predicate<JsonObject> until) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        JsonObject slot = null;
        while (System.nanoTime() < deadline) {
            slot = videoSlot(server);
            if (slot != null && until.test(slot)) return slot;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new AssertionError(expectation + ": not within " + WITHIN + "; slot " + (slot == null ? null : slot.encode()));
    }

    private static JsonObject videoSlot(JunctionServer server) {
        String json = server.sessions().dashboard().room("temporal").toCompletableFuture().join();
        if (json == null) return null;
        JsonArray subscribers = new JsonObject(json).getJsonArray("subscribers");
        if (subscribers.isEmpty()) return null;
        for (Object o : subscribers.getJsonObject(0).getJsonArray("slots", new JsonArray())) {
            JsonObject s = (JsonObject) o;
            if ("video".equals(s.getString("kind"))) return s;
        }
        return null;
    }
}
