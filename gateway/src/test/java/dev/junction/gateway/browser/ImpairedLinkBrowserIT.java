package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import dev.junction.transport.socket.MediaSocket;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Faults on the publisher's leg (issue 12): a Chromium publishes the fake camera (VP8) over WHIP through an
 * {@link ImpairedRelay} that drops 5% of its RTP/RTCP and delays each kept packet by 0..20 ms, which reorders
 * them, while two Chromium subscribers watch over WHEP straight from the gateway (one on the room's home loop,
 * one on the other loop through a pipe, on a two-core machine). The gateway must NACK the losses upstream, the
 * publisher must answer with retransmissions, and the repairs must reach the subscribers, whose video keeps
 * decoding without freezing.
 *
 * <p>Bounds, over a window of {@link #WINDOW_FRAMES} decoded frames (about 8 s) after a warm-up:
 * <ul>
 *   <li>Video packets lost at a subscriber at most {@link #MAX_LOST_PERCENT}% of those received. Unrepaired, the
 *       5% lost upstream would reach it as 5% lost (the gateway cannot answer a NACK for a packet it never had);
 *       repaired, runs showed 0 to 0.2% (a packet whose repair is still in flight as the window closes).</li>
 *   <li>At most {@link #MAX_FREEZES} freezes per subscriber (Chromium counts one when a frame comes later than
 *       max(3 average frame intervals, average + 150 ms), so about 180 ms at 30 fps). A loss repaired by NACK and
 *       RTX delays its frame by the 15 ms NACK wait plus one relay delay (at most 20 ms) plus a retry (100 ms)
 *       when the retransmission itself was lost: not a freeze. Without repairs, VP8's chain of references breaks
 *       at every lost packet (about one frame in eight at 5%) until the next keyframe: a freeze every second or
 *       so. Unloaded runs showed 0; runs with three Chromiums and a busy loop per core on two cores showed up to
 *       3, from renderers starved of CPU (their own 250 ms reports came up to a second late), so the bound
 *       leaves room for starvation while still failing when repairs are missing.</li>
 * </ul>
 * The relay's own counts prove it did drop and reorder, so the test cannot pass on a clean link.
 *
 * <p>Everything is awaited as a condition with a deadline sized for a loaded two-core machine, never as elapsed
 * time; failure messages carry the pages' last reports and, for the bounds, the subscriber's decode history
 * over the window. The figures of each run are printed.
 */
@Tag("browser")
class ImpairedLinkBrowserIT {

    private static final double LOSS_RATE = 0.05;
    private static final int MAX_DELAY_MS = 20;
    private static final long SEED = 12;

    private static final Duration PUBLISHER_CONNECTED_WITHIN = Duration.ofSeconds(20);
    private static final Duration SUBSCRIBERS_DECODE_WITHIN = Duration.ofSeconds(30);
    /** Warm-up before the measured window: past the first keyframe and the decoder's start. */
    private static final long WARM_UP_FRAMES = 60;
    /** The measured window: about 8 s of the fake camera's 30 fps. */
    private static final long WINDOW_FRAMES = 240;
    /** For the window; generous, as a loaded machine may decode at a third of the rate. */
    private static final Duration WINDOW_WITHIN = Duration.ofSeconds(60);
    private static final Duration REPAIRS_SEEN_WITHIN = Duration.ofSeconds(20);
    private static final int MAX_FREEZES = 5;
    private static final double MAX_LOST_PERCENT = 1.0;
    private static final List<String> SUBSCRIBERS = List.of("subscriber1", "subscriber2");

    @Test
    void shouldKeepSubscribersDecodingWhileNackAndRtxRepairTheLossyPublisherLeg() throws Exception {
        List<ImpairedRelay> relays = new ArrayList<>();
        try (JunctionServer server = WhipWhepBrowserIT.startServer();
             AutoCloseable closeRelays = () -> closeAll(relays);
             BrowserHarness harness = BrowserHarness.start()) {
            // One relay per media socket: which loop homes the room, and so which port the answer names, is the
            // gateway's choice.
            Map<Integer, Integer> relayPorts = new LinkedHashMap<>();
            for (MediaSocket socket : server.sessions().sockets()) {
                ImpairedRelay relay = ImpairedRelay.start(socket.localAddress(), LOSS_RATE, MAX_DELAY_MS, SEED + relays.size());
                relays.add(relay);
                relayPorts.put(socket.localAddress().getPort(), relay.port());
            }
            Map<String, String> publisherQuery = page(server, "publish");
            publisherQuery.put("relay", relayPorts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
            harness.open("publisher", "e2e.html", publisherQuery);
            harness.awaitReport("publisher", "a connected WHIP session sending video",
                    r -> "connected".equals(r.getString("connectionState")) && outboundVideo(r).getLong("packetsSent") > 0,
                    PUBLISHER_CONNECTED_WITHIN);
            ImpairedRelay relay = theRelayInUse(relays);

            for (String subscriber : SUBSCRIBERS) harness.open(subscriber, "e2e.html", page(server, "watch"));
            Map<String, Window> windows = new LinkedHashMap<>();
            for (String subscriber : SUBSCRIBERS) {
                windows.put(subscriber, new Window(subscriber, harness.awaitReport(subscriber, "framesDecoded > " + WARM_UP_FRAMES,
                        r -> video(r).getLong("framesDecoded") > WARM_UP_FRAMES, SUBSCRIBERS_DECODE_WITHIN)));
            }
            ImpairedRelay.Counts relayAtWindowStart = relay.counts();
            awaitWindows(harness, windows);
            ImpairedRelay.Counts relayAtWindowEnd = relay.counts();

            JsonObject publisher = harness.awaitReport("publisher", "outbound video nackCount > 0 and retransmittedPacketsSent > 0",
                    r -> outboundVideo(r).getLong("nackCount") > 0 && outboundVideo(r).getLong("retransmittedPacketsSent") > 0,
                    REPAIRS_SEEN_WITHIN);
            ImpairedRelay.Counts relayCounts = relay.counts();

            for (Window w : windows.values()) System.out.println(w.summary());
            JsonObject out = outboundVideo(publisher);
            System.out.printf("publisher: %d video packets sent, nackCount %d, retransmittedPacketsSent %d, pliCount %d, %s%n",
                    out.getLong("packetsSent"), out.getLong("nackCount"), out.getLong("retransmittedPacketsSent"),
                    out.getLong("pliCount"), out.getString("codec"));
            System.out.printf("relay: %s; in the window %d impaired, %d dropped; dropped/impaired by type: %s%n", relayCounts,
                    relayAtWindowEnd.impaired() - relayAtWindowStart.impaired(), relayAtWindowEnd.dropped() - relayAtWindowStart.dropped(),
                    relay.droppedByType());
            System.out.println("gateway: " + roomMetrics(server));

            // Not vacuous: the link really was lossy and jittery, during the window too.
            assertNull(relay.failure(), "the relay thread failed");
            assertTrue(relayAtWindowEnd.dropped() > relayAtWindowStart.dropped(), "the relay dropped nothing during the window: " + relayCounts);
            assertTrue(relayCounts.lossRate() >= LOSS_RATE / 2, "the relay dropped too little to test repairs: " + relayCounts);
            assertTrue(relayCounts.reordered() > 0, "the relay reordered nothing: " + relayCounts);
            // The repairs: asked for upstream, sent by the publisher (awaited above), and they reached the subscribers.
            for (Window w : windows.values()) {
                assertTrue(w.lost() <= w.received() * MAX_LOST_PERCENT / 100, w.page + " lost more than " + MAX_LOST_PERCENT
                        + "% of its video packets during the window, so the losses upstream were not repaired: " + w.summary() + w.history());
                assertTrue(w.freezes() <= MAX_FREEZES, w.page + " froze more than " + MAX_FREEZES + " times during the window: "
                        + w.summary() + w.history());
            }
        }
    }

    /**
     * Waits until every subscriber decoded {@link #WINDOW_FRAMES} more frames than at its window's start, watching
     * all of them on every wake-up (any page's report wakes the harness).
     */
    private static void awaitWindows(BrowserHarness harness, Map<String, Window> windows) {
        String first = SUBSCRIBERS.getFirst();
        try {
            harness.awaitReport(first, WINDOW_FRAMES + " more frames decoded by every subscriber", r -> {
                boolean all = true;
                for (Window w : windows.values()) {
                    JsonObject latest = w.page.equals(first) ? r : harness.latestReport(w.page);
                    all &= w.see(latest);
                }
                return all;
            }, WINDOW_WITHIN);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  windows:\n" + windows.values().stream()
                    .map(w -> w.summary() + w.history()).collect(Collectors.joining("\n")), e);
        }
    }

    /**
     * One subscriber's measured window: its report at the start, its latest, and a short history of its decode
     * progress (for failure messages).
     */
    private static final class Window {
        private static final int HISTORY = 60;

        final String page;
        final JsonObject start;
        final long untilFrames;
        JsonObject end;
        long lastFrames = -1;
        long lastProgressMs;
        long longestGapMs;
        final ArrayDeque<String> history = new ArrayDeque<>();

        Window(String page, JsonObject start) {
            this.page = page;
            this.start = start;
            this.end = start;
            this.untilFrames = video(start).getLong("framesDecoded") + WINDOW_FRAMES;
        }

        /** Takes a report of this page; whether the window is complete. */
        boolean see(JsonObject report) {
            if (report == null || report.getValue("error") != null) return false;
            end = report;
            JsonObject v = video(report);
            long frames = v.getLong("framesDecoded");
            long nowMs = report.getLong("elapsedMs");
            if (frames != lastFrames) {
                if (lastFrames >= 0) longestGapMs = Math.max(longestGapMs, nowMs - lastProgressMs);
                lastFrames = frames;
                lastProgressMs = nowMs;
                if (history.size() == HISTORY) history.removeFirst();
                history.addLast(nowMs + " ms: " + frames + " decoded, " + v.getLong("freezeCount") + " freezes, "
                        + v.getLong("packetsLost") + "/" + v.getLong("packetsReceived") + " lost/received");
            }
            return frames >= untilFrames;
        }

        long frames() {
            return video(end).getLong("framesDecoded") - video(start).getLong("framesDecoded");
        }

        long freezes() {
            return video(end).getLong("freezeCount") - video(start).getLong("freezeCount");
        }

        long received() {
            return video(end).getLong("packetsReceived") - video(start).getLong("packetsReceived");
        }

        long lost() {
            return video(end).getLong("packetsLost") - video(start).getLong("packetsLost");
        }

        String summary() {
            JsonObject e = video(end);
            long ms = end.getLong("elapsedMs") - start.getLong("elapsedMs");
            return String.format("%s window: %d frames in %d ms (%.1f fps), longest gap between reports with progress %d ms,"
                            + " %d freezes (%d in all, %.2f s), video packets received %d lost %d (%.2f%%);"
                            + " in all nackCount %d, RTX received %d, pliCount %d, framesDropped %d, audio lost %d of %d",
                    page, frames(), ms, frames() * 1000.0 / Math.max(1, ms), longestGapMs,
                    freezes(), e.getLong("freezeCount"), e.getDouble("totalFreezesDuration"),
                    received(), lost(), 100.0 * lost() / Math.max(1, received()),
                    e.getLong("nackCount"), e.getLong("retransmittedPacketsReceived"), e.getLong("pliCount"), e.getLong("framesDropped"),
                    end.getJsonObject("audio").getLong("packetsLost"), end.getJsonObject("audio").getLong("packetsReceived"));
        }

        String history() {
            return "\n    " + String.join("\n    ", history);
        }
    }

    /** The one relay the publisher's media went through; the others front loops the room is not homed on. */
    private static ImpairedRelay theRelayInUse(List<ImpairedRelay> relays) {
        List<ImpairedRelay> used = relays.stream().filter(r -> r.counts().passed() > 0).toList();
        assertEquals(1, used.size(), "exactly one relay carries the publisher: " + relays.stream()
                .map(r -> r + ": " + r.counts()).collect(Collectors.joining("; ")));
        return used.getFirst();
    }

    private static Map<String, String> page(JunctionServer server, String role) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("base", WhipWhepBrowserIT.baseUrl(server));
        query.put("room", "impaired");
        query.put("role", role);
        query.put("codec", "vp8");
        return query;
    }

    private static JsonObject video(JsonObject report) {
        return report.getJsonObject("video");
    }

    private static JsonObject outboundVideo(JsonObject report) {
        return report.getJsonObject("outbound").getJsonObject("video");
    }

    /** The gateway's non-zero {@code junction_room_*} counters, for the figures printed (not asserted). */
    private static String roomMetrics(JunctionServer server) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(URI.create(WhipWhepBrowserIT.baseUrl(server) + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines()
                    .filter(l -> l.startsWith("junction_room_") && !l.endsWith(" 0"))
                    .map(l -> l.replace("junction_room_", "").replace("_total", ""))
                    .collect(Collectors.joining(", "));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no metrics: interrupted)";
        } catch (Exception e) {
            return "(no metrics: " + e + ")";
        }
    }

    private static void closeAll(List<ImpairedRelay> relays) {
        RuntimeException first = null;
        for (ImpairedRelay relay : relays) {
            try {
                relay.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
