package dev.junction.loadtest;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.sdp.jsep.TrickleFragment;
import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.bwe.TransportCcReceiver;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsRole;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.IceTcpConnection;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.socket.TurnClientConnection;
import dev.junction.transport.socket.TurnTls;
import dev.junction.transport.turn.TurnTransport;
import dev.junction.transport.srtp.AesBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code ./junction loadtest}: publishers and subscribers that are real WebRTC peers (ICE, DTLS, SRTP, the
 * client role of the transport) against any WHIP/WHEP server. Publishers send VP8-shaped video (a keyframe
 * every 2 s) and Opus-shaped audio (50 packets/s); every packet carries its send time, its publisher's
 * number and a per-stream counter, so subscribers measure one-way latency through the server and loss.
 *
 * <p>Phases: every room's publishers join (and start sending), then the subscribers, then the join burst;
 * media then flows {@code --warmup} seconds, unmeasured, so that JIT compilation on the server is not charged
 * to the window; then the {@code --seconds} window, which every figure covers (counters and CPU read at its
 * edges, latency histograms reset at its start). Throughout, a probe datagram per 20 ms tick goes from one of
 * the tool's own sockets to another over loopback, not through the server: the direct-path baseline that
 * the server's added latency is measured against (DESIGN §7).
 *
 * <p>Result, one JSON line on stdout:
 * <ul>
 *   <li>{@code rooms}, {@code publishers}, {@code subscribers} (totals over all rooms, the join burst
 *       included), {@code seconds}, {@code warmup_s}: the scenario;</li>
 *   <li>{@code packets_sent}, {@code packets_received}: RTP sent by all publishers and received (decrypted)
 *       by all subscribers from publishers of their own room, in the window;</li>
 *   <li>{@code misrouted_packets}: packets a subscriber received from a publisher of another room (not
 *       counted anywhere else; 0 unless the server mixes rooms up);</li>
 *   <li>{@code loss_pct}: of each subscriber's streams (from when it first saw each in the window), packets
 *       sent that never arrived, the tail after a failure included;</li>
 *   <li>{@code latency_ms_p50}, {@code latency_ms_p99}: one way, publisher send to subscriber receive,
 *       through the server; {@code direct_latency_ms_p50}, {@code direct_latency_ms_p99}: the same for the
 *       probe over loopback; {@code added_latency_ms_p50}, {@code added_latency_ms_p99}: server path minus
 *       direct path, never below 0 (null without samples on either path);</li>
 *   <li>{@code setup_ms_p50}, {@code setup_ms_p99}: client side, POST to connected (publishers) or to the
 *       first packet (subscribers); {@code server_setup_ms_p50}, {@code server_setup_ms_p99}: the upper
 *       bound of the server's {@code junction_session_setup_seconds} bucket holding that percentile of the
 *       sessions that joined during the run, from {@code GET /metrics} (null when the target has no such
 *       histogram, or the percentile is beyond its largest bound); {@code server_connect_ms_p50},
 *       {@code server_connect_ms_p99}: the same from {@code junction_session_connect_seconds}, POST to SRTP
 *       keys (ICE and DTLS done), which leaves out the wait for the publisher's next packet;</li>
 *   <li>{@code join_burst_ms}: with {@code --join-burst}, until every burst subscriber received a packet;
 *       {@code join_burst_warmup_subscribers}: how many joined and left in the untimed warm-up bursts before it;</li>
 *   <li>{@code server_cpu_s}, {@code server_cpu_us_per_packet_out}: with {@code --server-pid}, the server's
 *       CPU over the window from /proc, and per packet received (null with several targets, whose nodes share
 *       the packets);</li>
 *   <li>{@code elapsed_s}: the window's real length;</li>
 *   <li>{@code adaptation}: with {@code --simulcast} or {@code --downlink-kbps}, the shaped and the unshaped
 *       subscribers apart (received kbit/s, loss, bottleneck drops, the layer each got most) and the server's
 *       layer switches and estimates over the window (README, "Shaped subscribers").</li>
 * </ul>
 * One progress line per second on stderr (marked {@code warmup} during the warm-up). Exit status 0 when the
 * run completed, 1 with a one-line reason when peers could not connect, 2 for bad options. Bounded in peers
 * and time; stops by itself.
 *
 * <p>Threading: {@link #run} on the calling thread; each peer's packets on its socket's event loop; joins
 * on virtual threads. Buffers: every packet built here is handed to {@code sendRtp}/{@code write}, which
 * take ownership; received ones are borrowed for the call.
 */
public final class LoadTest {

    static final int EXIT_OK = 0;
    static final int EXIT_NOT_CONNECTED = 1;
    static final int EXIT_USAGE = 2;
    /** A churn run: a cycle failed, or the server did not give everything back. */
    static final int EXIT_CHURN_NOT_CLEAN = 3;
    private static final long TICK_NS = 20_000_000L;
    private static final long CONNECT_TIMEOUT_S = 30;
    private static final int LATENCY_BUCKET_US = 10;
    private static final int LATENCY_BUCKETS = 100_000; // 10 µs each, up to 1 s
    /** The server's session setup histogram (seconds), read from {@code GET /metrics} when it has one. */
    static final String SETUP_METRIC = "junction_session_setup_seconds";
    static final String CONNECT_METRIC = "junction_session_connect_seconds";
    /** Subscribers per room in each untimed burst that warms the tool's join path before a timed one. */
    static final int WARMUP_BURST = 100;
    /** At most this many untimed warm-up bursts before a timed one. */
    static final int MAX_WARMUP_BURSTS = 4;
    /**
     * The tool's join path counts as warm once the JIT compiled for less than this share of a warm-up burst's wall
     * time (its compiler threads otherwise take up to 40% of the tool's CPU in the timed burst, issue 15).
     */
    static final double WARM_JIT_SHARE = 0.10;
    /** How long to wait after the last join for the server's setup histogram to count every session. */
    private static final long SETUP_METRIC_WAIT_NS = 1_000_000_000L;
    /**
     * First 8 bytes of a probe datagram. Its first byte (8) is in no RFC 7983 class, so even a demultiplexer
     * would drop it; and probes only ever go to the plane's own sockets, which no server is told about.
     */
    static final long PROBE_MAGIC = 0x084a_5052_4f42_4500L; // "\bJPROBE\0"
    private static final int PROBE_BYTES = 16;
    /**
     * The tool's part of a video payload: VP8 descriptor and first payload byte (2), send time (8), publisher
     * number (2), stream counter (4), simulcast layer (1).
     */
    static final int VIDEO_HEADER_BYTES = 17;
    private static final byte[] MID_VIDEO = {'1'};
    private static final byte[][] RID_BYTES = LoadOptions.RIDS.stream().map(r -> r.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .toArray(byte[][]::new);

    private final LoadOptions options;
    private final PrintStream progress;
    /**
     * HTTP requests in flight at once, so connections open at once: all of them come from one address, and a server
     * holds a bounded number per address (Junction: {@code http.max-connections-per-source}, 64 by default), as a
     * real audience arrives from many. Joins beyond it wait for a slot; the server is no less loaded, since the
     * handshakes run after the answer.
     */
    static final int HTTP_IN_FLIGHT = 32;
    private final java.util.concurrent.Semaphore httpSlots = new java.util.concurrent.Semaphore(HTTP_IN_FLIGHT);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final SecureRandom random = new SecureRandom();
    private final DtlsCertificate certificate = DtlsCertificate.generate();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong misrouted = new AtomicLong();
    private final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS + 1);
    /** One-way latency of the probe over loopback, the direct path (same buckets). */
    private final AtomicLongArray directLatency = new AtomicLongArray(LATENCY_BUCKETS + 1);
    private final List<Long> setupNs = Collections.synchronizedList(new ArrayList<>());
    private final List<Peer> peers = Collections.synchronizedList(new ArrayList<>());
    private final List<Peer> publishers = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.ExecutorService joiners = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private MediaPlane plane;
    /** Per tool loop, what hands shaped subscribers' datagrams on ({@code --downlink-kbps}); null entries without. */
    private ShapedDownlink.Pump[] pumps;
    /** The TLS client context for {@code --transport turn-tls}, made on first use; it trusts any certificate. */
    private io.netty.handler.ssl.SslContext turnTls;
    /** After a churn run: every cycle succeeded and the server is back to its baseline. */
    private volatile boolean churnSucceeded = true;
    /** Port of the socket probes are sent from; a probe from anywhere else is not ours. */
    private volatile int probeSourcePort;
    /** 307/308 answers to a POST that the peers followed (RFC 9725 §4.5: load balancing and redirections). */
    private final java.util.concurrent.atomic.AtomicLong redirects = new java.util.concurrent.atomic.AtomicLong();
    /** Sessions created per {@code --target}, in its order: where each POST was first sent. */
    private final AtomicLongArray sessionsPerTarget;
    /** Subscribers dealt so far over the targets. */
    private final java.util.concurrent.atomic.AtomicInteger subscribersDealt = new java.util.concurrent.atomic.AtomicInteger();
    /** Peers that were the DTLS server because the answer said {@code a=setup:active} (Janus does), and the others. */
    private final AtomicLongArray dtlsRoles = new AtomicLongArray(2);

    private synchronized io.netty.handler.ssl.SslContext turnTls() {
        if (turnTls == null && options.transport() == LoadOptions.Transport.TURN_TLS) turnTls = TurnTls.trustingClient();
        return turnTls;
    }

    LoadTest(LoadOptions options, PrintStream progress) {
        this.options = options;
        this.sessionsPerTarget = new AtomicLongArray(options.targets().size());
        this.progress = progress;
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(LoadOptions.USAGE);
            System.exit(EXIT_OK);
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        AesBackend.warmUp();
        LoadTest test = new LoadTest(options, System.err);
        int status;
        try {
            String result = test.run();
            System.out.println(result);
            status = test.churnSucceeded ? EXIT_OK : EXIT_CHURN_NOT_CLEAN;
        } catch (NotConnected e) {
            System.err.println("loadtest: " + e.getMessage());
            status = EXIT_NOT_CONNECTED;
        }
        System.exit(status);
    }

    /** Peers could not connect; the message says which and why. */
    static final class NotConnected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotConnected(String message) {
            super(message);
        }
    }

    /** Runs the scenario and returns the JSON result line. */
    String run() {
        if (options.churn() > 0) return runChurn().encode();
        plane = MediaPlane.start(new MediaSettings("0.0.0.0", 0, Math.max(1, Runtime.getRuntime().availableProcessors()), List.of("127.0.0.1")),
                i -> this::onProbe);
        pumps = new ShapedDownlink.Pump[plane.sockets().size()];
        if (options.downlinkKbps() > 0) {
            for (int i = 0; i < pumps.length; i++) pumps[i] = new ShapedDownlink.Pump(plane.sockets().get(i).eventLoop());
        }
        ScheduledFuture<?> prober = null;
        try {
            PrometheusHistogram setupBefore = serverSetupHistogram(SETUP_METRIC);
            PrometheusHistogram connectBefore = serverSetupHistogram(CONNECT_METRIC);
            for (Peer p : join(true, options.publishers(), 0)) p.startSending();
            List<Peer> subscribers = join(false, options.subscribers(), options.shapedSubscribers());
            long burstMs = -1;
            int warmupBurstPeers = 0;
            if (options.joinBurst() > 0) {
                if (options.warmup() > 0) warmupBurstPeers = warmUpJoinPath();
                long startNs = System.nanoTime();
                List<Peer> burst = join(false, options.joinBurst(), 0);
                for (Peer p : burst) awaitQuietly(p.firstPacket, CONNECT_TIMEOUT_S, "a join-burst subscriber received nothing");
                burstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                subscribers = new ArrayList<>(subscribers);
                subscribers.addAll(burst);
            }
            double[] serverSetupMs = serverSetupMs(SETUP_METRIC, setupBefore, peers.size() + warmupBurstPeers);
            double[] serverConnectMs = serverSetupMs(CONNECT_METRIC, connectBefore, peers.size() + warmupBurstPeers);
            prober = startProbe();

            long warmupStartNs = System.nanoTime();
            long lastSent = sent.get();
            long lastReceived = received.get();
            for (int second = 1; second <= options.warmup(); second++) {
                sleepUntil(warmupStartNs + TimeUnit.SECONDS.toNanos(second));
                long nowSent = sent.get();
                long nowReceived = received.get();
                progressLine("warmup " + second + "s", nowSent - lastSent, nowReceived - lastReceived, subscribers);
                lastSent = nowSent;
                lastReceived = nowReceived;
            }

            // The window: everything reported is counted from here.
            boolean floods = !options.flood().isEmpty();
            boolean adaptation = options.downlinkKbps() > 0 || options.simulcast() > 1;
            String metricsBefore = adaptation ? metricsText() : null;
            Window window = measure(subscribers, "", !floods);
            String metricsAfter = adaptation ? metricsText() : null;
            JsonArray floodResults = new JsonArray();
            for (int i = 0; i < options.flood().size(); i++) {
                floodResults.add(flood(options.flood().get(i), subscribers, window, i == options.flood().size() - 1));
            }
            if (!floods) {
                for (Peer p : List.copyOf(publishers)) if (p.sender != null) p.sender.cancel(false);
            }
            prober.cancel(false);
            JsonObject json = result(window, burstMs, serverSetupMs, serverConnectMs);
            if (options.joinBurst() > 0) json.put("join_burst_warmup_subscribers", warmupBurstPeers);
            if (adaptation) json.put("adaptation", adaptation(subscribers, window, metricsBefore, metricsAfter));
            if (floods) json.put("flood_rate", options.floodRate()).put("floods", floodResults);
            return json.encode();
        } finally {
            if (prober != null) prober.cancel(false);
            for (Peer p : List.copyOf(peers)) p.leave();
            for (ShapedDownlink.Pump pump : pumps) if (pump != null) pump.stop();
            joiners.shutdownNow();
            plane.close();
        }
    }

    /**
     * {@code --churn N}: the publishers join and send, then {@link Churn} runs its cycles of subscribers and
     * compares what the server holds before and after. The result: the scenario, then {@code churn}.
     */
    JsonObject runChurn() {
        plane = MediaPlane.start(new MediaSettings("0.0.0.0", 0, Math.max(1, Runtime.getRuntime().availableProcessors()), List.of("127.0.0.1")),
                i -> this::onProbe);
        try {
            for (Peer p : join(true, options.publishers(), 0)) p.startSending();
            int[] next = {0};
            Churn churn = new Churn(options.churn(), options.churnParallel(), options.rooms(), options.serverPid(), joiners,
                    (room, port) -> new Peer(false, room, Math.floorMod(next[0]++, plane.sockets().size()), -1, port, false, false),
                    this::metricsText, progress);
            JsonObject result = churn.run();
            churnSucceeded = churn.allSucceeded() && result.getBoolean("back_to_baseline");
            return new JsonObject().put("rooms", options.rooms()).put("publishers", options.publishers() * options.rooms())
                    .put("churn", result);
        } finally {
            for (Peer p : List.copyOf(peers)) p.leave();
            joiners.shutdownNow();
            plane.close();
        }
    }

    private void progressLine(String when, long outPackets, long inPackets, List<Peer> subscribers) {
        progress.printf(Locale.ROOT, "loadtest: %s connected %d/%d, out %d pkt/s, in %d pkt/s, loss %.2f%%, latency p50 %.3f ms p99 %.3f ms, direct p50 %.3f ms%n",
                when, connectedCount(), peers.size(), outPackets, inPackets, lossPct(subscribers),
                percentileMs(latency, 0.50), percentileMs(latency, 0.99), percentileMs(directLatency, 0.50));
    }

    /**
     * One measured window: every figure is counted from its start. The last window stops the publishers at its
     * end and lets the packets in flight land before loss is counted; earlier ones count at once (loss follows
     * the sequence numbers seen, so packets in flight are not counted lost).
     */
    private record Window(long packetsSent, long packetsReceived, long misrouted, double lossPct, double p50, double p99,
            double directP50, double directP99, boolean bothPaths, long cpu0, long cpu1, double elapsedS) {

        Double serverCpuS(long ticksPerSecond) {
            return cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / (double) ticksPerSecond : null;
        }

        JsonObject latencyJson(JsonObject json) {
            return json.put("loss_pct", round(lossPct, 3))
                    .put("latency_ms_p50", round(p50, 3))
                    .put("latency_ms_p99", round(p99, 3))
                    .put("added_latency_ms_p50", bothPaths ? round(Math.max(0, p50 - directP50), 3) : null)
                    .put("added_latency_ms_p99", bothPaths ? round(Math.max(0, p99 - directP99), 3) : null);
        }
    }

    private Window measure(List<Peer> subscribers, String label, boolean last) {
        for (Peer s : subscribers) s.resetWindow();
        clear(latency);
        clear(directLatency);
        long sent0 = sent.get();
        long received0 = received.get();
        long misrouted0 = misrouted.get();
        long cpu0 = serverCpuTicks();
        long startNs = System.nanoTime();
        long lastSent = sent0;
        long lastReceived = received0;
        for (int second = 1; second <= options.seconds(); second++) {
            sleepUntil(startNs + TimeUnit.SECONDS.toNanos(second));
            long nowSent = sent.get();
            long nowReceived = received.get();
            progressLine(label + second + "s", nowSent - lastSent, nowReceived - lastReceived, subscribers);
            lastSent = nowSent;
            lastReceived = nowReceived;
        }
        double elapsedS = (System.nanoTime() - startNs) / 1e9;
        long cpu1 = serverCpuTicks();
        for (Peer s : subscribers) s.endWindow();
        long packetsSent = sent.get() - sent0;
        long packetsReceived = received.get() - received0;
        if (last) {
            for (Peer p : List.copyOf(publishers)) if (p.sender != null) p.sender.cancel(false);
            sleepUntil(System.nanoTime() + 200_000_000L); // packets in flight land before loss is counted
        }
        return new Window(packetsSent, packetsReceived, misrouted.get() - misrouted0, lossPct(subscribers),
                percentileMs(latency, 0.50), percentileMs(latency, 0.99), percentileMs(directLatency, 0.50),
                percentileMs(directLatency, 0.99), total(latency) > 0 && total(directLatency) > 0, cpu0, cpu1, elapsedS);
    }

    /**
     * One window with {@code kind} flooding the media port of the first publisher's session (or the first
     * subscriber's), its ufrag for forged checks: what the server dropped, by reason, over the window, what it
     * cost, and what the sessions lost against the no-flood window.
     */
    private JsonObject flood(Flood.Kind kind, List<Peer> subscribers, Window baseline, boolean last) {
        Peer victim = !publishers.isEmpty() ? publishers.get(0) : subscribers.isEmpty() ? null : subscribers.get(0);
        if (victim == null || victim.serverCandidate == null) throw new NotConnected("--flood needs a connected session to aim at");
        Map<String, Long> drops0 = serverDrops();
        long kernel0 = kernelReceiveBufferErrors();
        Window w;
        Flood flood = new Flood(kind, options.floodRate(), victim.serverCandidate, victim.serverUfrag, random.nextLong());
        try {
            flood.start();
            w = measure(subscribers, kind.flag() + " ", last);
        } finally {
            flood.close();
        }
        // Datagrams still in the server's socket are counted before the drops are read.
        sleepUntil(System.nanoTime() + 300_000_000L);
        Map<String, Long> drops1 = serverDrops();
        long kernel1 = kernelReceiveBufferErrors();
        JsonObject dropped = new JsonObject();
        long droppedTotal = 0;
        for (Map.Entry<String, Long> e : drops1.entrySet()) {
            long delta = e.getValue() - drops0.getOrDefault(e.getKey(), 0L);
            if (delta != 0) dropped.put(e.getKey(), delta);
            droppedTotal += delta;
        }
        JsonObject json = new JsonObject()
                .put("kind", kind.flag())
                .put("target", victim.serverCandidate.getAddress().getHostAddress() + ":" + victim.serverCandidate.getPort())
                .put("flood_sent", flood.sent())
                .put("flood_skipped", flood.skipped())
                .put("flood_rate_achieved", round(flood.sent() / w.elapsedS(), 0))
                .put("server_dropped", dropped)
                .put("server_dropped_total", drops0.isEmpty() && drops1.isEmpty() ? null : droppedTotal)
                .put("kernel_receive_buffer_errors", kernel0 < 0 || kernel1 < 0 ? null : kernel1 - kernel0)
                .put("packets_sent", w.packetsSent())
                .put("packets_received", w.packetsReceived());
        w.latencyJson(json);
        json.put("baseline_loss_pct", round(baseline.lossPct(), 3))
                .put("baseline_latency_ms_p50", round(baseline.p50(), 3))
                .put("baseline_latency_ms_p99", round(baseline.p99(), 3));
        long ticks = clockTicksPerSecond();
        Double cpuS = options.serverPid() > 0 ? w.serverCpuS(ticks) : null;
        Double baseCpuS = options.serverPid() > 0 ? baseline.serverCpuS(ticks) : null;
        if (cpuS != null && baseCpuS != null) {
            // The flood's share: this window's CPU less the no-flood window's, scaled to the same length.
            double extraS = cpuS - baseCpuS * w.elapsedS() / baseline.elapsedS();
            json.put("server_cpu_s", round(cpuS, 3)).put("baseline_server_cpu_s", round(baseCpuS, 3))
                    .put("server_cpu_s_per_million_dropped", droppedTotal <= 0 ? null : round(extraS * 1e6 / droppedTotal, 3));
        }
        return json;
    }

    /** The target's {@code junction_media_dropped_total} by reason; empty when it has none (another server). */
    Map<String, Long> serverDrops() {
        return labelledCounter(metricsText(), "junction_media_dropped_total", "reason");
    }

    /**
     * A counter's samples {@code metric{label="value"} n} in a {@code /metrics} text, summed by value; empty when the
     * text is null or has none.
     */
    static Map<String, Long> labelledCounter(String text, String metric, String label) {
        Map<String, Long> drops = new java.util.TreeMap<>();
        if (text == null) return drops;
        String prefix = metric + "{" + label + "=\"";
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) continue;
            int close = line.indexOf("\"}", prefix.length());
            if (close < 0) continue;
            try {
                drops.merge(line.substring(prefix.length(), close), (long) Double.parseDouble(line.substring(close + 2).trim()), Long::sum);
            } catch (NumberFormatException e) {
                // not a sample line we understand; skip it
            }
        }
        return drops;
    }

    /** UDP datagrams this machine's kernel dropped for a full receive buffer ({@code /proc/net/snmp}), or -1. */
    static long kernelReceiveBufferErrors() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (!lines.get(i).startsWith("Udp:") || !lines.get(i + 1).startsWith("Udp:")) continue;
                String[] names = lines.get(i).trim().split("\\s+");
                String[] values = lines.get(i + 1).trim().split("\\s+");
                for (int k = 0; k < names.length && k < values.length; k++) {
                    if (names[k].equals("RcvbufErrors")) return Long.parseLong(values[k]);
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or a format we do not know
        }
        return -1;
    }

    private JsonObject result(Window w, long burstMs, double[] serverSetupMs, double[] serverConnectMs) {
        List<Long> setups = new ArrayList<>(setupNs);
        Collections.sort(setups);
        JsonObject json = new JsonObject()
                .put("rooms", options.rooms())
                .put("slots", options.slots())
                .put("transport", options.transport().flag)
                .put("targets", new io.vertx.core.json.JsonArray(options.targets().stream().map(URI::toString).toList()))
                .put("sessions_per_target", new io.vertx.core.json.JsonArray(java.util.stream.IntStream.range(0, sessionsPerTarget.length())
                        .mapToObj(sessionsPerTarget::get).toList()))
                .put("redirects_followed", redirects.get())
                .put("peers_dtls_client", dtlsRoles.get(0))
                .put("peers_dtls_server", dtlsRoles.get(1))
                .put("publishers", options.publishers() * options.rooms())
                .put("subscribers", (options.subscribers() + options.joinBurst()) * options.rooms())
                .put("seconds", options.seconds())
                .put("warmup_s", options.warmup())
                .put("packets_sent", w.packetsSent())
                .put("packets_received", w.packetsReceived())
                .put("misrouted_packets", w.misrouted())
                .put("loss_pct", round(w.lossPct(), 3))
                .put("latency_ms_p50", round(w.p50(), 3))
                .put("latency_ms_p99", round(w.p99(), 3))
                .put("direct_latency_ms_p50", round(w.directP50(), 3))
                .put("direct_latency_ms_p99", round(w.directP99(), 3))
                .put("added_latency_ms_p50", w.bothPaths() ? round(Math.max(0, w.p50() - w.directP50()), 3) : null)
                .put("added_latency_ms_p99", w.bothPaths() ? round(Math.max(0, w.p99() - w.directP99()), 3) : null)
                .put("setup_ms_p50", round(percentile(setups, 0.50) / 1e6, 1))
                .put("setup_ms_p99", round(percentile(setups, 0.99) / 1e6, 1))
                .put("server_setup_ms_p50", Double.isNaN(serverSetupMs[0]) ? null : serverSetupMs[0])
                .put("server_setup_ms_p99", Double.isNaN(serverSetupMs[1]) ? null : serverSetupMs[1])
                .put("server_connect_ms_p50", Double.isNaN(serverConnectMs[0]) ? null : serverConnectMs[0])
                .put("server_connect_ms_p99", Double.isNaN(serverConnectMs[1]) ? null : serverConnectMs[1])
                .put("join_burst_ms", burstMs < 0 ? null : burstMs);
        Double cpuS = options.serverPid() > 0 ? w.serverCpuS(clockTicksPerSecond()) : null;
        if (cpuS != null) {
            json.put("server_cpu_s", round(cpuS, 3))
                    // Several targets share the packets: one node's CPU over all of them would mean nothing.
                    .put("server_cpu_us_per_packet_out", w.packetsReceived() == 0 || options.targets().size() > 1 ? null
                            : round(cpuS * 1e6 / w.packetsReceived(), 3));
        }
        return json.put("elapsed_s", round(w.elapsedS(), 3));
    }

    /** The server's per-subscriber estimate histogram (bit/s), sampled once a second per subscriber. */
    static final String ESTIMATE_METRIC = "junction_subscriber_estimate_bps";
    static final String SWITCHES_METRIC = "junction_room_layer_switches_total";

    /**
     * With {@code --downlink-kbps} or {@code --simulcast}: the shaped and the unshaped subscribers apart (what they
     * received, lost and which layer they got most), and the server's layer switches and estimates over the window.
     */
    private JsonObject adaptation(List<Peer> subscribers, Window w, String metricsBefore, String metricsAfter) {
        List<Peer> shaped = new ArrayList<>();
        List<Peer> unshaped = new ArrayList<>();
        for (Peer p : subscribers) (p.downlink != null ? shaped : unshaped).add(p);
        JsonObject json = new JsonObject()
                .put("simulcast", options.simulcast())
                .put("layers_kbps", layerKbps())
                .put("downlink_kbps", options.downlinkKbps() == 0 ? null : options.downlinkKbps())
                .put("downlink_queue_bytes", options.downlinkKbps() == 0 ? null
                        : DownlinkBottleneck.queueLimitBytes(options.downlinkKbps(), LoadOptions.DOWNLINK_QUEUE_MS))
                .put("downlink_delay_ms", options.downlinkDelayMs())
                .put("shaped", group(shaped, w.elapsedS()))
                .put("unshaped", group(unshaped, w.elapsedS()));
        JsonObject switches = null;
        if (metricsBefore != null && metricsAfter != null && metricsAfter.contains(SWITCHES_METRIC + "{")) {
            Map<String, Long> before = labelledCounter(metricsBefore, SWITCHES_METRIC, "reason");
            switches = new JsonObject();
            for (Map.Entry<String, Long> e : labelledCounter(metricsAfter, SWITCHES_METRIC, "reason").entrySet()) {
                switches.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L));
            }
        }
        json.put("server_layer_switches", switches);
        PrometheusHistogram estimates = metricsBefore == null || metricsAfter == null ? null
                : PrometheusHistogram.parse(metricsAfter, ESTIMATE_METRIC).since(PrometheusHistogram.parse(metricsBefore, ESTIMATE_METRIC));
        json.put("server_estimate_bps", estimates == null || estimates.count() == 0 ? null : estimateJson(estimates));
        return json;
    }

    /** Each layer's rid (or {@code video} without simulcast) and its bitrate, lowest first. */
    private JsonObject layerKbps() {
        JsonObject layers = new JsonObject();
        for (int i = 0; i < Math.max(1, options.simulcast()); i++) layers.put(layerName(i), options.layerKbps(i));
        return layers;
    }

    private String layerName(int layer) {
        return options.rids().isEmpty() ? "video" : options.rids().get(layer);
    }

    /**
     * One group of subscribers over the window: how many, received kbit/s (p50 and the least), loss, bottleneck
     * drops, and per layer how many of them received most frames of it, i.e. were on it longest ({@code none}: no
     * video at all).
     */
    private JsonObject group(List<Peer> members, double elapsedS) {
        List<Long> kbps = new ArrayList<>();
        long expected = 0;
        long got = 0;
        long drops = 0;
        int layers = Math.max(1, options.simulcast());
        int[] most = new int[layers + 1];
        for (Peer p : members) {
            long[] end = p.windowEnd;
            if (end == null) continue;
            kbps.add(Math.round(end[0] * 8 / 1000.0 / elapsedS));
            drops += end[end.length - 1];
            int best = -1;
            for (int l = 0; l < layers; l++) if (end[1 + l] > 0 && (best < 0 || end[1 + l] >= end[1 + best])) best = l;
            most[best < 0 ? layers : best]++;
            long[] eg = p.expectedAndReceived();
            expected += eg[0];
            got += eg[1];
        }
        Collections.sort(kbps);
        JsonObject layerCounts = new JsonObject();
        for (int l = 0; l < layers; l++) layerCounts.put(layerName(l), most[l]);
        if (most[layers] > 0) layerCounts.put("none", most[layers]);
        return new JsonObject()
                .put("subscribers", members.size())
                .put("received_kbps_p50", kbps.isEmpty() ? null : (long) percentile(kbps, 0.50))
                .put("received_kbps_min", kbps.isEmpty() ? null : kbps.get(0))
                .put("loss_pct", expected == 0 ? 0.0 : round(Math.max(0, 100.0 * (expected - got) / expected), 3))
                .put("bottleneck_drops", drops)
                .put("layer_most_received", layerCounts);
    }

    /** The estimates sampled in the window: p10, p50 and p90 (each its bucket's upper bound) and the buckets. */
    private static JsonObject estimateJson(PrometheusHistogram h) {
        JsonObject json = new JsonObject().put("samples", h.count());
        for (double q : new double[] {0.10, 0.50, 0.90}) {
            double bound = h.upperBoundS(q);
            json.put("p" + Math.round(q * 100), Double.isInfinite(bound) ? "+Inf" : (Object) Math.round(bound));
        }
        JsonObject buckets = new JsonObject();
        long below = 0;
        for (int i = 0; i < h.boundsS().length; i++) {
            long n = h.cumulative()[i] - below;
            below = h.cumulative()[i];
            if (n > 0) buckets.put(Double.isInfinite(h.boundsS()[i]) ? "+Inf" : Long.toString(Math.round(h.boundsS()[i])), n);
        }
        return json.put("buckets_le", buckets);
    }

    // ---- direct-path probe ----------------------------------------------------------------------------------

    /**
     * Every tick, one probe from the first plane socket (loop 0, which also carries the first publisher) to the
     * last one (another loop when there are several), over loopback: the same kernel path and event-loop
     * hops a forwarded packet takes on the client side, without the server and without crypto.
     */
    private ScheduledFuture<?> startProbe() {
        MediaSocket from = plane.sockets().get(0);
        MediaSocket to = plane.sockets().get(plane.sockets().size() - 1);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", to.localAddress().getPort());
        probeSourcePort = from.localAddress().getPort();
        return from.eventLoop().scheduleAtFixedRate(() -> {
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.heapBuffer(PROBE_BYTES);
            probe.writeLong(PROBE_MAGIC).writeLong(System.nanoTime());
            from.write(probe, target);
        }, 0, TICK_NS, TimeUnit.NANOSECONDS);
    }

    /** The plane sockets' receiver: probes from our own probe socket are timed; anything else is dropped. */
    private void onProbe(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        if (content.readableBytes() != PROBE_BYTES || sender.getPort() != probeSourcePort || !sender.getAddress().isLoopbackAddress()
                || content.getLong(content.readerIndex()) != PROBE_MAGIC) {
            return;
        }
        addSample(directLatency, nowNs - content.getLong(content.readerIndex() + 8));
    }

    // ---- server-side setup time -----------------------------------------------------------------------------

    /**
     * The target's setup histogram: {@link PrometheusHistogram#EMPTY} when {@code /metrics} answers 200 without
     * it, null when {@code /metrics} does not answer 200 (another vendor's server, or none).
     */
    PrometheusHistogram serverSetupHistogram(String metric) {
        String text = metricsText();
        return text == null ? null : PrometheusHistogram.parse(text, metric);
    }

    /** The target's {@code /metrics} text, or null when it does not answer 200. */
    private String metricsText() {
        HttpRequest.Builder get = HttpRequest.newBuilder(options.target().resolve("/metrics")).timeout(Duration.ofSeconds(5)).GET();
        if (!options.token().isEmpty()) get.header("Authorization", "Bearer " + options.token());
        try {
            HttpResponse<String> response = http.send(get.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The server's setup time p50 and p99 in ms (NaN each when unknown) over the sessions set up since
     * {@code before}. A server may record a session a little after the client saw it connected, so this
     * waits up to {@link #SETUP_METRIC_WAIT_NS} for the histogram to count {@code sessions} new ones.
     */
    private double[] serverSetupMs(String metric, PrometheusHistogram before, int sessions) {
        if (before == null) return new double[] {Double.NaN, Double.NaN};
        long deadlineNs = System.nanoTime() + SETUP_METRIC_WAIT_NS;
        PrometheusHistogram after;
        while (true) {
            after = serverSetupHistogram(metric);
            if (after == null || !after.present()) break;
            PrometheusHistogram delta = after.since(before);
            if (delta == null || delta.count() >= sessions || deadlineNs - System.nanoTime() <= 0) break;
            sleepUntil(System.nanoTime() + 50_000_000L);
        }
        return setupPercentilesMs(metric, before, after, progress);
    }

    /**
     * p50 and p99 in ms, each the upper bound of the bucket holding it, of the sessions counted between two
     * reads of the setup histogram; NaN when either read failed, the target has no such histogram, no session
     * was counted, or the percentile is beyond the largest finite bound (then with a warning).
     */
    static double[] setupPercentilesMs(String metric, PrometheusHistogram before, PrometheusHistogram after, PrintStream warnings) {
        double[] ms = {Double.NaN, Double.NaN};
        if (before == null || after == null || !after.present()) return ms;
        PrometheusHistogram delta = after.since(before);
        if (delta == null) {
            warnings.println("loadtest: warning: " + metric + " went backwards or changed buckets during the run; server setup not reported");
            return ms;
        }
        double[] qs = {0.50, 0.99};
        for (int i = 0; i < qs.length; i++) {
            double boundS = delta.upperBoundS(qs[i]);
            if (boundS == Double.POSITIVE_INFINITY) {
                warnings.printf(Locale.ROOT, "loadtest: warning: server setup p%d is beyond %s's largest bucket (+Inf); reported as null%n",
                        Math.round(qs[i] * 100), metric);
            } else if (!Double.isNaN(boundS)) {
                ms[i] = round(boundS * 1000, 3);
            }
        }
        return ms;
    }

    // ---- peers ----------------------------------------------------------------------------------------------

    /**
     * Before a timed join burst: untimed bursts of {@link #WARMUP_BURST} subscribers per room (fewer if the burst is
     * smaller) that join, receive a packet each and leave again, so that the tool's own join path (client DTLS, SRTP
     * set-up, HTTP) is compiled by the JIT and the timed burst measures joins, not the tool's warm-up. One burst did
     * not do: the JIT went on compiling through the timed one. So bursts repeat, up to {@link #MAX_WARMUP_BURSTS},
     * until the tool's JIT compiled for less than {@link #WARM_JIT_SHARE} of one's wall time (where the JVM does not
     * report compilation time, one burst). They are left out of every figure except the server's setup
     * histograms, which count every session of the run. Returns how many joined.
     */
    private int warmUpJoinPath() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        int joined = 0;
        for (int round = 1; round <= MAX_WARMUP_BURSTS; round++) {
            long jitBeforeMs = timed ? jit.getTotalCompilationTime() : 0;
            long startNs = System.nanoTime();
            joined += warmUpBurst();
            if (!timed) break;
            long wallMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            long jitMs = jit.getTotalCompilationTime() - jitBeforeMs;
            progress.printf(Locale.ROOT, "loadtest: warm-up burst %d took %d ms, the tool's JIT compiled for %d ms of it%n", round, wallMs, jitMs);
            if (jitMs < WARM_JIT_SHARE * wallMs) break;
        }
        return joined;
    }

    /** One untimed warm-up burst (see {@link #warmUpJoinPath()}); returns how many joined. */
    private int warmUpBurst() {
        int mark = setupNs.size();
        List<Peer> warm = join(false, Math.min(options.joinBurst(), WARMUP_BURST), 0);
        for (Peer p : warm) awaitQuietly(p.firstPacket, CONNECT_TIMEOUT_S, "a warm-up subscriber received nothing");
        for (Peer p : warm) p.leave();
        peers.removeAll(warm);
        synchronized (setupNs) {
            while (setupNs.size() > mark) setupNs.remove(setupNs.size() - 1);
        }
        return warm.size();
    }

    /**
     * {@code perRoom} peers in every room, all joining at once, the first {@code shapedPerRoom} of each room behind a
     * {@link ShapedDownlink}; returns once all are connected.
     */
    private List<Peer> join(boolean publish, int perRoom, int shapedPerRoom) {
        int count = perRoom * options.rooms();
        List<Peer> joined = new ArrayList<>(count);
        List<CompletableFuture<Void>> ready = new ArrayList<>(count);
        for (int room = 0; room < options.rooms(); room++) {
            for (int i = 0; i < perRoom; i++) {
                // Publishers are numbered room by room, so room = index / publishers per room (see roomOf).
                Peer p = new Peer(publish, room, peers.size() % plane.sockets().size(), publish ? publishers.size() : -1, i < shapedPerRoom);
                if (publish) publishers.add(p);
                peers.add(p);
                joined.add(p);
                ready.add(CompletableFuture.runAsync(p::connect, joiners)); // blocking HTTP: one virtual thread per join
            }
        }
        for (int i = 0; i < count; i++) {
            Peer p = joined.get(i);
            awaitQuietly(ready.get(i), CONNECT_TIMEOUT_S, (publish ? "publisher" : "subscriber") + " could not join");
            awaitQuietly(p.connected, CONNECT_TIMEOUT_S, (publish ? "publisher" : "subscriber") + " did not connect (ICE/DTLS)");
        }
        return joined;
    }

    private int connectedCount() {
        int n = 0;
        for (Peer p : List.copyOf(peers)) if (p.connected.isDone() && !p.connected.isCompletedExceptionally()) n++;
        return n;
    }

    /** One WebRTC peer with its own socket, as a browser has one per connection. */
    private final class Peer implements WebRtcTransport.Listener, Churn.Peer {
        final boolean publisher;
        /** The room (0-based) this peer joined. */
        final int room;
        /** For publishers: their number over all rooms, written into every packet with a per-stream counter. */
        final int index;
        /** Packets sent so far per stream (0 audio, 1 + layer video); written on the peer's loop. */
        final AtomicLongArray streamSent = new AtomicLongArray(1 + LoadOptions.RIDS.size());
        final MediaDemux demux = new MediaDemux();
        final MediaSocket socket;
        /** The tool's loop this peer lives on. */
        final int loop;
        /** Its ICE-TCP connection with {@code --transport tcp}, else null. */
        volatile IceTcpConnection tcp;
        /** Its TURN allocation with {@code --transport turn-…}, else null. */
        volatile TurnClientConnection turn;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<Void> firstPacket = new CompletableFuture<>();
        final RtpPacket rtp = new RtpPacket();
        /**
         * A subscriber whose answer negotiated transport-cc: the arrival of every packet by the server's transport-wide
         * number, and the feedback every 100 ms that the server's estimate of this subscriber runs on (as a browser
         * sends it); null otherwise. On the peer's loop.
         */
        TransportCcReceiver transportCc;
        /** The feedback task's SSRC, fixed per peer. */
        final long feedbackSsrc = 1 + (long) (Math.random() * 0xFFFF_FFFEL);
        // An audio and a video stream per slot (a subscriber may see more streams over time as slots refill).
        final long[] streamKey = new long[4 * ClientOffer.MAX_PAIRS];
        final long[] streamFirst = new long[4 * ClientOffer.MAX_PAIRS];
        final long[] streamCount = new long[4 * ClientOffer.MAX_PAIRS];
        /**
         * Per stream, the simulcast layer of its current run (0 without simulcast), where the run's counters ended,
         * and what earlier runs expected and got: a subscriber whose layer changes starts a new run, since the server
         * stops forwarding a layer it switches away from (those packets are not lost).
         */
        final int[] streamLayer = new int[4 * ClientOffer.MAX_PAIRS];
        final long[] streamLast = new long[4 * ClientOffer.MAX_PAIRS];
        final long[] streamDoneExpected = new long[4 * ClientOffer.MAX_PAIRS];
        final long[] streamDoneGot = new long[4 * ClientOffer.MAX_PAIRS];
        /** A subscriber's window: RTP bytes it decrypted (media, RTX, padding), then video frames per simulcast layer. */
        final AtomicLongArray windowCounts = new AtomicLongArray(1 + LoadOptions.RIDS.size());
        /** A shaped subscriber's bottleneck (its socket's receiver), else null. */
        final ShapedDownlink downlink;
        /** Bottleneck drops when the window started. */
        volatile long dropsAtWindowStart;
        /** A simulcast publisher's layers: SSRC and sequence number per layer; on the loop. */
        long[] layerSsrc;
        int[] layerSeq;
        /** Per video stream (one per layer), a PLI or FIR asked for a keyframe at the next tick; on the loop. */
        final boolean[] keyframeAsked = new boolean[LoadOptions.RIDS.size()];
        final dev.junction.codec.rtp.RtpHeaderWriter header = new dev.junction.codec.rtp.RtpHeaderWriter();
        final dev.junction.codec.rtcp.RtcpCompound compound = new dev.junction.codec.rtcp.RtcpCompound();
        final dev.junction.codec.rtcp.PictureLossIndication pli = new dev.junction.codec.rtcp.PictureLossIndication();
        final dev.junction.codec.rtcp.FullIntraRequest fir = new dev.junction.codec.rtcp.FullIntraRequest();        /** Streams tracked; written on the peer's loop, read by the progress and result thread (volatile publishes the arrays). */
        volatile int streams;
        volatile long postNs;
        /** From the answer: the session's ICE ufrag and first candidate (what a flood aims at). */
        volatile String serverUfrag;
        volatile InetSocketAddress serverCandidate;
        ClientOffer offer;
        /** The URL its POST was answered from (after redirects): where its session resource's Location resolves. */
        URI endpoint;
        String location;
        WebRtcTransport transport;
        ScheduledFuture<?> sender;
        int seq;
        int audioSeq;
        long tick;

        /** Whether its setup times go into the run's figures (a churn cycle's peers do not). */
        final boolean counted;
        /** Completed by the first packet received after it was set (an ICE restart's proof of life). */
        volatile CompletableFuture<Void> nextPacket = new CompletableFuture<>();

        Peer(boolean publisher, int room, int loop, int index, boolean shaped) {
            this(publisher, room, loop, index, 0, true, shaped);
        }

        /** A peer whose socket is bound to {@code port} (0: any), e.g. a new session from an abandoned one's address. */
        Peer(boolean publisher, int room, int loop, int index, int port, boolean counted, boolean shaped) {
            this.publisher = publisher;
            this.room = room;
            this.index = index;
            this.counted = counted;
            this.loop = loop;
            this.downlink = shaped ? new ShapedDownlink(options.downlinkKbps() * 1000L,
                    DownlinkBottleneck.queueLimitBytes(options.downlinkKbps(), LoadOptions.DOWNLINK_QUEUE_MS),
                    TimeUnit.MILLISECONDS.toNanos(options.downlinkDelayMs()), demux) : null;
            this.socket = plane.open(loop, new InetSocketAddress("0.0.0.0", port), shaped ? downlink : demux);
            if (shaped) pumps[loop].add(downlink);
        }

        @Override
        public void connect() {
            String path = (publisher ? options.whipPath() : options.whepPath()).replace("{room}", options.roomName(room));
            // The offer's candidate; an ICE-lite server answers checks from wherever they come, so the port is what counts.
            InetSocketAddress local = new InetSocketAddress("127.0.0.1", socket.localAddress().getPort());
            int targetIndex = publisher ? 0 : Math.floorMod(subscribersDealt.getAndIncrement(), options.targets().size());
            endpoint = options.targets().get(targetIndex).resolve(path);
            if (options.transport().turn()) {
                // RFC 9725 §4.4: the ICE servers come before the offer, from OPTIONS; the relayed address is our candidate.
                turn = allocate(path);
                local = turn.relayedAddress();
            }
            offer = publisher ? ClientOffer.publisher(certificate.fingerprint(), local, random, true)
                    : ClientOffer.subscriber(certificate.fingerprint(), local, random, options.slots());
            String sdp = offer.sdp();
            if (publisher && !options.rids().isEmpty()) {
                // rid simulcast (RFC 8853): one SSRC per layer, told apart by the RID extension, as Chromium sends it.
                sdp = ClientOffer.simulcast(sdp, options.rids());
                layerSsrc = new long[options.rids().size()];
                layerSeq = new int[layerSsrc.length];
                for (int i = 0; i < layerSsrc.length; i++) layerSsrc[i] = 1 + (random.nextInt() & 0x7FFF_FFFEL);
            }
            HttpResponse<String> response;
            try {
                httpSlots.acquire();
                try {
                    postNs = System.nanoTime();
                    // RFC 9725 §4.5: a 307 or 308 names where to POST the same offer again; a few hops at most.
                    for (int hop = 0; ; hop++) {
                        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp));
                        if (!options.token().isEmpty()) request.header("Authorization", "Bearer " + options.token());
                        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 307 && response.statusCode() != 308) break;
                        String to = response.headers().firstValue("Location").orElse(null);
                        if (to == null) throw new NotConnected("POST " + endpoint + " answered " + response.statusCode() + " without a Location");
                        if (hop == 4) throw new NotConnected("POST " + path + ": more than 4 redirects, the last to " + to);
                        endpoint = endpoint.resolve(to);
                        redirects.incrementAndGet();
                    }
                } finally {
                    httpSlots.release();
                }
            } catch (NotConnected e) {
                throw e;
            } catch (Exception e) {
                throw new NotConnected("POST " + endpoint + " failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
            if (response.statusCode() != 201) {
                throw new NotConnected("POST " + path + " answered " + response.statusCode() + ": " + response.body().strip());
            }
            location = response.headers().firstValue("Location").orElse(null);
            sessionsPerTarget.incrementAndGet(targetIndex);
            ServerAnswer answer = ServerAnswer.parse(response.body());
            if (!publisher && response.body().contains("transport-wide-cc")) transportCc = new TransportCcReceiver(System.nanoTime());
            dtlsRoles.incrementAndGet(answer.dtlsRole() == DtlsRole.SERVER ? 1 : 0);
            serverUfrag = answer.ice().ufrag();
            serverCandidate = answer.candidates().isEmpty() ? null : answer.candidates().get(0);
            if (turn != null) {
                if (answer.candidates().isEmpty()) throw new NotConnected("the answer to " + path + " has no UDP candidate for the relay to reach");
                transport = WebRtcTransport.client(plane.loops().get(loop), demux, offer.ice(), answer.ice(),
                        List.of(turn.path(answer.candidates().get(0))), answer.dtlsRole(), certificate, answer.fingerprints(), WebRtcTransport.Options.DEFAULT,
                        new Random(random.nextLong()), this);
            } else if (options.transport() == LoadOptions.Transport.TCP) {
                if (answer.tcpCandidates().isEmpty()) throw new NotConnected("the answer to " + path + " has no passive TCP candidate (ICE-TCP)");
                try {
                    tcp = plane.connectTcp(loop, answer.tcpCandidates().get(0), demux).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new NotConnected("ICE-TCP connection to " + answer.tcpCandidates().get(0) + " failed: " + e.getMessage());
                }
                transport = WebRtcTransport.client(plane.loops().get(loop), demux, offer.ice(), answer.ice(), List.of(tcp.path()),
                        answer.dtlsRole(), certificate, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(random.nextLong()), this);
            } else {
                transport = WebRtcTransport.client(socket, demux, offer.ice(), answer.ice(), answer.candidates(),
                        answer.dtlsRole(), certificate, answer.fingerprints(), WebRtcTransport.Options.DEFAULT,
                        new Random(random.nextLong()), this);
            }
            transport.start();
        }

        /**
         * Learns the server's TURN servers from an OPTIONS request's {@code Link: rel="ice-server"} headers and
         * allocates on the one of {@code --transport}'s kind. Fails clearly when the server advertises none.
         */
        private TurnClientConnection allocate(String path) {
            TurnTransport kind = switch (options.transport()) {
                case TURN_TCP -> TurnTransport.TCP;
                case TURN_TLS -> TurnTransport.TLS;
                default -> TurnTransport.UDP;
            };
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
            if (!options.token().isEmpty()) request.header("Authorization", "Bearer " + options.token());
            List<String> links;
            try {
                httpSlots.acquire();
                try {
                    links = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).headers().allValues("Link");
                } finally {
                    httpSlots.release();
                }
            } catch (Exception e) {
                throw new NotConnected("OPTIONS " + path + " failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
            TurnClientConnection.Server server = IceServerLinks.parse(links).stream().filter(s -> s.transport() == kind).findFirst()
                    .orElseThrow(() -> new NotConnected("the server advertises no TURN server over " + kind + " (Link: rel=\"ice-server\" on OPTIONS "
                            + path + ": " + (links.isEmpty() ? "none" : links.size() + " other") + "); Junction: ./junction serve --turn on"));
            try {
                return TurnClientConnection.open(plane, loop, server, turnTls(), demux).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new NotConnected(e.getCause().getMessage());
            } catch (Exception e) {
                throw new NotConnected("TURN Allocate on " + server.address() + " over " + kind + ": " + e);
            }
        }

        void startSending() {
            sender = transport.eventLoop().scheduleAtFixedRate(this::sendTick, 0, TICK_NS, TimeUnit.NANOSECONDS);
        }

        /**
         * One 20 ms tick: an Opus-shaped packet and this tick's share of the video bitrate as one frame, per simulcast
         * layer with {@code --simulcast}. A frame is a keyframe every 100 ticks (2 s) and on a stream a PLI or FIR
         * asked for one since the last tick.
         */
        private void sendTick() {
            long nowNs = System.nanoTime();
            if (options.audio()) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.heapBuffer(12 + 100 + 16);
                a.writeByte(0x80).writeByte(ClientOffer.OPUS_PT).writeShort(audioSeq++).writeInt((int) (tick * 960)).writeInt((int) offer.audioSsrc());
                a.writeLong(nowNs).writeShort(index).writeInt((int) streamSent.get(0)).writeZero(86);
                if (transport.sendRtp(a)) sent.incrementAndGet();
                streamSent.lazySet(0, streamSent.get(0) + 1);
            }
            if (options.videoKbps() == 0) {
                tick++;
                return;
            }
            int layers = Math.max(1, options.simulcast());
            for (int layer = 0; layer < layers; layer++) sendFrame(nowNs, layer);
            tick++;
        }

        /**
         * Layer {@code layer}'s frame for this tick: its bitrate's share in packets of {@code --packet-size}, the last
         * one holding the rest. Each packet: the VP8 payload descriptor (RFC 7741 §4.2: S on the frame's first packet;
         * then P=0 marks a keyframe), the send time, the publisher's number, the stream's counter and the layer.
         */
        private void sendFrame(long nowNs, int layer) {
            int payload = options.packetSize() - 12;
            long frameBytes = (long) options.layerKbps(layer) * 1000 / 8 / 50;
            int packets = (int) Math.max(1, (frameBytes + payload - 1) / payload);
            boolean keyframe = tick % 100 == 0 || keyframeAsked[layer];
            keyframeAsked[layer] = false;
            int stream = 1 + layer;
            for (int i = 0; i < packets; i++) {
                ByteBuf v = PooledByteBufAllocator.DEFAULT.heapBuffer(options.packetSize() + 16 + 16);
                boolean last = i == packets - 1;
                int bytes = last ? (int) Math.max(VIDEO_HEADER_BYTES, frameBytes - (long) payload * i) : payload;
                if (layerSsrc == null) {
                    v.writeByte(0x80).writeByte((last ? 0x80 : 0) | ClientOffer.VP8_PT).writeShort(seq++)
                            .writeInt((int) (tick * 1800)).writeInt((int) offer.videoSsrc());
                } else {
                    header.start(v, ClientOffer.VP8_PT, last, layerSeq[layer]++ & 0xFFFF, tick * 1800, layerSsrc[layer]);
                    header.startExtensions(false, 0);
                    header.addExtension(ClientOffer.EXT_MID, MID_VIDEO, 0, MID_VIDEO.length);
                    byte[] rid = RID_BYTES[LoadOptions.RIDS.size() - layerSsrc.length + layer];
                    header.addExtension(ClientOffer.EXT_RID, rid, 0, rid.length);
                    header.endExtensions();
                }
                v.writeByte(i == 0 ? 0x10 : 0x00).writeByte(keyframe ? 0x00 : 0x01).writeLong(nowNs)
                        .writeShort(index).writeInt((int) streamSent.get(stream)).writeByte(layer);
                v.writeZero(bytes - VIDEO_HEADER_BYTES);
                if (transport.sendRtp(v)) sent.incrementAndGet();
                streamSent.lazySet(stream, streamSent.get(stream) + 1);
            }
        }

        /** At a window's end: bytes, then video frames per layer, then bottleneck drops, over the window. */
        volatile long[] windowEnd;

        void endWindow() {
            long[] counts = new long[windowCounts.length() + 1];
            for (int i = 0; i < windowCounts.length(); i++) counts[i] = windowCounts.get(i);
            counts[counts.length - 1] = downlink == null ? 0 : downlink.drops() - dropsAtWindowStart;
            windowEnd = counts;
        }

        /** At a window's start: loss, bytes and layers count from here. */
        void resetWindow() {
            if (downlink != null) dropsAtWindowStart = downlink.drops();
            transport.eventLoop().execute(() -> {
                streams = 0;
                for (int i = 0; i < windowCounts.length(); i++) windowCounts.lazySet(i, 0);
            });
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            if (publisher && counted) setupNs.add(System.nanoTime() - postNs);
            connected.complete(null);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (!rtp.wrap(packet, packet.readerIndex(), packet.readableBytes())) return;
            if (transportCc != null) recordTransportCc(t, nowNs);
            windowCounts.lazySet(0, windowCounts.get(0) + packet.readableBytes());
            int pt = rtp.payloadType();
            boolean video = pt == ClientOffer.VP8_PT;
            if (!video && pt != ClientOffer.OPUS_PT) return; // RTX and anything else: not counted
            if (rtp.payloadLength() < (video ? VIDEO_HEADER_BYTES : 14)) return; // not one of ours
            int at = rtp.payloadOffset() + (video ? 2 : 0);
            int from = packet.getUnsignedShort(at + 8);
            if (roomOf(from) != room) {
                misrouted.incrementAndGet(); // another room's publisher (or no publisher of ours): never counted as ours
                return;
            }
            received.incrementAndGet();
            if (!firstPacket.isDone()) {
                if (counted) setupNs.add(nowNs - postNs);
                firstPacket.complete(null);
            }
            CompletableFuture<Void> next = nextPacket;
            if (!next.isDone()) next.complete(null);
            addSample(latency, nowNs - packet.getLong(at));
            int layer = video ? Math.min(packet.getUnsignedByte(at + 14), LoadOptions.RIDS.size() - 1) : 0;
            // A frame's first packet (the descriptor's S bit): frames, unlike packets, count time on a layer whatever its bitrate.
            if (video && (packet.getByte(at - 2) & 0x10) != 0) windowCounts.lazySet(1 + layer, windowCounts.get(1 + layer) + 1);
            track(from, video ? 1 : 0, layer, packet.getUnsignedInt(at + 10));
        }

        /** Notes the packet's transport-wide number; the first one after a feedback arms the next. */
        private void recordTransportCc(WebRtcTransport t, long nowNs) {
            long found = rtp.findExtension(ClientOffer.EXT_TRANSPORT_CC);
            if (found == RtpPacket.NOT_FOUND || RtpPacket.foundLength(found) != 2) return;
            int seq = rtp.buffer().getUnsignedShort(RtpPacket.foundOffset(found));
            if (transportCc.onPacket(seq, rtp.ssrc(), nowNs)) {
                t.eventLoop().schedule(this::sendTransportCc, TransportCcReceiver.INTERVAL_NS, TimeUnit.NANOSECONDS);
            }
        }

        private void sendTransportCc() {
            long now = System.nanoTime();
            long due = transportCc.nextFeedbackNs();
            // The executor may run a hair before the receiver's own deadline; it is the same deadline.
            if (due != Long.MAX_VALUE && now - due < 0) now = due;
            transportCc.sendDue(now, feedbackSsrc, PooledByteBufAllocator.DEFAULT, 16, transport::sendRtcp);
        }

        /**
         * Loss per publisher stream: every packet names its publisher and carries that stream's counter, so
         * a subscriber knows which of the publisher's packets it never got, the tail after a failure included,
         * whatever the server does to SSRCs and sequence numbers.
         */
        private void track(int publisherIndex, int kind, int layer, long counter) {
            long key = (long) publisherIndex << 1 | kind;
            int n = streams;
            int s = 0;
            while (s < n && streamKey[s] != key) s++;
            if (s == n) {
                if (n == streamKey.length) return;
                streamKey[s] = key;
                streamDoneExpected[s] = 0;
                streamDoneGot[s] = 0;
                startRun(s, layer, counter);
                streams = n + 1;
            } else if (layer != streamLayer[s]) {
                // The server switched this stream to another simulcast layer: the old layer's run ends where it
                // last arrived, the new one counts from here.
                long e = Math.max(0, streamLast[s] - streamFirst[s] + 1);
                streamDoneExpected[s] += e;
                streamDoneGot[s] += Math.min(e, streamCount[s]);
                startRun(s, layer, counter);
            }
            if (counter < streamFirst[s]) streamFirst[s] = counter;
            if (counter > streamLast[s]) streamLast[s] = counter;
            streamCount[s]++;
        }

        private void startRun(int s, int layer, long counter) {
            streamLayer[s] = layer;
            streamFirst[s] = counter;
            streamLast[s] = counter;
            streamCount[s] = 0;
        }

        /**
         * Packets of the streams this subscriber receives that were sent since it first saw each (for a simulcast
         * layer it was switched away from, up to the last one of it that arrived), and how many arrived.
         */
        long[] expectedAndReceived() {
            long expected = 0;
            long got = 0;
            int n = streams;
            for (int s = 0; s < n; s++) {
                Peer source = publishers.get((int) (streamKey[s] >> 1));
                int kind = (int) (streamKey[s] & 1);
                long sentUpTo = source.streamSent.get(kind == 0 ? 0 : 1 + streamLayer[s]);
                long e = Math.max(0, sentUpTo - streamFirst[s]);
                expected += e + streamDoneExpected[s];
                got += Math.min(e, streamCount[s]) + streamDoneGot[s];
            }
            return new long[] {expected, got};
        }

        /** A publisher answers a PLI or FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1) with a keyframe on the stream it names. */
        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (!publisher || !compound.wrap(packet, packet.readerIndex(), packet.readableBytes())) return;
            while (compound.next()) {
                if (compound.packetType() != dev.junction.codec.rtcp.RtcpType.PSFB) continue;
                if (pli.wrap(packet, compound.offset(), compound.length())) {
                    askKeyframe(pli.mediaSsrc());
                } else if (fir.wrap(packet, compound.offset(), compound.length())) {
                    for (int i = 0; i < fir.entryCount(); i++) askKeyframe(fir.ssrc(i));
                }
            }
        }

        private void askKeyframe(long ssrc) {
            if (layerSsrc == null) {
                if (ssrc == offer.videoSsrc()) keyframeAsked[0] = true;
                return;
            }
            for (int i = 0; i < layerSsrc.length; i++) if (layerSsrc[i] == ssrc) keyframeAsked[i] = true;
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            if (!connected.isDone()) connected.completeExceptionally(new NotConnected(reason));
        }

        @Override
        public void leave() {
            if (sender != null) sender.cancel(false);
            // DELETE first, as a WHIP/WHEP client does: a close_notify racing ahead would end the session and
            // make the DELETE a 404.
            if (location != null) {
                HttpRequest.Builder delete = HttpRequest.newBuilder(endpoint.resolve(location)).timeout(Duration.ofSeconds(5)).DELETE();
                if (!options.token().isEmpty()) delete.header("Authorization", "Bearer " + options.token());
                try {
                    httpSlots.acquire();
                    try {
                        http.send(delete.build(), HttpResponse.BodyHandlers.discarding());
                    } finally {
                        httpSlots.release();
                    }
                } catch (Exception e) {
                    // The server may be gone (that is a result too); nothing to free here.
                }
            }
            if (transport != null) {
                transport.eventLoop().execute(() -> {
                    transport.close("load test over");
                    socket.flush();
                    socket.close();
                    if (turn != null) turn.closeAsync();
                    if (downlink != null) pumps[loop].remove(downlink);
                });
            } else {
                socket.close();
                if (tcp != null) tcp.close();
                if (turn != null) turn.closeAsync();
                if (downlink != null) pumps[loop].remove(downlink);
            }
        }

        @Override
        public CompletableFuture<Void> firstPacket() {
            return firstPacket;
        }

        @Override
        public CompletableFuture<Void> nextPacket() {
            return nextPacket;
        }

        @Override
        public int localPort() {
            return socket.localAddress().getPort();
        }

        /**
         * Gone without a word, as a closed laptop or a crashed tab: no DELETE, no close_notify (the socket closes
         * first, so the transport's farewell goes nowhere). Only consent expiry frees the server's session.
         */
        @Override
        public void vanish() {
            if (sender != null) sender.cancel(false);
            socket.eventLoop().execute(() -> {
                socket.close();
                if (tcp != null) tcp.close();
                if (turn != null) turn.closeAsync();
                if (transport != null) transport.close("vanished");
            });
            // Off the loop, return once the port is free again: a new session may bind it next (churn's reuse).
            if (!socket.eventLoop().inEventLoop()) socket.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        /**
         * An ICE restart (RFC 9725 §4.3): new credentials in a PATCH with {@code If-Match: *}, the server's new
         * ones from its answer fragment, then the transport's checks continue with both.
         */
        @Override
        public void restartIce() {
            IceCredentials fresh = IceCredentials.generate(random);
            String fragment = "a=ice-ufrag:" + fresh.ufrag() + "\r\na=ice-pwd:" + fresh.pwd() + "\r\n"
                    + "m=audio 9 UDP/TLS/RTP/SAVPF " + ClientOffer.OPUS_PT + "\r\na=mid:0\r\n";
            HttpRequest.Builder patch = HttpRequest.newBuilder(endpoint.resolve(location)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/trickle-ice-sdpfrag").header("If-Match", "*")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment));
            if (!options.token().isEmpty()) patch.header("Authorization", "Bearer " + options.token());
            HttpResponse<String> response;
            try {
                httpSlots.acquire();
                try {
                    response = http.send(patch.build(), HttpResponse.BodyHandlers.ofString());
                } finally {
                    httpSlots.release();
                }
            } catch (Exception e) {
                throw new NotConnected("PATCH " + location + " failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
            if (response.statusCode() != 200) {
                throw new NotConnected("ICE restart PATCH answered " + response.statusCode() + ": " + response.body().strip());
            }
            TrickleFragment.Result parsed = TrickleFragment.parse(response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (!(parsed instanceof TrickleFragment.Parsed answer) || answer.fragment().credentials().isEmpty()) {
                throw new NotConnected("ICE restart answer is not a fragment with credentials: " + response.body().strip());
            }
            nextPacket = new CompletableFuture<>();
            transport.restartIceAsync(fresh, answer.fragment().credentials().get());
        }
    }

    // ---- figures --------------------------------------------------------------------------------------------

    private double lossPct(List<Peer> subscribers) {
        long expected = 0;
        long got = 0;
        for (Peer p : subscribers) {
            long[] eg = p.expectedAndReceived();
            expected += eg[0];
            got += eg[1];
        }
        return expected == 0 ? 0 : Math.max(0, 100.0 * (expected - got) / expected);
    }

    /** The room of publisher {@code index} ({@link #join} numbers them room by room), or -1 for no publisher of ours. */
    private int roomOf(int index) {
        int perRoom = options.publishers();
        return perRoom == 0 || index >= perRoom * options.rooms() ? -1 : index / perRoom;
    }

    private static void addSample(AtomicLongArray histogram, long latencyNs) {
        long us = latencyNs / 1000;
        if (us >= 0) histogram.incrementAndGet((int) Math.min(LATENCY_BUCKETS, us / LATENCY_BUCKET_US));
    }

    /** Empties a histogram at the window's start; a sample landing during the sweep may survive, harmlessly. */
    private static void clear(AtomicLongArray histogram) {
        for (int i = 0; i < histogram.length(); i++) histogram.set(i, 0);
    }

    private static long total(AtomicLongArray histogram) {
        long total = 0;
        for (int i = 0; i < histogram.length(); i++) total += histogram.get(i);
        return total;
    }

    private static double percentileMs(AtomicLongArray latency, double q) {
        long total = total(latency);
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i <= LATENCY_BUCKETS; i++) {
            seen += latency.get(i);
            if (seen >= rank) return (i * LATENCY_BUCKET_US + LATENCY_BUCKET_US / 2.0) / 1000.0;
        }
        return LATENCY_BUCKETS * LATENCY_BUCKET_US / 1000.0;
    }

    static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return 0;
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /** utime + stime of the server process in clock ticks (/proc/PID/stat fields 14 and 15), or -1. */
    private long serverCpuTicks() {
        if (options.serverPid() <= 0) return -1;
        try {
            String stat = Files.readString(Path.of("/proc/" + options.serverPid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    private static long clockTicksPerSecond() {
        return 100; // USER_HZ on Linux
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static void awaitQuietly(CompletableFuture<?> future, long seconds, String what) {
        try {
            future.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw new NotConnected(what + ": " + (cause == null ? e.getMessage() : cause.getMessage()));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new NotConnected(what + " within " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotConnected("interrupted");
        }
    }

    static void sleepUntil(long deadlineNs) {
        long wait;
        while ((wait = deadlineNs - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }
}
