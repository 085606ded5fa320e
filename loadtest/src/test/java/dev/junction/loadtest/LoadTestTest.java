package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.junction.config.ConfigLoader;
import dev.junction.gateway.JunctionServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The load tool against an in-process gateway: its figures come from what really arrived. */
class LoadTestTest {

    /** Per publisher at 500 kb/s with 1200-byte packets: 2 video packets (1250 B) and 1 audio packet per 20 ms tick. */
    private static final int PACKETS_PER_SECOND = 150;

    private static JunctionServer server(int loops) {
        return JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", Integer.toString(loops)}));
    }

    private static LoadOptions options(JunctionServer server, int seconds, String... more) {
        List<String> args = new ArrayList<>(List.of("--target", "http://127.0.0.1:" + server.httpPort(), "--room", "lt",
                "--publishers", "1", "--subscribers", "2", "--seconds", Integer.toString(seconds), "--video-kbps", "500",
                "--warmup", "0", "--server-pid", Long.toString(ProcessHandle.current().pid())));
        args.addAll(List.of(more));
        return LoadOptions.parse(args.toArray(String[]::new));
    }

    private static PrintStream into(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    private static long lines(String progress, String prefix) {
        return progress.lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** Whether the server exposes the setup histogram (another change adds it to Junction). */
    private static boolean hasSetupMetric(JunctionServer server) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains(LoadTest.SETUP_METRIC + "_bucket{");
        }
    }

