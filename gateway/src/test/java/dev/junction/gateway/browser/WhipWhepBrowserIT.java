package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end (DESIGN §6, STYLE "End to end"): headless Chromium publishes the fake camera and microphone
 * to a Junction over WHIP, two more Chromiums watch the room over WHEP, and every subscriber's getStats()
 * must show decoded video and received audio. Runs in the browser-tests surefire execution, inside a
 * loopback-only network namespace, so the only path is 127.0.0.1.
 *
 * <p>The pages are served by the {@link BrowserHarness} and call the gateway cross-origin, so this also
 * covers the CORS preflight of {@code application/sdp} POSTs and the exposed {@code Location}.
 */
@Tag("browser")
class WhipWhepBrowserIT {

    private static final Duration PUBLISHER_CONNECTED_WITHIN = Duration.ofSeconds(10);
    private static final Duration SUBSCRIBERS_DECODE_WITHIN = Duration.ofSeconds(30);
    private static final long MIN_FRAMES_DECODED = 100;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1");

    /**
     * The one place that starts the gateway: adapt it when {@link JunctionServer}'s API settles. Binds and
     * announces loopback only (the namespace has nothing else) with free ports.
     */
    static JunctionServer startServer(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--bind", "127.0.0.1", "--http-port", "0", "--media-port", "0", "--announce", "127.0.0.1"));
        args.addAll(List.of(extraArgs));
        return JunctionServer.start(ConfigLoader.load(args.toArray(String[]::new)));
    }

    static String baseUrl(JunctionServer server) {
        return "http://127.0.0.1:" + server.httpPort();
    }

    enum Offer {
        VP8("vp8", false),
        H264("h264", false),
        VP8_SIMULCAST("vp8", true);

        final String codec;
        final boolean simulcast;

        Offer(String codec, boolean simulcast) {
            this.codec = codec;
            this.simulcast = simulcast;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Offer.class)
    void shouldForwardOnePublisherToTwoSubscribers(Offer offer) throws Exception {
        try (JunctionServer server = startServer();
             BrowserHarness harness = BrowserHarness.start()) {
            String room = "e2e-" + offer.name().toLowerCase(Locale.ROOT).replace('_', '-');
            harness.open("publisher", "e2e.html", page(server, room, "publish", offer, ""));
            awaitPublishing(harness, "publisher");

            harness.open("subscriber1", "e2e.html", page(server, room, "watch", offer, ""));
            harness.open("subscriber2", "e2e.html", page(server, room, "watch", offer, ""));
            long deadlineNs = System.nanoTime() + SUBSCRIBERS_DECODE_WITHIN.toNanos();
            for (String subscriber : List.of("subscriber1", "subscriber2")) {
                JsonObject report = awaitDecoding(harness, subscriber, Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
                assertEquals("video/" + offer.codec, report.getJsonObject("video").getString("codec").toLowerCase(Locale.ROOT), report.encode());
                assertLoopbackOnly(report);
                System.out.printf("%s %s: answer in %d ms, first frame %d ms after POST, %d frames at %d ms (%dx%d), %d audio samples, rtt %s ms%n",
                        offer, subscriber, report.getLong("answerMs"), report.getLong("firstFrameAfterPostMs"),
                        report.getJsonObject("video").getLong("framesDecoded"), report.getLong("elapsedMs"),
                        report.getJsonObject("video").getLong("frameWidth"), report.getJsonObject("video").getLong("frameHeight"),
                        report.getJsonObject("audio").getLong("totalSamplesReceived"), report.getValue("rttMs"));
            }
            if (offer.simulcast) {
                JsonObject published = harness.latestReport("publisher");
                assertEquals(3, published.getJsonObject("outbound").getJsonObject("video").getInteger("encodings"), published.encode());
            }
        }
    }

    // DESIGN §4: a free slot picks up a publisher that joins after the subscriber, without renegotiation.
    @Test
    void shouldFillSubscriberSlotWhenPublisherJoinsLater() throws Exception {
        try (JunctionServer server = startServer();
             BrowserHarness harness = BrowserHarness.start()) {
            harness.open("subscriber", "e2e.html", page(server, "late", "watch", Offer.VP8, ""));
            harness.awaitReport("subscriber", "a connected WHEP session",
                    r -> "connected".equals(r.getString("connectionState")), PUBLISHER_CONNECTED_WITHIN);

            harness.open("publisher", "e2e.html", page(server, "late", "publish", Offer.VP8, ""));
            awaitPublishing(harness, "publisher");
            awaitDecoding(harness, "subscriber", SUBSCRIBERS_DECODE_WITHIN);
        }
    }

    @Test
    void shouldShowTheServersReasonWhenTheBearerTokenIsMissingAndAcceptTheRightOne() throws Exception {
        try (JunctionServer server = startServer("--token", "s3cret");
             BrowserHarness harness = BrowserHarness.start()) {
            harness.open("anonymous", "e2e.html", page(server, "guarded", "publish", Offer.VP8, ""));
            String error = harness.awaitPageError("anonymous", PUBLISHER_CONNECTED_WITHIN);
            assertTrue(error.startsWith("WHIP 401: "), error);

            harness.open("publisher", "e2e.html", page(server, "guarded", "publish", Offer.VP8, "s3cret"));
            awaitPublishing(harness, "publisher");
            harness.open("subscriber", "e2e.html", page(server, "guarded", "watch", Offer.VP8, "s3cret"));
            awaitDecoding(harness, "subscriber", SUBSCRIBERS_DECODE_WITHIN);
        }
    }

    static Map<String, String> page(JunctionServer server, String room, String role, Offer offer, String token) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("base", baseUrl(server));
        query.put("room", room);
        query.put("role", role);
        query.put("codec", offer.codec);
        query.put("simulcast", offer.simulcast && role.equals("publish") ? "1" : "0");
        if (!token.isEmpty()) query.put("token", token);
        return query;
    }

