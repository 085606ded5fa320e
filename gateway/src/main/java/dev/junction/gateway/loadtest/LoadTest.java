package dev.junction.gateway.loadtest;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.AesBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code ./junction loadtest}: publishers and subscribers that are real WebRTC peers (ICE, DTLS, SRTP, the
 * client role of the transport) against any WHIP/WHEP server. Publishers send VP8-shaped video (a keyframe
 * every 2 s) and Opus-shaped audio (50 packets/s); every packet carries its send time, so subscribers
 * measure one-way latency through the server. One progress line per second on stderr, one JSON result
 * line on stdout (fields in {@link #result}). Exit status 0 when the run completed, 1 with a one-line
 * reason when peers could not connect, 2 for bad options. Bounded in peers and time; stops by itself.
 */
public final class LoadTest {

    static final int EXIT_OK = 0;
    static final int EXIT_NOT_CONNECTED = 1;
    static final int EXIT_USAGE = 2;
    private static final long TICK_NS = 20_000_000L;
    private static final long CONNECT_TIMEOUT_S = 30;
    private static final int LATENCY_BUCKET_US = 10;
    private static final int LATENCY_BUCKETS = 100_000; // 10 µs each, up to 1 s

    private final LoadOptions options;
    private final PrintStream progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final SecureRandom random = new SecureRandom();
    private final DtlsCertificate certificate = DtlsCertificate.generate();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS + 1);
    private final List<Long> setupNs = Collections.synchronizedList(new ArrayList<>());
    private final List<Peer> peers = Collections.synchronizedList(new ArrayList<>());
    private final List<Peer> publishers = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.ExecutorService joiners = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private MediaPlane plane;

    LoadTest(LoadOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    public static void main(String[] args) {
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
            status = EXIT_OK;
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
        plane = MediaPlane.start(new MediaSettings("0.0.0.0", 0, Math.max(1, Runtime.getRuntime().availableProcessors()), List.of("127.0.0.1")),
                i -> (s, c, f, n) -> { });
        try {
            for (Peer p : join(true, options.publishers())) p.startSending();
            List<Peer> subscribers = join(false, options.subscribers());
            long burstMs = -1;
            if (options.joinBurst() > 0) {
                long startNs = System.nanoTime();
                List<Peer> burst = join(false, options.joinBurst());
                for (Peer p : burst) awaitQuietly(p.firstPacket, CONNECT_TIMEOUT_S, "a join-burst subscriber received nothing");
                burstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                subscribers = new ArrayList<>(subscribers);
                subscribers.addAll(burst);
            }
            long sent0 = sent.get();
            long received0 = received.get();
            long cpu0 = serverCpuTicks();
            long startNs = System.nanoTime();
            for (Peer s : subscribers) s.resetLoss();
            long lastSent = sent0;
            long lastReceived = received0;
            for (int second = 1; second <= options.seconds(); second++) {
                sleepUntil(startNs + TimeUnit.SECONDS.toNanos(second));
                long nowSent = sent.get();
                long nowReceived = received.get();
                progress.printf(Locale.ROOT, "loadtest: %ds connected %d/%d, out %d pkt/s, in %d pkt/s, loss %.2f%%, latency p50 %.3f ms p99 %.3f ms%n",
                        second, connectedCount(), peers.size(), nowSent - lastSent, nowReceived - lastReceived,
                        lossPct(subscribers), percentileMs(0.50), percentileMs(0.99));
                lastSent = nowSent;
                lastReceived = nowReceived;
            }
            double elapsedS = (System.nanoTime() - startNs) / 1e9;
            long cpu1 = serverCpuTicks();
            long packetsSent = sent.get() - sent0;
            long packetsReceived = received.get() - received0;
            for (Peer p : List.copyOf(publishers)) if (p.sender != null) p.sender.cancel(false);
            sleepUntil(System.nanoTime() + 200_000_000L); // packets in flight land before loss is counted
            return result(packetsSent, packetsReceived, lossPct(subscribers), burstMs, cpu0, cpu1, elapsedS);
        } finally {
            for (Peer p : List.copyOf(peers)) p.leave();
            joiners.shutdownNow();
            plane.close();
        }
    }

    private String result(long packetsSent, long packetsReceived, double lossPct, long burstMs, long cpu0, long cpu1, double elapsedS) {
        List<Long> setups = new ArrayList<>(setupNs);
        Collections.sort(setups);
        JsonObject json = new JsonObject()
                .put("publishers", options.publishers())
                .put("subscribers", options.subscribers() + options.joinBurst())
                .put("seconds", options.seconds())
                .put("packets_sent", packetsSent)
                .put("packets_received", packetsReceived)
                .put("loss_pct", round(lossPct, 3))
                .put("latency_ms_p50", round(percentileMs(0.50), 3))
                .put("latency_ms_p99", round(percentileMs(0.99), 3))
                .put("setup_ms_p50", round(percentile(setups, 0.50) / 1e6, 1))
                .put("setup_ms_p99", round(percentile(setups, 0.99) / 1e6, 1))
                .put("join_burst_ms", burstMs < 0 ? null : burstMs);
        if (options.serverPid() > 0 && cpu0 >= 0 && cpu1 >= 0) {
            double cpuS = (cpu1 - cpu0) / (double) clockTicksPerSecond();
            json.put("server_cpu_s", round(cpuS, 3))
                    .put("server_cpu_us_per_packet_out", packetsReceived == 0 ? null : round(cpuS * 1e6 / packetsReceived, 3));
        }
        return json.put("elapsed_s", round(elapsedS, 3)).encode();
    }

    // ---- peers ----------------------------------------------------------------------------------------------

    private List<Peer> join(boolean publish, int count) {
        List<Peer> joined = new ArrayList<>(count);
        List<CompletableFuture<Void>> ready = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Peer p = new Peer(publish, peers.size() % plane.sockets().size(), publish ? publishers.size() : -1);
            if (publish) publishers.add(p);
            peers.add(p);
            joined.add(p);
            ready.add(CompletableFuture.runAsync(p::connect, joiners)); // blocking HTTP: one virtual thread per join
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
    private final class Peer implements WebRtcTransport.Listener {
        final boolean publisher;
        /** For publishers: their number, written into every packet with a per-stream counter. */
        final int index;
        /** Packets sent so far per stream (0 audio, 1 video); written on the peer's loop. */
        final AtomicLongArray streamSent = new AtomicLongArray(2);
        final MediaDemux demux = new MediaDemux();
        final MediaSocket socket;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<Void> firstPacket = new CompletableFuture<>();
        final RtpPacket rtp = new RtpPacket();
        final long[] streamKey = new long[8];
        final long[] streamFirst = new long[8];
        final long[] streamCount = new long[8];
        int streams;
        volatile long postNs;
        ClientOffer offer;
        String location;
        WebRtcTransport transport;
        ScheduledFuture<?> sender;
        int seq;
        int audioSeq;
        long tick;

        Peer(boolean publisher, int loop, int index) {
            this.publisher = publisher;
            this.index = index;
            this.socket = plane.open(loop, new InetSocketAddress("0.0.0.0", 0), demux);
        }

        void connect() {
            // The offer's candidate; an ICE-lite server answers checks from wherever they come, so the port is what counts.
            InetSocketAddress local = new InetSocketAddress("127.0.0.1", socket.localAddress().getPort());
            offer = publisher ? ClientOffer.publisher(certificate.fingerprint(), local, random, true)
                    : ClientOffer.subscriber(certificate.fingerprint(), local, random);
            String path = (publisher ? options.whipPath() : options.whepPath()).replace("{room}", options.room());
            postNs = System.nanoTime();
            HttpRequest.Builder request = HttpRequest.newBuilder(options.target().resolve(path)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer.sdp()));
            if (!options.token().isEmpty()) request.header("Authorization", "Bearer " + options.token());
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new NotConnected("POST " + path + " failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
            if (response.statusCode() != 201) {
                throw new NotConnected("POST " + path + " answered " + response.statusCode() + ": " + response.body().strip());
            }
            location = response.headers().firstValue("Location").orElse(null);
            ServerAnswer answer = ServerAnswer.parse(response.body());
            transport = WebRtcTransport.client(socket, demux, offer.ice(), answer.ice(), answer.candidates(), certificate,
                    answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(random.nextLong()), this);
            transport.start();
        }

        void startSending() {
            sender = transport.eventLoop().scheduleAtFixedRate(this::sendTick, 0, TICK_NS, TimeUnit.NANOSECONDS);
        }

        /** One 20 ms tick: an Opus-shaped packet and this tick's share of the video bitrate as one frame. */
        private void sendTick() {
            long nowNs = System.nanoTime();
            if (options.audio()) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.heapBuffer(12 + 100 + 16);
                a.writeByte(0x80).writeByte(ClientOffer.OPUS_PT).writeShort(audioSeq++).writeInt((int) (tick * 960)).writeInt((int) offer.audioSsrc());
                a.writeLong(nowNs).writeShort(index).writeInt((int) streamSent.get(0)).writeZero(86);
                if (transport.sendRtp(a)) sent.incrementAndGet();
                streamSent.lazySet(0, streamSent.get(0) + 1);
            }
            int payload = options.packetSize() - 12;
            long bytesPerTick = (long) options.videoKbps() * 1000 / 8 / 50;
            int packets = (int) Math.max(options.videoKbps() > 0 ? 1 : 0, (bytesPerTick + payload - 1) / payload);
            boolean keyframe = tick % 100 == 0;
            for (int i = 0; i < packets; i++) {
                ByteBuf v = PooledByteBufAllocator.DEFAULT.heapBuffer(options.packetSize() + 16);
                boolean last = i == packets - 1;
                v.writeByte(0x80).writeByte((last ? 0x80 : 0) | ClientOffer.VP8_PT).writeShort(seq++)
                        .writeInt((int) (tick * 1800)).writeInt((int) offer.videoSsrc());
                // VP8 payload descriptor (RFC 7741 §4.2): S on the frame's first packet; then P=0 marks a keyframe.
                v.writeByte(i == 0 ? 0x10 : 0x00).writeByte(keyframe ? 0x00 : 0x01).writeLong(nowNs)
                        .writeShort(index).writeInt((int) streamSent.get(1));
                v.writeZero(payload - 16);
                if (transport.sendRtp(v)) sent.incrementAndGet();
                streamSent.lazySet(1, streamSent.get(1) + 1);
            }
            tick++;
        }

        void resetLoss() {
            transport.eventLoop().execute(() -> streams = 0);
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            if (publisher) setupNs.add(System.nanoTime() - postNs);
            connected.complete(null);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (!rtp.wrap(packet, packet.readerIndex(), packet.readableBytes())) return;
            int pt = rtp.payloadType();
            boolean video = pt == ClientOffer.VP8_PT;
            if (!video && pt != ClientOffer.OPUS_PT) return; // RTX and anything else: not counted
            received.incrementAndGet();
            if (!firstPacket.isDone()) {
                setupNs.add(nowNs - postNs);
                firstPacket.complete(null);
            }
            int at = rtp.payloadOffset() + (video ? 2 : 0);
            if (rtp.payloadLength() < (video ? 16 : 14)) return; // not one of ours
            long us = (nowNs - packet.getLong(at)) / 1000;
            if (us >= 0) latency.incrementAndGet((int) Math.min(LATENCY_BUCKETS, us / LATENCY_BUCKET_US));
            track(packet.getUnsignedShort(at + 8), video ? 1 : 0, packet.getUnsignedInt(at + 10));
        }

        /**
         * Loss per publisher stream: every packet names its publisher and carries that stream's counter, so
         * a subscriber knows which of the publisher's packets it never got, the tail after a failure included,
         * whatever the server does to SSRCs and sequence numbers.
         */
        private void track(int publisherIndex, int kind, long counter) {
            long key = (long) publisherIndex << 1 | kind;
            int s = 0;
            while (s < streams && streamKey[s] != key) s++;
            if (s == streams) {
                if (streams == streamKey.length) return;
                streams++;
                streamKey[s] = key;
                streamFirst[s] = counter;
                streamCount[s] = 0;
            }
            if (counter < streamFirst[s]) streamFirst[s] = counter;
            streamCount[s]++;
        }

        /** Packets of the streams this subscriber receives that were sent since it first saw each, and how many arrived. */
        long[] expectedAndReceived() {
            long expected = 0;
            long got = 0;
            for (int s = 0; s < streams; s++) {
                Peer source = publishers.get((int) (streamKey[s] >> 1));
                long sentUpTo = source.streamSent.get((int) (streamKey[s] & 1));
                long e = Math.max(0, sentUpTo - streamFirst[s]);
                expected += e;
                got += Math.min(e, streamCount[s]);
            }
            return new long[] {expected, got};
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            if (!connected.isDone()) connected.completeExceptionally(new NotConnected(reason));
        }

        void leave() {
            if (sender != null) sender.cancel(false);
            if (transport != null) transport.closeAsync("load test over");
            if (location != null) {
                HttpRequest.Builder delete = HttpRequest.newBuilder(options.target().resolve(location)).timeout(Duration.ofSeconds(5)).DELETE();
                if (!options.token().isEmpty()) delete.header("Authorization", "Bearer " + options.token());
                try {
                    http.send(delete.build(), HttpResponse.BodyHandlers.discarding());
                } catch (Exception e) {
                    // The server may be gone (that is a result too); nothing to free here.
                }
            }
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

    private double percentileMs(double q) {
        long total = 0;
        for (int i = 0; i <= LATENCY_BUCKETS; i++) total += latency.get(i);
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i <= LATENCY_BUCKETS; i++) {
            seen += latency.get(i);
            if (seen >= rank) return (i * LATENCY_BUCKET_US + LATENCY_BUCKET_US / 2.0) / 1000.0;
        }
        return LATENCY_BUCKETS * LATENCY_BUCKET_US / 1000.0;
    }

    private static double percentile(List<Long> sorted, double q) {
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

    private static double round(double v, int digits) {
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

    private static void sleepUntil(long deadlineNs) {
        long wait;
        while ((wait = deadlineNs - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }
}