    @Test
    void shouldReportWhatArrivedThroughTheServer() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (JunctionServer server = server(1)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 3), into(progress)).run());
            assertEquals(1, result.getInteger("rooms"));
            assertEquals(0, result.getInteger("warmup_s"));
            assertEquals(1, result.getInteger("publishers"));
            assertEquals(2, result.getInteger("subscribers"));
            long sent = result.getLong("packets_sent");
            long received = result.getLong("packets_received");
            assertTrue(sent > 3 * 50, "at least audio at 50/s: " + result);
            // Each subscriber gets every packet of the one publisher: about twice what was sent.
            assertTrue(received > sent * 3 / 2 && received <= sent * 2 + 20, result.encode());
            assertEquals(0, result.getLong("misrouted_packets"), result.encode());
            assertTrue(result.getDouble("loss_pct") < 1.0, result.encode());
            double p50 = result.getDouble("latency_ms_p50");
            double p99 = result.getDouble("latency_ms_p99");
            assertTrue(p50 > 0 && p99 >= p50, result.encode());
            // The direct path was measured, and the server's share is what is left of the server path.
            double directP50 = result.getDouble("direct_latency_ms_p50");
            double directP99 = result.getDouble("direct_latency_ms_p99");
            assertTrue(directP50 > 0 && directP99 >= directP50, result.encode());
            assertTrue(directP50 <= p50, "loopback alone is no slower than through the server and back: " + result.encode());
            double added50 = result.getDouble("added_latency_ms_p50");
            double added99 = result.getDouble("added_latency_ms_p99");
            assertTrue(added50 >= 0 && added50 <= p50 && added99 >= 0 && added99 <= p99, result.encode());
            assertEquals(Math.max(0, p50 - directP50), added50, 0.0015, result.encode());
            assertTrue(result.getDouble("setup_ms_p99") > 0, result.encode());
            assertTrue(result.containsKey("server_setup_ms_p50") && result.containsKey("server_setup_ms_p99"), result.encode());
            if (hasSetupMetric(server)) {
                // Junction's bounds: the smallest is 1 ms, and a loopback join takes well under 5 s.
                assertTrue(result.getDouble("server_setup_ms_p50") >= 1 && result.getDouble("server_setup_ms_p99") <= 5000, result.encode());
                // Connected (SRTP keys) comes before the first packet, so its bucket is never a later one.
                assertTrue(result.getDouble("server_connect_ms_p99") <= result.getDouble("server_setup_ms_p99"), result.encode());
            } else {
                assertNull(result.getValue("server_setup_ms_p50"), result.encode());
            }
            assertTrue(result.containsKey("server_cpu_s") && result.getDouble("server_cpu_s") > 0, result.encode());
            assertEquals(3, result.getLong("peers_dtls_client"), "a passive answer makes every peer the DTLS client: " + result.encode());
            assertEquals(0, server.sessions().sessionCount(), "every peer left with DELETE");
        }
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertEquals(3, lines(lines, "loadtest: ") - lines(lines, "loadtest: warning"), "one progress line per second:\n" + lines);
        assertEquals(0, lines(lines, "loadtest: warmup"), lines);
    }

    /**
     * Issue 11: a simulcast publisher and four subscribers, two of them behind the tool's 600 kbit/s bottleneck. The
     * server's estimate of the shaped ones sees the queue and the drops, so they end up on a lower layer than the
     * unshaped ones, which keep the top.
     */
    @Test
    void shouldMoveShapedSubscribersToALowerLayerThanUnshapedOnes() throws Exception {
        try (JunctionServer server = server(1)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 6, "--subscribers", "4", "--simulcast", "3",
                    "--video-kbps", "1500", "--downlink-kbps", "600", "--shaped-subscribers", "2", "--warmup", "8"),
                    into(new ByteArrayOutputStream())).run());
            JsonObject adaptation = result.getJsonObject("adaptation");
            JsonObject shaped = adaptation.getJsonObject("shaped");
            JsonObject unshaped = adaptation.getJsonObject("unshaped");
            assertEquals(2, shaped.getInteger("subscribers"), adaptation.encode());
            assertEquals(2, unshaped.getInteger("subscribers"), adaptation.encode());
            // The bottleneck passes at most 600 kbit/s of datagrams (plus its bucket's first 1500 bytes); RTP is less.
            assertTrue(shaped.getLong("received_kbps_min") > 0 && shaped.getLong("received_kbps_p50") <= 605, adaptation.encode());
            assertTrue(unshaped.getLong("received_kbps_p50") > shaped.getLong("received_kbps_p50"), adaptation.encode());
            assertEquals(0, unshaped.getLong("bottleneck_drops"), adaptation.encode());
            // Every shaped subscriber got a lower layer most than every unshaped one did.
            assertTrue(highest(shaped) < lowest(unshaped), adaptation.encode());
            assertEquals(0, shaped.getJsonObject("layer_most_received").getInteger("f"), adaptation.encode());
            // Junction's own figures over the window are there: switches by reason and the estimates sampled.
            assertTrue(adaptation.getJsonObject("server_layer_switches").containsKey("bandwidth"), adaptation.encode());
            assertTrue(adaptation.getJsonObject("server_estimate_bps").getLong("samples") > 0, adaptation.encode());
            assertEquals(0, server.sessions().sessionCount(), "every peer left with DELETE");
        }
    }

    /** The highest (lowest) layer, by index q, h, f, that some subscriber of the group received most. */
    private static int highest(JsonObject group) {
        return layers(group).max().orElse(-1);
    }

    private static int lowest(JsonObject group) {
        return layers(group).min().orElse(Integer.MAX_VALUE);
    }

    private static java.util.stream.IntStream layers(JsonObject group) {
        JsonObject most = group.getJsonObject("layer_most_received");
        List<String> rids = LoadOptions.RIDS;
        return java.util.stream.IntStream.range(0, rids.size()).filter(i -> most.getInteger(rids.get(i), 0) > 0);
    }

    /**
     * Issue 15: the tool loads a server that answers {@code a=setup:active} and is the DTLS client (Janus does): its
     * peers are then the DTLS servers. Here that server is ours with {@code --dtls-setup active}.
     */
    @Test
    void shouldLoadAServerThatAnswersSetupActive() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1", "--dtls-setup", "active"}))) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 2), into(progress)).run());
            long sent = result.getLong("packets_sent");
            long received = result.getLong("packets_received");
            assertTrue(sent > 2 * 50 && received > sent * 3 / 2, result.encode());
            assertTrue(result.getDouble("loss_pct") < 1.0, result.encode());
            assertEquals(3, result.getLong("peers_dtls_server"), "every peer was the DTLS server: " + result.encode());
            assertEquals(0, result.getLong("peers_dtls_client"), result.encode());
        }
    }

    /**
     * The churn's short version (issue 12): cycles ending by DELETE, vanishing, ICE restart and a new session from
     * a vanished one's address, against a server in its own JVM (so its threads, fds and heap are its alone) whose
     * consent expires after 12 s (the tool's peers check every 4-6 s, RFC 7675); afterwards it holds what it held
     * before: sessions, rooms, bindings, timers, threads, fds, heap after GC (±5%) and direct memory.
     */
    @Test
    void shouldGiveEverythingBackAfterChurn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (ChildServer server = new ChildServer(dir, "media.loops = 2\nmedia.consent-timeout-ms = 12000\n")) {
            LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:" + server.httpPort(), "--room", "churn",
                    "--publishers", "1", "--video-kbps", "300", "--server-pid", Long.toString(server.pid()),
                    "--churn", "120", "--churn-parallel", "8"});
            JsonObject churn = new JsonObject(new LoadTest(options, into(new ByteArrayOutputStream())).run()).getJsonObject("churn");
            JsonObject byKind = churn.getJsonObject("by_kind");
            for (String kind : List.of("delete", "vanish", "restart", "reuse")) {
                assertEquals(30, byKind.getJsonObject(kind).getLong("ok"), kind + ": " + churn.encode());
                assertEquals(0, byKind.getJsonObject(kind).getLong("failed"), kind + ": " + churn.encode());
            }
            assertTrue(churn.getBoolean("server_gc"), churn.encode());
            assertTrue(churn.getBoolean("back_to_baseline"), "not back: " + churn.getJsonArray("not_back") + " in " + churn.encode());
            JsonObject sessions = churn.getJsonObject("resources").getJsonObject("junction_sessions");
            assertEquals(1, sessions.getLong("after"), "the publisher only: " + churn.encode());
            // A new session on an abandoned session's address connects at once, not after the 12 s consent timeout.
            assertTrue(churn.getDouble("reuse_connect_ms_max") < 12_000, churn.encode());
            assertEquals(List.of(), server.leakReports());
        }
    }

    /**
     * The floods' short version (issue 12): every hostile datagram the server saw is dropped and counted under a
     * reason, forged checks past the session's budget go unanswered, and the sessions keep receiving.
     */
    @Test
    void shouldCountEveryFloodedDatagramAndKeepTheSessionsUp() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (JunctionServer server = server(1)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 2, "--flood", "all", "--flood-rate", "5000"),
                    into(progress)).run());
            io.vertx.core.json.JsonArray floods = result.getJsonArray("floods");
            assertEquals(5, floods.size(), result.encode());
            for (int i = 0; i < floods.size(); i++) {
                JsonObject f = floods.getJsonObject(i);
                long sent = f.getLong("flood_sent");
                assertTrue(sent > 1000, f.encode());
                // What the kernel did not drop for a full buffer, the server counted under a reason.
                long counted = f.getLong("server_dropped_total");
                long kernel = f.getLong("kernel_receive_buffer_errors", 0L);
                assertTrue(counted + kernel >= sent && counted <= sent + 50, "every datagram counted once: " + f.encode());
                assertTrue(f.getLong("packets_received") > 0 && f.getDouble("loss_pct") < 5.0, "the sessions kept receiving: " + f.encode());
            }
            JsonObject garbage = floods.getJsonObject(0).getJsonObject("server_dropped");
            assertEquals("garbage", floods.getJsonObject(0).getString("kind"));
            assertTrue(garbage.getLong("not_webrtc", 0L) > 0 && garbage.getLong("srtp_unbound", 0L) > 0
                    && garbage.getLong("dtls_unbound", 0L) > 0, garbage.encode());
            assertTrue(floods.getJsonObject(1).getJsonObject("server_dropped").getLong("stun_no_session", 0L)
                    >= floods.getJsonObject(1).getLong("flood_sent") - floods.getJsonObject(1).getLong("kernel_receive_buffer_errors", 0L),
                    "unknown ufrags: " + floods.getJsonObject(1).encode());
            JsonObject forged = floods.getJsonObject(2).getJsonObject("server_dropped");
            // The session's budget (burst 200, then 100/s) answered a few; the rest went unanswered before any HMAC.
            long answered = forged.getLong("stun_rejected", 0L);
            assertTrue(answered <= 200 + 100 * 4, "401s within the budget: " + forged.encode());
            assertTrue(forged.getLong("stun_over_session_limit", 0L) > 5000, forged.encode());
            assertTrue(floods.getJsonObject(3).getJsonObject("server_dropped").getLong("dtls_unbound", 0L) > 0);
            assertTrue(floods.getJsonObject(4).getJsonObject("server_dropped").getLong("srtp_unbound", 0L) > 0);
            assertEquals(0, server.sessions().sessionCount(), "every peer left with DELETE");
        }
    }

    @Test
    void shouldKeepRoomsApartAndMeasureOnlyTheWindow() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (JunctionServer server = server(2)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 2, "--rooms", "2", "--warmup", "1"), into(progress)).run());
            assertEquals(2, result.getInteger("rooms"));
            assertEquals(1, result.getInteger("warmup_s"));
            assertEquals(2, result.getInteger("publishers"), "totals over the rooms");
            assertEquals(4, result.getInteger("subscribers"), "totals over the rooms");
            // Two publishers for the 2 s window; with the warm-up counted it would be 1.5 times as many.
            long sent = result.getLong("packets_sent");
            long window = 2L * PACKETS_PER_SECOND * 2;
            assertTrue(sent >= window * 9 / 10 && sent <= window * 11 / 10, "sent " + sent + ", expected about " + window + ": " + result.encode());
            // Each room's two subscribers get their own publisher's packets and nothing of the other room's.
            long received = result.getLong("packets_received");
            assertTrue(received >= sent * 19 / 10 && received <= sent * 2 + 20, result.encode());
            assertEquals(0, result.getLong("misrouted_packets"), result.encode());
            assertTrue(result.getDouble("loss_pct") < 1.0, result.encode());
            assertEquals(0, server.sessions().sessionCount(), "every peer of both rooms left with DELETE");
        }
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertEquals(1, lines(lines, "loadtest: warmup 1s connected 6/6"), "a marked warm-up line:\n" + lines);
        assertEquals(2, lines(lines, "loadtest: ") - lines(lines, "loadtest: warmup") - lines(lines, "loadtest: warning"), lines);
    }

    @Test
    void shouldWarmTheJoinPathWithAnUntimedBurstThatLeavesBeforeTheTimedOne() throws Exception {
        try (JunctionServer server = server(1)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 1, "--subscribers", "0", "--join-burst", "3", "--warmup", "1"),
                    into(new ByteArrayOutputStream())).run());
            assertEquals(3, result.getInteger("subscribers"), "the warm-up burst is not part of the scenario: " + result.encode());
            assertTrue(result.getLong("join_burst_ms") > 0, result.encode());
            long sent = result.getLong("packets_sent");
            assertTrue(result.getLong("packets_received") >= sent * 29 / 10 && result.getLong("packets_received") <= sent * 3 + 30,
                    "only the 3 timed subscribers receive in the window: " + result.encode());
            java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            // One to four untimed warm-up bursts of 3 (they repeat while the tool's JIT is busy).
            int warm = result.getInteger("join_burst_warmup_subscribers");
            assertTrue(warm % 3 == 0 && warm >= 3 && warm <= 3 * LoadTest.MAX_WARMUP_BURSTS, result.encode());
            assertTrue(metrics.body().contains("junction_http_responses_total{code=\"201\"} " + (1 + warm + 3) + "\n"),
                    "1 publisher + " + warm + " warm-up + 3 timed sessions were created:\n" + metrics.body());
            assertEquals(0, server.sessions().sessionCount(), "every peer, warm-up ones included, left with DELETE");
        }
    }

    @Test
    void shouldGiveEverySubscriberEveryPublisherWithAsManySlots() {
        try (JunctionServer server = server(2)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 2, "--publishers", "3", "--subscribers", "2", "--slots", "3"),
                    into(new ByteArrayOutputStream())).run());
            assertEquals(3, result.getInteger("slots"));
            long sent = result.getLong("packets_sent");
            long received = result.getLong("packets_received");
            // A conference: each of the 2 subscribers receives all 3 publishers (with one slot it would be the first only).
            assertTrue(received >= sent * 2 * 95 / 100 && received <= sent * 2 + 30, result.encode());
            assertTrue(result.getDouble("loss_pct") < 1.0, result.encode());
        }
    }

    @Test
    void shouldCountAnotherRoomsPacketsAsMisrouted() {
        // Every subscriber asks for room lt-1, so those of room 2 are sent room 1's publisher: not theirs.
        try (JunctionServer server = server(1)) {
            JsonObject result = new JsonObject(new LoadTest(options(server, 1, "--rooms", "2", "--whep-path", "/whep/lt-1"),
                    into(new ByteArrayOutputStream())).run());
            long sent = result.getLong("packets_sent");
            long misrouted = result.getLong("misrouted_packets");
            long received = result.getLong("packets_received");
            // Half was sent into room 1, and each of its four subscribers got it: two of them rightly, two not.
            assertTrue(misrouted >= sent * 9 / 10 && misrouted <= sent + 20, result.encode());
            assertTrue(received >= sent * 9 / 10 && received <= sent + 20, "only room 1's own subscribers count: " + result.encode());
        }
    }

    @Test
    void shouldShowLossWhenTheServerDiesMidRun() throws Exception {
        JunctionServer server = server(1);
        LoadOptions options = options(server, 4);
        Thread killer = Thread.ofPlatform().name("server-killer").start(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2500)); // mid-run by design
            server.close();
        });
        JsonObject result = new JsonObject(new LoadTest(options, into(new ByteArrayOutputStream())).run());
        killer.join(10_000);
        // The server forwarded for about a third of the window: the rest never arrived, and the tool says so.
        assertTrue(result.getDouble("loss_pct") > 25, "a dead server shows as loss: " + result.encode());
    }

    /**
     * Issue 14: RFC 9725 §4.5 clients follow a 307 by POSTing the same offer to its Location, and {@code --target}
     * takes several URLs, publishers on the first and subscribers dealt over all. A redirector (a plain HTTP server
     * that answers every request 307 to the real server) is the first target; the server itself, by another host
     * name, the second: the publisher and the first subscriber are redirected, the second subscriber is not, and
     * media flows to both, their PATCH/DELETE going where their session lives.
     */
    @Test
    void shouldFollowRedirectsAndDealSubscribersOverTheTargets() throws Exception {
        HttpServer redirector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger redirected = new java.util.concurrent.atomic.AtomicInteger();
        try (JunctionServer server = server(1)) {
            redirector.createContext("/", exchange -> {
                if (exchange.getRequestMethod().equals("POST")) redirected.incrementAndGet();
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + server.httpPort() + exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(307, -1);
                exchange.close();
            });
            redirector.start();
            LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:" + redirector.getAddress().getPort()
                    + ",http://localhost:" + server.httpPort(), "--room", "lt", "--publishers", "1", "--subscribers", "2",
                    "--seconds", "2", "--video-kbps", "500", "--warmup", "0", "--server-pid", Long.toString(ProcessHandle.current().pid())});
            JsonObject result = new JsonObject(new LoadTest(options, into(new ByteArrayOutputStream())).run());
            assertEquals(2, result.getLong("redirects_followed"), result.encode());
            assertEquals(2, redirected.get(), "the publisher's and the first subscriber's POSTs, no other POST");
            assertEquals(List.of(2L, 1L), result.getJsonArray("sessions_per_target").getList().stream().map(n -> ((Number) n).longValue()).toList());
            long sent = result.getLong("packets_sent");
            assertTrue(sent > 0 && result.getLong("packets_received") > sent * 3 / 2, "both subscribers received: " + result.encode());
            assertEquals(0, server.sessions().sessionCount(), "every DELETE reached the server, not the redirector");
        } finally {
            redirector.stop(0);
        }
    }

    @Test
    void shouldFailClearlyOnARedirectLoop() throws Exception {
        HttpServer loop = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        loop.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Location", exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        loop.start();
        try {
            LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:" + loop.getAddress().getPort(), "--seconds", "1"});
            LoadTest.NotConnected e = assertThrows(LoadTest.NotConnected.class, () -> new LoadTest(options, System.err).run());
            assertTrue(e.getMessage().contains("more than 4 redirects"), e.getMessage());
        } finally {
            loop.stop(0);
        }
    }

    @Test
    void shouldFailWithAReasonWhenPeersCannotConnect() {
        LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:9", "--seconds", "1"});
        LoadTest.NotConnected e = assertThrows(LoadTest.NotConnected.class, () -> new LoadTest(options, System.err).run());
        assertTrue(e.getMessage().startsWith("publisher could not join"), e.getMessage());
    }

    @Test
    void shouldReadTheSetupHistogramWithTheTokenOrNotAtAll() throws IOException {
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metrics.createContext("/metrics", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (LoadTest.SETUP_METRIC + "_bucket{le=\"0.005\"} 3\n" + LoadTest.SETUP_METRIC + "_bucket{le=\"+Inf\"} 4\n")
                    .getBytes(StandardCharsets.UTF_8);
            boolean allowed = "Bearer s3cret".equals(authorization.get());
            exchange.sendResponseHeaders(allowed ? 200 : 401, allowed ? body.length : -1);
            if (allowed) exchange.getResponseBody().write(body);
            exchange.close();
        });
        metrics.start();
        try {
            String target = "http://127.0.0.1:" + metrics.getAddress().getPort();
            PrometheusHistogram h = new LoadTest(LoadOptions.parse(new String[] {"--target", target, "--token", "s3cret"}), System.err)
                    .serverSetupHistogram(LoadTest.SETUP_METRIC);
            assertEquals("Bearer s3cret", authorization.get());
            assertEquals(4, h.count());
            assertEquals(0.005, h.upperBoundS(0.5));
            assertNull(new LoadTest(LoadOptions.parse(new String[] {"--target", target}), System.err).serverSetupHistogram(LoadTest.SETUP_METRIC),
                    "401: no figure, as from a server without /metrics");
        } finally {
            metrics.stop(0);
        }
    }

    /** A port free for both UDP and TCP on loopback (the embedded TURN server listens on one number for both). */
    private static int freePort() throws IOException {
        return dev.junction.codec.testing.LoopbackPorts.tcpAndUdp();
    }

    private static long turnRelayed(JunctionServer server, String direction) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String prefix = "junction_turn_relayed_packets_total{direction=\"" + direction + "\"} ";
            return body.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length()).trim()))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in /metrics"));
        }
    }

    /**
     * {@code --transport turn-udp|turn-tcp|turn-tls} (issue 10): every peer learns the TURN servers from OPTIONS's
     * {@code Link: rel="ice-server"}, allocates, and runs ICE, DTLS and SRTP through its relay; media flows, and the
     * server's TURN counters say it relayed it (in process to its media socket, and back to the clients).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"turn-udp", "turn-tcp", "turn-tls"})
    void shouldRunMediaThroughTheTurnRelay(String transport) throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0",
                "--media-loops", "1", "--turn", "on", "--turn-port", Integer.toString(freePort()),
                "--turn-tls-port", Integer.toString(freePort()), "--turn-secret", "loadtest-secret"}))) {
            long locallyBefore = turnRelayed(server, "locally");
            long toClientsBefore = turnRelayed(server, "to_clients");
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            JsonObject result = new JsonObject(new LoadTest(options(server, 2, "--transport", transport), into(progress)).run());
            assertEquals(transport, result.getString("transport"));
            assertTrue(result.getLong("packets_received") > 0, result.encode() + "\n" + progress);
            assertTrue(result.getDouble("loss_pct") < 5, result.encode());
            assertEquals(0, result.getLong("misrouted_packets"));
            assertTrue(turnRelayed(server, "locally") - locallyBefore >= result.getLong("packets_sent"),
                    "every publisher packet went through the relay to the media socket: " + result.encode());
            assertTrue(turnRelayed(server, "to_clients") - toClientsBefore >= result.getLong("packets_received"),
                    "every packet a subscriber received came back through the relay: " + result.encode());
            assertEquals(0, server.sessions().turn().core().drops(dev.junction.transport.turn.TurnDropReason.NO_PERMISSION));
        }
    }

    @Test
    void shouldSayClearlyWhenTheServerAdvertisesNoTurn() throws Exception {
        try (JunctionServer server = server(1)) {
            LoadTest.NotConnected failed = org.junit.jupiter.api.Assertions.assertThrows(LoadTest.NotConnected.class,
                    () -> new LoadTest(options(server, 1, "--transport", "turn-udp"), into(new ByteArrayOutputStream())).run());
            assertTrue(failed.getMessage().contains("advertises no TURN server over UDP") && failed.getMessage().contains("--turn on"),
                    failed.getMessage());
        }
    }

    /**
     * Issue 14: against a cluster, the tool follows a 307 as RFC 9725 clients must. Node b already has a session,
     * so the publisher's POST to b for a new room is sent to idle node a, which homes the room; the subscribers are
     * dealt over {@code --target b,a}: one on b, which pulls the room from a through a node pipe, one on a; DELETE
     * goes to the node that made each session.
     */
    @Test
    void shouldFollowAClustersRedirectToTheRoomsHome() throws Exception {
        // Hazelcast waits 5 s for other members before forming a cluster; these two list each other.
        System.setProperty("hazelcast.wait.seconds.before.join", "1");
        int[] ports = new int[4];
        List<java.net.ServerSocket> held = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
            held.add(socket);
            ports[i] = socket.getLocalPort();
        }
        for (java.net.ServerSocket socket : held) socket.close();
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        try (JunctionServer a = clusterNode("a", ports[0], ports[2], members);
             JunctionServer b = clusterNode("b", ports[1], ports[3], members);
             HttpClient http = HttpClient.newHttpClient()) {
            // b's directory shows a's load record: placement on b can then choose a.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + "/admin/cluster"))
                    .header("Authorization", "Bearer lt-admin").build(), HttpResponse.BodyHandlers.ofString()).body().contains("\"name\":\"a\"")) {
                assertTrue(System.nanoTime() - deadline < 0, "b never saw a's record");
                Thread.sleep(100);
            }
            HttpResponse<String> waiting = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.httpPort() + "/whep/elsewhere"))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(
                            dev.junction.transport.client.ClientOffer.subscriber(dev.junction.transport.dtls.DtlsCertificate.generate().fingerprint(),
                                    new InetSocketAddress("127.0.0.1", 9), new java.security.SecureRandom()).sdp())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, waiting.statusCode(), waiting.body());

            JsonObject result = new JsonObject(new LoadTest(options(b, 3, "--target", "http://127.0.0.1:" + b.httpPort() + ",http://127.0.0.1:"
                    + a.httpPort()), into(new ByteArrayOutputStream())).run());
            assertEquals(1, result.getLong("redirects_followed"), "the publisher was sent to a: " + result.encode());
            assertEquals(List.of(2L, 1L), result.getJsonArray("sessions_per_target").getList().stream().map(n -> ((Number) n).longValue()).toList(),
                    "publisher and a subscriber dealt to b, one subscriber to a");
            assertNull(result.getValue("server_cpu_us_per_packet_out"), "one node's CPU over both nodes' packets would mean nothing");
            assertTrue(result.getLong("packets_received") > result.getLong("packets_sent"), "both subscribers received: " + result.encode());
            assertTrue(metricOf(b, "junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"}") > 0, "b's subscriber was fed by the pipe");
            assertEquals(0, result.getLong("misrouted_packets"), result.encode());
            assertEquals(0, a.sessions().sessionCount(), "the publisher's DELETE went to a: " + result.encode());
            assertEquals(1, b.sessions().sessionCount(), "only the waiting subscriber is left on b");
        }
    }

    private static long metricOf(JunctionServer node, String sample) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(sample + " ")).mapToLong(l -> Long.parseLong(l.substring(sample.length() + 1))).sum();
        }
    }

    private static JunctionServer clusterNode(String name, int clusterPort, int httpPort, String members) {
        return JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", Integer.toString(httpPort), "--media-port", "0",
                "--media-loops", "1", "--admin-token", "lt-admin", "--cluster", "--node-name", name, "--cluster-port", Integer.toString(clusterPort),
                "--cluster-members", members, "--cluster-secret", "loadtest-cluster-secret"}));
    }
}
