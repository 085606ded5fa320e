package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.MediaSettings;
import dev.junction.gateway.http.HttpApi;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /metrics over real HTTP for sessions over real UDP with client-role peers (ICE, DTLS, SRTP): the setup-time
 * histogram observes exactly the sessions media flowed on, and the room counters are exported and survive
 * their room. One media loop, so a new room shares the loop (and its published totals) with a removed one.
 */
class SessionMetricsTest {

    private static final DtlsCertificate PEER_CERT = DtlsCertificate.generate();
    private static final MediaSettings PEER_SOCKET = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
    private static final String SETUP = "junction_session_setup_seconds";
    private static final String CONNECT = "junction_session_connect_seconds";
    private static final long ROOM_GRACE_MS = 50;

    private MediaSessions sessions;
    private Vertx vertx;
    private int httpPort;
    private HttpClient http;
    private final List<Peer> peers = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    @BeforeEach
    void start() throws Exception {
        JunctionConfig config = ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"});
        sessions = MediaSessions.start(config, WebRtcTransport.Options.DEFAULT, ROOM_GRACE_MS);
        vertx = Vertx.vertx();
        HttpServer server = new HttpApi(config.http(), sessions.service(), sessions.metrics())
                .attach(vertx, vertx.createHttpServer(HttpApi.serverOptions(config.http())))
                .listen().await(10, TimeUnit.SECONDS);
        httpPort = server.actualPort();
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } finally {
            sessions.close();
            for (Peer p : peers) p.plane.close();
            http.close();
        }
    }

    @Test
    void shouldObserveTheSetupOfExactlyTheSessionsMediaFlowedOn() throws Exception {
        Peer publisher = join("whip", "r1", true);
        Peer subscriber = join("whep", "r1", true);
        Peer silent = join("whep", "r1", false); // answered, but its peer never starts ICE
        assertEquals(3, sessions.sessionCount());
        assertEquals(0, metrics().get(SETUP + "_count"), "connected is not yet media flowing");
        // Connection (SRTP keys) is observed for the two that connected; the server side may finish a moment
        // after the client.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics().get(CONNECT + "_count") < 2 && System.nanoTime() < deadline) Thread.onSpinWait();
        assertEquals(2, metrics().get(CONNECT + "_count"), "the silent session never connected");
        assertEquals(2, metrics().get(CONNECT + "_bucket{le=\"+Inf\"}"));
        assertTrue(metrics().get(CONNECT + "_sum") > 0);

        for (int i = 0; i < 10; i++) publisher.sendVideo(i);
        assertEquals(10, subscriber.awaitRtp(10), "media reached the subscriber");

        // Recorded before the packet left the server: no waiting needed.
        Map<String, Double> m = metrics();
        assertEquals(2, m.get(SETUP + "_count"), "the publisher's first packet in and the subscriber's first out");
        double previous = 0;
        for (String le : List.of("0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "+Inf")) {
            Double bucket = m.get(SETUP + "_bucket{le=\"" + le + "\"}");
            assertNotNull(bucket, "bucket le=" + le);
            assertTrue(bucket >= previous, "cumulative at le=" + le);
            previous = bucket;
        }
        assertEquals(2, previous, "+Inf equals the count");
        double sum = m.get(SETUP + "_sum");
        assertTrue(sum > 0 && sum < 60, "sum of two setups in seconds: " + sum);

        // More media and the end of the silent session change nothing.
        for (int i = 10; i < 20; i++) publisher.sendVideo(i);
        assertEquals(10, subscriber.awaitRtp(10));
        assertEquals(200, delete(silent));
        assertEquals(2, sessions.sessionCount());
        assertEquals(2, metrics().get(SETUP + "_count"), "once per session, and never for one without media");
        assertEquals(sum, metrics().get(SETUP + "_sum"));
    }

    @Test
    void shouldExportRoomCountersThatGrowWithForwardingAndOutliveTheRoom() throws Exception {
        Peer publisher = join("whip", "r2", true);
        Peer subscriber = join("whep", "r2", true);
        join("whep", "r2", false); // its video slot refuses every packet: not connected

        for (int i = 0; i < 20; i++) publisher.sendVideo(i);
        assertEquals(20, subscriber.awaitRtp(20));
        Map<String, Double> m = awaitMetrics(s -> s.get("junction_room_rtp_forwarded_total") == 20);
        assertEquals(20, m.get("junction_room_rtp_in_total"));
        assertEquals(20, m.get("junction_room_dropped_total{reason=\"send_refused\"}"), "one refused copy per packet for the silent subscriber");
        assertTrue(m.get("junction_room_bytes_forwarded_total") >= 20 * 1000, "about 1 kB per copy");

        for (int i = 20; i < 30; i++) publisher.sendVideo(i);
        assertEquals(10, subscriber.awaitRtp(10));
        m = awaitMetrics(s -> s.get("junction_room_rtp_forwarded_total") == 30);
        assertEquals(30, m.get("junction_room_rtp_in_total"));

        // Everyone leaves; the room is removed after its grace period, and its counts stay in the totals.
        for (Peer p : List.copyOf(peers)) assertEquals(200, delete(p));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sessions.roomCount() > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
        assertEquals(0, sessions.roomCount());

        // A new room on the same loop: once its packet shows, the loop has published after the removal.
        Peer next = join("whip", "r3", true);
        next.sendVideo(0);
        m = awaitMetrics(s -> s.get("junction_room_rtp_in_total") != 30);
        assertEquals(31, m.get("junction_room_rtp_in_total"), "the removed room's 30 plus the new room's 1");
        assertEquals(30, m.get("junction_room_rtp_forwarded_total"));
    }

    @Test
    void shouldRemoveARoomWhoseOnlyOfferWasRefused() throws Exception {
        assertEquals(400, post("/whip/refused", "v=0\r\nnot sdp\r\n").statusCode());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sessions.roomCount() > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
        assertEquals(0, sessions.roomCount(), "the room made for the refused offer is gone");
    }

    // ---- harness ----------------------------------------------------------------------------------------

    /** Every sample of one scrape, by name with labels. */
    private Map<String, Double> metrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /** Scrapes until {@code done} holds (the room totals are published by their loop every 100 ms). */
    private Map<String, Double> awaitMetrics(Predicate<Map<String, Double>> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> m = metrics();
        while (!done.test(m) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
            m = metrics();
        }
        assertTrue(done.test(m), "metrics never got there: " + m);
        return m;
    }

    private HttpResponse<String> post(String path, String sdp) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int delete(Peer peer) throws Exception {
        peers.remove(peer);
        peer.plane.close();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + peer.location)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** POSTs an offer; when {@code connect}, runs the peer's ICE and DTLS and waits until the server is connected too. */
    private Peer join(String kind, String room, boolean connect) throws Exception {
        Peer peer = new Peer();
        peers.add(peer);
        peer.plane = MediaPlane.start(PEER_SOCKET, i -> peer.demux);
        var local = peer.plane.sockets().get(0).localAddress();
        peer.offer = kind.equals("whip") ? ClientOffer.publisher(PEER_CERT.fingerprint(), local, random)
                : ClientOffer.subscriber(PEER_CERT.fingerprint(), local, random);
        HttpResponse<String> response = post("/" + kind + "/" + room, peer.offer.sdp());
        assertEquals(201, response.statusCode(), response.body());
        peer.location = response.headers().firstValue("Location").orElseThrow();
        if (!connect) return peer;
        int connectedBefore = sessions.connectedSessionCount();
        ServerAnswer answer = ServerAnswer.parse(response.body());
        peer.transport = WebRtcTransport.client(peer.plane.sockets().get(0), peer.demux, peer.offer.ice(), answer.ice(),
                answer.candidates(), PEER_CERT, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(peers.size()), peer);
        peer.transport.start();
        assertNotNull(peer.connected.get(20, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sessions.connectedSessionCount() <= connectedBefore && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
        assertEquals(connectedBefore + 1, sessions.connectedSessionCount(), "server side connected");
        return peer;
    }

    /** A client-role peer with its own socket, as a browser has. */
    private static final class Peer implements WebRtcTransport.Listener {
        final MediaDemux demux = new MediaDemux();
        final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
        final AtomicInteger rtpReceived = new AtomicInteger();
        int rtpAwaited;
        MediaPlane plane;
        ClientOffer offer;
        String location;
        WebRtcTransport transport;

        /** A VP8-shaped packet with 1000 bytes of payload on the offer's video SSRC. */
        void sendVideo(int seq) throws Exception {
            transport.eventLoop().submit(() -> {
                ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
                p.writeByte(0x80).writeByte(ClientOffer.VP8_PT).writeShort(seq).writeInt(seq * 3000).writeInt((int) offer.videoSsrc());
                p.writeByte(0x10).writeByte(seq == 0 ? 0x00 : 0x01).writeZero(1000);
                transport.sendRtp(p);
            }).get(5, TimeUnit.SECONDS);
        }

        /** Waits for {@code count} more RTP packets (at most 10 s); returns how many more came. */
        int awaitRtp(int count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rtpReceived.get() < rtpAwaited + count && System.nanoTime() < deadline) LockSupport.parkNanos(1_000_000);
            int got = rtpReceived.get() - rtpAwaited;
            rtpAwaited += got;
            return got;
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connected.complete(t);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            rtpReceived.incrementAndGet();
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
        }
    }
}
