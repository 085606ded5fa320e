package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import dev.junction.transport.socket.MediaSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, a viewer on a weak link: Chromium publishes three simulcast layers from a 1280x720 fake camera (1280x720,
 * 640x360 and 320x180 at 30 fps, capped at 900, 400 and 150 kbit/s), one Chromium viewer watches over a downlink
 * limited to 600 kbit/s by the kernel's {@code htb} ({@link LoopbackShaper}) with 40 ms of delay (an
 * {@link ImpairedRelay} holding every datagram from the gateway), and another watches unshaped. From their getStats
 * timelines:
 * <ul>
 *   <li>the shaped viewer receives a lower layer (frameWidth at most 640) within {@link #LOWER_WITHIN} of its first
 *       frame, then over a window of {@link #WINDOW} decodes at least {@link #MIN_FPS} frames a second with at most
 *       {@link #MAX_FREEZE_S} s of freezes;</li>
 *   <li>once the limit is lifted, it is back on the top layer within {@link #BACK_WITHIN};</li>
 *   <li>the unshaped viewer reaches the top layer and stays on it throughout.</li>
 * </ul>
 * Everything is awaited as a condition with a deadline; the timelines are printed, with the publisher's quality
 * limitation (getStats' {@code qualityLimitationReason} and {@code qualityLimitationDurations}).
 *
 * <p>The publisher's own bandwidth estimate has a floor ({@link #PUBLISHER_MIN_KBPS}). On this 2-core machine the
 * two viewers' Chromiums starting stalled the publisher's Chromium for up to 0.6 s (its RTT to the server rose to
 * 206 ms); its delay-based estimator read the stall as congestion (qualityLimitationReason {@code bandwidth}, never
 * {@code cpu}: 0.0 s) and cut its estimate from 3.4-3.9 Mbit/s to 0.9-1.2 Mbit/s. Its additive increase then climbs
 * about 40 kbit/s a second, so its top layer stayed paused (or ran at half its rate) for the rest of the run and
 * neither "back to the top" nor "the clear viewer keeps it" could be seen. The test is about the viewers' leg: the
 * publisher's leg is loopback, which carries its layers, and the floor says so (README, "The shaped viewer").
 *
 * <p>The climb back after the lift is the server's probing: before its {@code Pacer} kept a probe cluster to the
 * cluster's own schedule, the room's timer (every 10 ms at best) sent clusters of 1.1-1.6 Mbit/s at 0.4-0.8 Mbit/s,
 * and the shaped viewer's estimate climbed by additive increase instead (7.6-9.9 s back to the top layer, once more
 * than 15 s).
 *
 * <p>Not yet in the suite (tag {@code shaped}, run with {@code -Dbrowser.groups=shaped}): it passed 10 of 12 runs in a
 * row here; the two failures were the shaped viewer's freezes (1.15 and 1.58 s, over the 1 s allowed). A new viewer
 * starts on the top layer (no estimate before its first feedback, and the 1 Mbit/s start fits the 900 kbit/s layer),
 * the 1280 keyframe overflows the 600 kbit/s link's 200 ms queue, and the switch down waits for a lower keyframe.
 * README, "The shaped viewer", has every run's figures.
 */
@Tag("shaped")
class ShapedViewerBrowserIT {

    private static final int LIMIT_KBPS = 600;
    /** 200 ms at the limit: a router's buffer, not a bufferbloated one. */
    private static final int QUEUE_BYTES = LIMIT_KBPS * 1000 / 8 / 5;
    private static final int DELAY_MS = 40;
    /**
     * The floor of the publisher's bandwidth estimate (Chromium's x-google-min-bitrate): its three layers' caps and its
     * audio. See the class comment.
     */
    private static final int PUBLISHER_MIN_KBPS = 1500;
    /** The issue's fake camera: its layers are 1280x720, 640x360 and 320x180. */
    private static final String CAMERA = "1280x720";
    private static final int TOP_WIDTH = 1280;
    private static final int LOWER_MAX_WIDTH = 640;
    private static final Duration LOWER_WITHIN = Duration.ofSeconds(5);
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final Duration BACK_WITHIN = Duration.ofSeconds(10);
    private static final double MIN_FPS = 20;
    private static final double MAX_FREEZE_S = 1.0;
    private static final Duration CONNECTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration TOP_LAYER_WITHIN = Duration.ofSeconds(30);
    /** The publisher's top layer counts as flowing once it carries this much (its cap is 900 kbit/s). */
    private static final long TOP_LAYER_MIN_BPS = 500_000;
    /** A viewer's layer lags the server's by a keyframe and a report: a drop this close to a pause is the pause's. */
    private static final long TOP_GAP_SLACK_MS = 2_500;

    /** One sample of a viewer's timeline. */
    private record Sample(long atMs, int width, long framesDecoded, double freezesS) {
        @Override
        public String toString() {
            return atMs + "ms:" + width + "w/" + framesDecoded + "f/" + freezesS + "s";
        }
    }

    @Test
    void shouldGiveTheShapedViewerALowerLayerAndTheTopOneBackWhenTheLinkClears() throws Exception {
        List<ImpairedRelay> relays = new ArrayList<>();
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--media-loops", "1", "--ice-tcp", "off");
             AutoCloseable closeRelays = () -> relays.forEach(ImpairedRelay::close);
             BrowserHarness harness = BrowserHarness.start()) {
            Map<String, String> publisher = WhipWhepBrowserIT.page(server, "shaped", "publish", WhipWhepBrowserIT.Offer.VP8_SIMULCAST, "");
            publisher.put("camera", CAMERA);
            publisher.put("minKbps", String.valueOf(PUBLISHER_MIN_KBPS));
            harness.open("publisher", "e2e.html", publisher);
            harness.awaitReport("publisher", "three video encodings sending", r -> r.getJsonObject("outbound").getJsonObject("video")
                    .getLong("encodings") == 3 && r.getJsonObject("outbound").getJsonObject("video").getLong("packetsSent") > 0, CONNECTED_WITHIN);

            // The viewers come once the publisher's top layer flows: the layer a viewer gets must be the server's
            // choice, not the only one there is.
            long topDeadline = System.nanoTime() + TOP_LAYER_WITHIN.toNanos();
            io.vertx.core.json.JsonArray layers = null;
            while (!topLayerFlows(layers)) {
                assertTrue(System.nanoTime() < topDeadline, "the publisher's top layer did not flow within " + TOP_LAYER_WITHIN + ": " + layers);
                pause();
                layers = videoLayers(server);
            }
            System.out.println("shaped: publisher's layers when the viewers come: " + layers);

            Map<Integer, Integer> relayPorts = new LinkedHashMap<>();
            for (MediaSocket socket : server.sessions().sockets()) {
                ImpairedRelay relay = ImpairedRelay.delayingDownlink(socket.localAddress(), DELAY_MS);
                relays.add(relay);
                relayPorts.put(socket.localAddress().getPort(), relay.port());
            }
            try (LoopbackShaper shaper = LoopbackShaper.limit(relays.stream().map(ImpairedRelay::gatewaySidePort).toList(), LIMIT_KBPS, QUEUE_BYTES)) {
                Map<String, String> shaped = WhipWhepBrowserIT.page(server, "shaped", "watch", WhipWhepBrowserIT.Offer.VP8_SIMULCAST, "");
                shaped.put("relay", relayPorts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
                harness.open("shaped", "e2e.html", shaped);
                harness.open("clear", "e2e.html", WhipWhepBrowserIT.page(server, "shaped", "watch", WhipWhepBrowserIT.Offer.VP8_SIMULCAST, ""));

                long startNs = System.nanoTime();
                List<Sample> shapedLine = new ArrayList<>();
                List<Sample> clearLine = new ArrayList<>();
                PublisherTimeline publisherTimeline = new PublisherTimeline();
                // When the server saw the publisher's top layer stop (Chromium pauses it when its own estimate falls
                // short, which the floor above is there to prevent): a viewer's drop then is not the server's choice.
                List<Long> topGaps = new ArrayList<>();
                harness.awaitReport("shaped", "a first decoded frame", r -> video(r).getLong("framesDecoded") > 0, CONNECTED_WITHIN);
                long firstFrameMs = ms(startNs);

                // 1. A lower layer within LOWER_WITHIN of the first frame.
                long lowerAtMs = -1;
                while (lowerAtMs < 0 && ms(startNs) - firstFrameMs <= LOWER_WITHIN.toMillis() + 2_000) {
                    Sample s = sample(harness, "shaped", startNs, shapedLine);
                    sample(harness, "clear", startNs, clearLine);
                    publisherTimeline.sample(harness, startNs);
                    watchTop(server, startNs, topGaps);
                    if (s != null && s.width() > 0 && s.width() <= LOWER_MAX_WIDTH) lowerAtMs = s.atMs();
                    pause();
                }
                // 2. The window: frames and freezes on the lower layer.
                Sample windowStart = shapedLine.getLast();
                while (ms(startNs) - windowStart.atMs() < WINDOW.toMillis()) {
                    sample(harness, "shaped", startNs, shapedLine);
                    sample(harness, "clear", startNs, clearLine);
                    publisherTimeline.sample(harness, startNs);
                    watchTop(server, startNs, topGaps);
                    pause();
                }
                Sample windowEnd = shapedLine.getLast();
                String shapedStats = shaper.statistics();
                // 3. Lift the limit; the top layer must come back.
                shaper.setRate(1_000_000);
                long liftedMs = ms(startNs);
                long backAtMs = -1;
                while (backAtMs < 0 && ms(startNs) - liftedMs <= BACK_WITHIN.toMillis() + 5_000) {
                    Sample s = sample(harness, "shaped", startNs, shapedLine);
                    sample(harness, "clear", startNs, clearLine);
                    publisherTimeline.sample(harness, startNs);
                    watchTop(server, startNs, topGaps);
                    if (s != null && s.width() >= TOP_WIDTH) backAtMs = s.atMs();
                    pause();
                }
                // The clear viewer's timeline needs its top layer before the end, to say it stayed there.
                long clearDeadlineMs = ms(startNs) + TOP_LAYER_WITHIN.toMillis();
                while (clearLine.stream().noneMatch(s -> s.width() >= TOP_WIDTH) && ms(startNs) < clearDeadlineMs) {
                    sample(harness, "clear", startNs, clearLine);
                    publisherTimeline.sample(harness, startNs);
                    watchTop(server, startNs, topGaps);
                    pause();
                }
                StringBuilder metrics = new StringBuilder();
                server.sessions().metrics().appendMetrics(metrics);
                String layerMetrics = metrics.toString().lines().filter(l -> l.contains("layer") || l.contains("estimate") || l.contains("keyframe") || l.contains("nack"))
                        .filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n  "));

                JsonObject pub = harness.latestReport("publisher").getJsonObject("outbound").getJsonObject("video");
                layerMetrics += "\n  publisher: pliCount " + pub.getLong("pliCount") + ", nackCount " + pub.getLong("nackCount") + ", framesEncoded "
                        + pub.getLong("framesEncoded") + ", encodings " + pub.getLong("encodings") + ", bytesSent " + pub.getLong("bytesSent");
                double windowS = (windowEnd.atMs() - windowStart.atMs()) / 1000.0;
                double fps = windowS <= 0 ? 0 : (windowEnd.framesDecoded() - windowStart.framesDecoded()) / windowS;
                double freezes = windowEnd.freezesS() - firstSample(shapedLine).freezesS();
                String figures = "publisher's top layer paused at " + topGaps + " ms; " + publisherTimeline.figures(pub) + "; "
                        + String.format("shaped viewer: first frame %d ms, lower layer %d ms after it, window %.1f s at %.1f fps"
                                + " with %.2f s of freezes since its first frame, top layer again %d ms after the lift; shaper %s%n"
                                + "  shaped: %s%n  clear: %s%n  publisher: %s%n  %s",
                        firstFrameMs, lowerAtMs < 0 ? -1 : lowerAtMs - firstFrameMs, windowS, fps, freezes,
                        backAtMs < 0 ? -1 : backAtMs - liftedMs, shapedStats, shapedLine, clearLine, publisherTimeline, layerMetrics);
                System.out.println(figures);

                assertTrue(lowerAtMs >= 0 && lowerAtMs - firstFrameMs <= LOWER_WITHIN.toMillis(), "no layer of width <= " + LOWER_MAX_WIDTH
                        + " within " + LOWER_WITHIN.toMillis() + " ms of the first frame: " + figures);
                assertTrue(windowEnd.width() <= LOWER_MAX_WIDTH, "the shaped viewer went back up while shaped: " + figures);
                assertTrue(fps >= MIN_FPS, "the shaped viewer decoded fewer than " + MIN_FPS + " fps: " + figures);
                assertTrue(freezes <= MAX_FREEZE_S, "the shaped viewer froze more than " + MAX_FREEZE_S + " s: " + figures);
                assertTrue(backAtMs >= 0 && backAtMs - liftedMs <= BACK_WITHIN.toMillis(), "the top layer did not come back within "
                        + BACK_WITHIN.toMillis() + " ms of the lift: " + figures);
                int topAt = -1;
                for (int i = 0; i < clearLine.size(); i++) {
                    if (clearLine.get(i).width() >= TOP_WIDTH) {
                        topAt = i;
                        break;
                    }
                }
                assertTrue(topAt >= 0, "the clear viewer never received the top layer: " + figures);
                for (Sample s : clearLine.subList(topAt, clearLine.size())) {
                    boolean publisherPaused = topGaps.stream().anyMatch(gap -> Math.abs(gap - s.atMs()) <= TOP_GAP_SLACK_MS);
                    assertTrue(s.width() >= TOP_WIDTH || publisherPaused, "the clear viewer left the top layer at " + s
                            + " while the publisher sent it (top layer paused at " + topGaps + "): " + figures);
                }
            }
        }
    }

    /** Notes the time when the server sees the publisher's top layer inactive. */
    private static void watchTop(JunctionServer server, long startNs, List<Long> gaps) {
        io.vertx.core.json.JsonArray layers = videoLayers(server);
        if (layers != null && layers.size() == 3 && !layers.getJsonObject(2).getBoolean("active")) gaps.add(ms(startNs));
    }

    /** The publisher's encodings over the run, from its getStats: when their widths or limitation reasons changed. */
    private static final class PublisherTimeline {
        private final List<String> changes = new ArrayList<>();
        private long leastEstimateBps = Long.MAX_VALUE;

        /** Notes the publisher's latest report: its encodings when they changed, and its bandwidth estimate. */
        void sample(BrowserHarness harness, long startNs) {
            JsonObject r = harness.latestReport("publisher");
            JsonObject byRid = r == null ? null : r.getJsonObject("outbound").getJsonObject("video").getJsonObject("byRid");
            if (byRid == null) return;
            Number estimate = (Number) r.getValue("availableOutgoingBitrate");
            if (estimate != null) leastEstimateBps = Math.min(leastEstimateBps, estimate.longValue());
            StringBuilder state = new StringBuilder();
            for (String rid : List.of("q", "h", "f")) {
                JsonObject e = byRid.getJsonObject(rid);
                if (e != null) state.append(' ').append(rid).append(' ').append(e.getInteger("frameWidth", 0)).append(' ').append(e.getString("reason"));
            }
            if (changes.isEmpty() || !changes.getLast().endsWith(state.toString())) changes.add(ms(startNs) + "ms" + state);
        }

        /** What held its top encoding back over the whole run ({@code outboundVideo}: its last report's), and its least estimate. */
        String figures(JsonObject outboundVideo) {
            JsonObject top = outboundVideo.getJsonObject("byRid", new JsonObject()).getJsonObject("f", new JsonObject());
            JsonObject held = top.getJsonObject("durations", new JsonObject());
            return String.format("publisher: top encoding's qualityLimitationReason %s, limited by cpu %.1f s and bandwidth %.1f s, %d resolution"
                            + " changes, its estimate at least %d kbit/s", top.getString("reason"), held.getDouble("cpu", 0.0),
                    held.getDouble("bandwidth", 0.0), top.getInteger("resolutionChanges", 0), leastEstimateBps == Long.MAX_VALUE ? -1 : leastEstimateBps / 1000);
        }

        @Override
        public String toString() {
            return changes.toString();
        }
    }

    private static boolean topLayerFlows(io.vertx.core.json.JsonArray layers) {
        return layers != null && layers.size() == 3 && layers.getJsonObject(2).getBoolean("active")
                && layers.getJsonObject(2).getLong("bitrate_bps") >= TOP_LAYER_MIN_BPS;
    }

    /** The publisher's video layers as the server sees them (the dashboard's room detail), or null before it joined. */
    private static io.vertx.core.json.JsonArray videoLayers(JunctionServer server) {
        String json = server.sessions().dashboard().room("shaped").toCompletableFuture().join();
        if (json == null) return null;
        io.vertx.core.json.JsonArray publishers = new JsonObject(json).getJsonArray("publishers");
        if (publishers.isEmpty()) return null;
        for (Object t : publishers.getJsonObject(0).getJsonArray("tracks", new io.vertx.core.json.JsonArray())) {
            JsonObject track = (JsonObject) t;
            if (track.getString("kind").equals("video")) return track.getJsonArray("layers");
        }
        return null;
    }

    private static Sample firstSample(List<Sample> line) {
        return line.stream().filter(s -> s.framesDecoded() > 0).findFirst().orElse(line.getFirst());
    }

    /** The page's latest report as a sample, appended to {@code line} when it is new; the last sample otherwise. */
    private static Sample sample(BrowserHarness harness, String page, long startNs, List<Sample> line) {
        JsonObject r = harness.latestReport(page);
        if (r == null || r.getJsonObject("video") == null) return line.isEmpty() ? null : line.getLast();
        JsonObject v = video(r);
        Sample s = new Sample(ms(startNs), v.getInteger("frameWidth", 0), v.getLong("framesDecoded", 0L), v.getDouble("totalFreezesDuration", 0.0));
        if (line.isEmpty() || line.getLast().framesDecoded() != s.framesDecoded() || line.getLast().width() != s.width()) line.add(s);
        return s;
    }

    private static JsonObject video(JsonObject report) {
        return report.getJsonObject("video");
    }

    private static long ms(long startNs) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    /** The pages report every 250 ms; sampling a little faster sees each report. */
    private static void pause() {
        LockSupport.parkNanos(100_000_000L);
    }
}