    static JsonObject awaitPublishing(BrowserHarness harness, String pageId) {
        return awaitPublishing(harness, pageId, PUBLISHER_CONNECTED_WITHIN);
    }

    static JsonObject awaitPublishing(BrowserHarness harness, String pageId, Duration within) {
        JsonObject report = harness.awaitReport(pageId, "a connected WHIP session sending video",
                r -> "connected".equals(r.getString("connectionState"))
                        && r.getJsonObject("outbound").getJsonObject("video").getLong("packetsSent") > 0
                        && r.getJsonObject("outbound").getJsonObject("audio").getLong("packetsSent") > 0,
                within);
        assertEquals(201, report.getInteger("status"));
        assertNotNull(report.getString("sessionUrl"), "no Location on the 201 (or not exposed to scripts by CORS)");
        return report;
    }

    static JsonObject awaitDecoding(BrowserHarness harness, String pageId, Duration within) {
        JsonObject report = harness.awaitReport(pageId, "framesDecoded > " + MIN_FRAMES_DECODED + " and audio received",
                r -> r.getJsonObject("video").getLong("framesDecoded") > MIN_FRAMES_DECODED
                        && r.getJsonObject("audio").getLong("totalSamplesReceived") > 0
                        && r.getJsonObject("audio").getLong("packetsReceived") > 0,
                within);
        assertNotNull(report.getLong("firstFrameAfterPostMs"), "time from POST to first decoded frame not measured");
        return report;
    }

    private static void assertLoopbackOnly(JsonObject report) {
        for (Object c : report.getJsonArray("candidates")) {
            assertTrue(LOOPBACK.contains(((JsonObject) c).getString("address")), "non-loopback candidate " + c);
        }
        for (Object address : report.getJsonArray("answerSdpCandidates")) {
            assertTrue(LOOPBACK.contains(address), "the answer announces a non-loopback candidate " + address);
        }
    }
}
