package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.config.ConfigLoader;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.sdp.jsep.TrickleFragment;
import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.KernelUdpTable;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WHIP and WHEP end to end over loopback with client-role peers: real HTTP, the real answerer, ICE, DTLS,
 * SRTP and the room's forwarding.
 */
class WhipWhepLoopbackTest {

    private static final DtlsCertificate PEER_CERT = DtlsCertificate.generate();
    private static final MediaSettings PEER_SOCKET = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
    /** A short consent timeout for the vanishing test; our client checks every 4-6 s (RFC 7675), so at least 10 s. */
    private static final long CONSENT_MS = 10_000;

    private JunctionServer server;
    private HttpClient http;
    private final List<Peer> peers = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /** These tests exercise rooms spread over both loops (pipes): spread from the first subscriber. */
    private static final String[] TWO_LOOPS = {"--http-port", "0", "--media-port", "0", "--media-loops", "2", "--spread-after", "0"};

    @BeforeEach
    void start() {
        server = JunctionServer.start(ConfigLoader.load(TWO_LOOPS));
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        for (Peer p : peers) p.plane.close();
        server.close();
        http.close();
    }

    @Test
    void shouldForwardOnePublisherToThreeSubscribersWithContinuousSequenceNumbers() throws Exception {
        Peer publisher = join("whip", "room1");
        List<Peer> subscribers = List.of(join("whep", "room1"), join("whep", "room1"), join("whep", "room1"));
        assertEquals(4, server.sessions().sessionCount());
        // One room over both media loops: subscribers are dealt round-robin from the publisher's (home) loop,
        // so the broadcast's encryption and sending uses both cores (packets relayed once per loop).
        assertEquals(List.of(publisher.serverPort, subscribers.get(1).serverPort, publisher.serverPort),
                subscribers.stream().map(p -> p.serverPort).toList());
        assertTrue(subscribers.get(1).serverPort != publisher.serverPort);

        int packets = 200;
        for (int i = 0; i < packets; i++) publisher.sendVideo(i);
        for (Peer s : subscribers) {
            List<byte[]> got = s.awaitRtp(packets, 10);
            assertEquals(packets, got.size(), "every packet reached the subscriber");
            long ssrc = ssrc(got.get(0));
            int firstSeq = seq(got.get(0));
            for (int i = 0; i < got.size(); i++) {
                assertEquals(ssrc, ssrc(got.get(i)), "one SSRC per slot");
                assertEquals((firstSeq + i) & 0xFFFF, seq(got.get(i)), "continuous sequence numbers at packet " + i);
            }
            assertTrue(ssrc != publisher.offer.videoSsrc(), "the subscriber sees its slot's SSRC, not the publisher's");
        }
    }

    /**
     * Issue 15: a small room stays on its home loop (no pipe, no second wake-up); from the {@code --spread-after}th
     * subscriber on, new ones go to the least-loaded loop, and every subscriber still gets every packet.
     */
    @Test
    void shouldKeepASmallRoomOnItsHomeLoopAndSpreadPastTheThreshold() throws Exception {
        server.close();
        server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "2",
                "--spread-after", "2"}));
        Peer publisher = join("whip", "small");
        List<Peer> subscribers = List.of(join("whep", "small"), join("whep", "small"), join("whep", "small"));
        assertEquals(loopOf(publisher), loopOf(subscribers.get(0)), "the first two subscribers sit on the home loop");
        assertEquals(loopOf(publisher), loopOf(subscribers.get(1)));
        assertTrue(loopOf(subscribers.get(3 - 1)) == loopOf(publisher), "the third is the first dealt round-robin: home");
        Peer fourth = join("whep", "small");
        assertTrue(loopOf(fourth) != loopOf(publisher), "the fourth goes to the other loop");
        for (int i = 0; i < 50; i++) publisher.sendVideo(i);
        for (Peer s : subscribers) assertEquals(50, s.awaitRtp(50, 10).size());
        assertEquals(50, fourth.awaitRtp(50, 10).size(), "through the pipe to the other loop");

        // A second room is homed on the loop with fewer sessions: the other one.
        Peer other = join("whip", "second");
        assertTrue(loopOf(other) != loopOf(publisher), "homed on the least-loaded loop (1 session against 4)");
        List<Integer> expected = new ArrayList<>(List.of(0, 0));
        expected.set(loopOf(publisher), 1); // "small"
        expected.set(loopOf(other), 2); // "small" for the fourth subscriber, and "second"
        assertEquals(expected, server.sessions().roomsPerLoop());
    }

    @Test
    void shouldRefillAFreedSlotFromTheNextPublisherWithoutRenegotiation() throws Exception {
        Peer first = join("whip", "room4");
        Peer subscriber = join("whep", "room4");
        for (int i = 0; i < 20; i++) first.sendVideo(i);
        List<byte[]> before = subscriber.awaitRtp(20, 10);
        assertEquals(20, before.size());
        long slotSsrc = ssrc(before.get(0));
        int lastSeq = seq(before.get(19));

        // The first publisher leaves: its slot is freed. A second one arrives and fills it.
        assertEquals(200, delete(first).statusCode());
        Peer second = join("whip", "room4");
        for (int i = 0; i < 20; i++) second.sendVideo(5000 + i);
        List<byte[]> after = subscriber.awaitRtp(20, 10);
        assertEquals(20, after.size(), "the subscriber receives the new publisher without a new offer");
        for (int i = 0; i < after.size(); i++) {
            assertEquals(slotSsrc, ssrc(after.get(i)), "same slot SSRC");
            assertEquals((lastSeq + 1 + i) & 0xFFFF, seq(after.get(i)), "numbering continues across the switch");
        }
    }

    /**
     * Issue 12 faults: a publisher vanishes (no DELETE, no close_notify: its socket is gone). Consent expiry frees
     * its session, and its subscriber's slot refills from the publisher that was waiting, without a new offer;
     * another room's session notices nothing.
     */
    @Test
    void shouldRefillASlotFromAWaitingPublisherWhenTheFirstVanishes() throws Exception {
        server.close();
        server = JunctionServer.start(ConfigLoader.load(TWO_LOOPS),
                new WebRtcTransport.Options(CONSENT_MS, dev.junction.transport.dtls.DtlsSettings.DEFAULT));
        Peer first = join("whip", "vanish");
        Peer waiting = join("whip", "vanish");
        Peer subscriber = join("whep", "vanish");
        Peer otherPublisher = join("whip", "other");
        Peer otherSubscriber = join("whep", "other");
        for (int i = 0; i < 5; i++) first.sendVideo(i);
        assertEquals(5, subscriber.awaitRtp(5, 10).size(), "the first publisher fills the one video slot");
        waiting.sendVideo(0);
        assertEquals(null, subscriber.rtp.poll(300, TimeUnit.MILLISECONDS), "the second one waits for a slot");

        first.plane.close(); // vanished: its socket is gone, nothing more comes from it
        int sessions = server.sessions().sessionCount();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * CONSENT_MS);
        byte[] refilled = null;
        for (int seq = 1; refilled == null; seq++) {
            // The waiting publisher keeps sending keyframes; the slot takes it once consent freed the first.
            assertTrue(System.nanoTime() < deadline, "no refill within " + 3 * CONSENT_MS + " ms; sessions "
                    + server.sessions().sessionCount() + " of " + sessions);
            waiting.sendVideo(seq, true);
            otherPublisher.sendVideo(seq);
            refilled = subscriber.rtp.poll(100, TimeUnit.MILLISECONDS);
        }
        assertEquals(sessions - 1, server.sessions().sessionCount(), "consent expiry closed the vanished publisher's session");
        for (int i = 0; i < 5; i++) waiting.sendVideo(1000 + i);
        assertTrue(subscriber.awaitRtp(5, 10).size() >= 4, "the refilled slot keeps receiving");
        // The other room's subscriber got every packet of its publisher through it all.
        int sent = 0;
        while (otherSubscriber.rtp.poll() != null) sent++;
        for (int i = 0; i < 10; i++) otherPublisher.sendVideo(5000 + i);
        assertEquals(10, otherSubscriber.awaitRtp(10, 10).size(), "the other room notices nothing");
        assertTrue(sent > 0, "the other room kept flowing while consent expired");
    }

    /**
     * Issue 12 faults: a media loop stalls (a long pause, a burst it cannot keep up with) while its publisher keeps
     * sending, so the socket's receive buffer fills and the kernel drops the rest. The server survives it, shows
     * the kernel's drops on /metrics (it never sees those datagrams, so cannot count them itself), and the room
     * carries on once the loop runs again; a room on the other loop notices nothing.
     */
    @Test
    void shouldCarryOnAfterAFullReceiveBufferAndShowTheKernelsDrops() throws Exception {
        Peer publisher = join("whip", "stalled");
        Peer subscriber = join("whep", "stalled");
        Peer calmPublisher = join("whip", "calm"); // the loop with the fewest rooms: the other one
        Peer calmSubscriber = join("whep", "calm");
        int stalled = loopOf(publisher);
        assertEquals(List.of(stalled, 1 - stalled, 1 - stalled), List.of(loopOf(subscriber), loopOf(calmPublisher), loopOf(calmSubscriber)));
        MediaSocket socket = server.sessions().sockets().get(stalled);
        long[] dropsBefore = kernelDrops();

        CompletableFuture<Void> release = new CompletableFuture<>(); // join() waits uninterruptibly
        CountDownLatch holding = new CountDownLatch(1);
        socket.eventLoop().execute(() -> {
            holding.countDown();
            release.join();
        });
        int burst;
        try {
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            // Twice the buffer in payload alone overflows it, whatever the kernel's per-datagram overhead.
            burst = 2 * socket.receiveBufferBytes() / 1000 + 100;
            publisher.sendVideoBurst(0, burst);
            for (int i = 0; i < 50; i++) calmPublisher.sendVideo(i);
            assertEquals(50, calmSubscriber.awaitRtp(50, 20).size(), "the room on the other loop notices nothing");
            // The peer's burst may still be leaving its socket: wait for the overflow, not for a time.
            awaitCondition(() -> KernelUdpTable.read().lookup(socket).drops() > 0,
                    () -> "the stalled loop's receive buffer overflows: " + KernelUdpTable.read().lookup(socket));
        } finally {
            release.complete(null);
        }
        long[] dropsAfter = kernelDrops();
        assertTrue(dropsAfter[stalled] > dropsBefore[stalled], "/metrics shows the kernel's drops on the stalled loop");
        assertEquals(dropsBefore[1 - stalled], dropsAfter[1 - stalled], "and none on the other");

        // Once the loop runs again it works through what was queued, and new media flows as before.
        awaitCondition(() -> KernelUdpTable.read().lookup(socket).receiveQueueBytes() == 0, () -> "the queue drained");
        for (int i = 0; i < 20; i++) publisher.sendVideo(burst + i, i == 0);
        subscriber.awaitMarkers(burst, 20, 20);
        assertEquals(4, server.sessions().connectedSessionCount());
    }

    /**
     * Issue 12 faults: a subscriber stops reading (its process stalls: nothing read, nothing sent) while the room
     * is busy. Its own socket fills and the kernel drops what the server sends it; the server neither notices nor
     * holds anything back for it, the room's other subscribers (one on the same loop and socket, one on the other
     * loop) get every packet, and the stalled one is served again as soon as it reads again.
     */
    @Test
    void shouldKeepServingARoomWhileOneSubscriberStopsReading() throws Exception {
        Peer publisher = join("whip", "reader");
        Peer stuck = join("whep", "reader");
        Peer far = join("whep", "reader");
        Peer near = join("whep", "reader");
        assertEquals(List.of(loopOf(publisher), 1 - loopOf(publisher), loopOf(publisher)), List.of(loopOf(stuck), loopOf(far), loopOf(near)));
        MediaSocket stuckSocket = stuck.plane.sockets().getFirst();
        long serverErrorsBefore = socketErrors();

        CompletableFuture<Void> release = new CompletableFuture<>(); // join() waits uninterruptibly
        CountDownLatch holding = new CountDownLatch(1);
        stuck.transport.eventLoop().execute(() -> {
            holding.countDown();
            release.join();
        });
        int sent = 0;
        try {
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            // A datagram costs the buffer more than its payload (the kernel's skb), so the buffer's size in
            // payload bytes plus a margin overflows it.
            int total = stuckSocket.receiveBufferBytes() / 1000 + 1000;
            // In steps the reading subscribers keep up with, so that only the stalled one can overflow.
            while (sent < total) {
                int step = Math.min(400, total - sent);
                publisher.sendVideoBurst(sent, step);
                for (Peer reader : List.of(far, near)) {
                    assertEquals(step, reader.awaitRtp(step, 20).size(), "a reading subscriber got every packet, at " + sent);
                }
                sent += step;
            }
            awaitCondition(() -> KernelUdpTable.read().lookup(stuckSocket).drops() > 0,
                    () -> "the stalled subscriber's socket overflows: " + KernelUdpTable.read().lookup(stuckSocket));
        } finally {
            release.complete(null);
        }
        assertEquals(serverErrorsBefore, socketErrors(), "the server's sends never failed");
        // It works through what its socket queued (what the kernel dropped is gone), then is served as before.
        awaitCondition(() -> KernelUdpTable.read().lookup(stuckSocket).receiveQueueBytes() == 0, () -> "the stalled subscriber drained its socket");
        for (int i = 0; i < 20; i++) publisher.sendVideo(sent + i, i == 0);
        stuck.awaitMarkers(sent, 20, 20);
        for (Peer reader : List.of(far, near)) assertEquals(20, reader.awaitRtp(20, 20).size());
        assertEquals(4, server.sessions().connectedSessionCount(), "every session is still up");
    }

    /**
     * Issue 10, ICE-TCP: answers carry a passive TCP candidate beside each UDP one, ranked below it (RFC 6544 §4.2),
     * and a publisher and a subscriber that reach the server over TCP (RFC 4571 framing) forward to and from one
     * on UDP, every packet in order.
     */
    @Test
    void shouldForwardBetweenPeersOverIceTcpAndUdp() throws Exception {
        HttpResponse<String> probe = post("/whep/tcp-probe", ClientOffer.subscriber(PEER_CERT.fingerprint(),
                new java.net.InetSocketAddress("127.0.0.1", 9), random).sdp());
        assertEquals(201, probe.statusCode());
        List<String> candidates = probe.body().lines().filter(l -> l.startsWith("a=candidate:")).toList();
        assertEquals(2, candidates.size(), candidates.toString());
        assertTrue(candidates.get(0).contains(" udp ") && candidates.get(1).matches(".* tcp \\d+ 127\\.0\\.0\\.1 \\d+ typ host tcptype passive"),
                candidates.toString());
        assertTrue(Long.parseLong(candidates.get(0).split(" ")[3]) > Long.parseLong(candidates.get(1).split(" ")[3]), "UDP ranks first");
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                + probe.headers().firstValue("Location").orElseThrow())).DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());

        Peer publisher = joinOverTcp("whip", "tcp");
        Peer udpSubscriber = join("whep", "tcp");
        Peer tcpSubscriber = joinOverTcp("whep", "tcp");
        for (int i = 0; i < 100; i++) publisher.sendVideo(i);
        for (Peer s : List.of(udpSubscriber, tcpSubscriber)) {
            List<byte[]> got = s.awaitRtp(100, 10);
            assertEquals(100, got.size());
            for (int i = 1; i < got.size(); i++) assertEquals((seq(got.get(0)) + i) & 0xFFFF, seq(got.get(i)), "in order");
        }
        assertEquals(2, metric("junction_media_tcp_connections{loop=\"0\"}") + metric("junction_media_tcp_connections{loop=\"1\"}"));
        assertEquals(0, metric("junction_media_tcp_send_dropped_total{loop=\"0\"}") + metric("junction_media_tcp_send_dropped_total{loop=\"1\"}"));
    }

    /**
     * Issue 13, lifecycle: drain mode takes no new sessions (503 with Retry-After, /health 503) while the existing
     * ones carry on; a graceful stop then tells every peer, over UDP and ICE-TCP, with an RTCP BYE and a DTLS
     * close_notify.
     */
    @Test
    void shouldDrainThenStopTellingEveryPeer() throws Exception {
        server.close();
        server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "2",
                "--spread-after", "0", "--admin-token", "adm1n"}));
        Peer publisher = join("whip", "drain");
        Peer subscriber = joinOverTcp("whep", "drain");
        URI drain = URI.create("http://127.0.0.1:" + server.httpPort() + "/admin/drain");
        assertEquals(401, http.send(HttpRequest.newBuilder(drain).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(drain).header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(drain).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> drained = http.send(HttpRequest.newBuilder(drain).header("Authorization", "Bearer adm1n")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, drained.statusCode(), drained.body());
        assertEquals("draining: no new sessions; 2 session(s) continue\n", drained.body());

        HttpResponse<String> refused = post("/whep/drain", ClientOffer.subscriber(PEER_CERT.fingerprint(),
                new java.net.InetSocketAddress("127.0.0.1", 9), random).sdp());
        assertEquals(503, refused.statusCode());
        assertEquals("30", refused.headers().firstValue("Retry-After").orElseThrow());
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, health.statusCode());
        assertEquals("draining\n", health.body());
        for (int i = 0; i < 10; i++) publisher.sendVideo(i);
        assertEquals(10, subscriber.awaitRtp(10, 10).size(), "the sessions in progress carry on");

        server.close();
        for (Peer p : List.of(publisher, subscriber)) {
            String reason = p.closed.get(10, TimeUnit.SECONDS);
            assertTrue(reason.startsWith("DTLS close notify"), reason);
            assertTrue(receivedBye(p), "an RTCP BYE came before the close_notify");
        }
    }

    /**
     * Issue 13, the dashboard's data from real sessions: the series count the packets and sessions, the room table
     * lists the room, and the room's detail shows the publisher's track and layer, and the subscriber's slot, its
     * loss and its round-trip time, taken from a Receiver Report that echoes the server's Sender Report over SRTCP.
     */
    @Test
    void shouldShowRealSessionsOnTheDashboard() throws Exception {
        Peer publisher = join("whip", "dash");
        Peer subscriber = join("whep", "dash");
        for (int i = 0; i < 50; i++) publisher.sendVideo(i);
        List<byte[]> got = subscriber.awaitRtp(50, 10);
        assertEquals(50, got.size());
        long slotSsrc = ssrc(got.get(0));
        // The publisher's Sender Report lets the server send its own to the subscriber (once a second).
        publisher.transport.eventLoop().submit(() -> {
            ByteBuf sr = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
            dev.junction.codec.rtcp.SenderReport.write(sr, publisher.offer.videoSsrc(), 0xE000_0000_0000_0000L, 49 * 3000, 50, 50_000, 0);
            publisher.transport.sendRtcp(sr);
        }).get(5, TimeUnit.SECONDS);
        long lsr = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lsr < 0 && System.nanoTime() < deadline) {
            byte[] rtcp = subscriber.rtcp.poll(100, TimeUnit.MILLISECONDS);
            if (rtcp != null && (rtcp[1] & 0xFF) == 200) lsr = java.nio.ByteBuffer.wrap(rtcp, 10, 4).getInt() & 0xFFFF_FFFFL;
        }
        assertTrue(lsr >= 0, "the server sent the subscriber a Sender Report");
        long echoedLsr = lsr;
        subscriber.transport.eventLoop().submit(() -> {
            ByteBuf rr = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
            dev.junction.codec.rtcp.ReceiverReport.write(rr, 0x5EED, 1);
            dev.junction.codec.rtcp.ReportBlock.write(rr, slotSsrc, 32, 6, 49, 0, echoedLsr, 0);
            subscriber.transport.sendRtcp(rr);
        }).get(5, TimeUnit.SECONDS);

        var dashboard = server.sessions().dashboard();
        awaitCondition(() -> {
            String json = dashboard.room("dash").toCompletableFuture().join();
            io.vertx.core.json.JsonArray subs = json == null ? null : new io.vertx.core.json.JsonObject(json).getJsonArray("subscribers");
            return subs != null && !subs.isEmpty() && subs.getJsonObject(0).getValue("rtt_ms") != null;
        }, () -> "the subscriber's RTT reached the dashboard: " + dashboard.room("dash").toCompletableFuture().join());
        io.vertx.core.json.JsonObject room = new io.vertx.core.json.JsonObject(dashboard.room("dash").toCompletableFuture().join());
        io.vertx.core.json.JsonObject sub = room.getJsonArray("subscribers").getJsonObject(0);
        assertEquals(12.5, sub.getDouble("loss_percent"), "fraction lost 32/256");
        assertTrue(sub.getDouble("rtt_ms") >= 0 && sub.getDouble("rtt_ms") < 10_000, sub.encode());
        assertEquals("connected", sub.getString("state"));
        assertTrue(sub.getString("path").startsWith("udp:"), sub.encode());
        io.vertx.core.json.JsonObject videoSlot = sub.getJsonArray("slots").stream().map(o -> (io.vertx.core.json.JsonObject) o)
                .filter(o -> o.getString("kind").equals("video")).findFirst().orElseThrow();
        assertEquals(0, videoSlot.getInteger("layer"));
        assertEquals("highest active layer", videoSlot.getString("reason"));
        assertTrue(videoSlot.getLong("packets_sent") >= 50, videoSlot.encode());
        io.vertx.core.json.JsonObject pub = room.getJsonArray("publishers").getJsonObject(0);
        io.vertx.core.json.JsonObject videoTrack = pub.getJsonArray("tracks").stream().map(o -> (io.vertx.core.json.JsonObject) o)
                .filter(o -> o.getString("kind").equals("video")).findFirst().orElseThrow();
        assertEquals(publisher.offer.videoSsrc(), videoTrack.getJsonArray("layers").getJsonObject(0).getLong("ssrc"));
        assertEquals(50, videoTrack.getLong("packets_in"));
        assertEquals(1, videoTrack.getInteger("consumers"));
        assertEquals(null, dashboard.room("nobody").toCompletableFuture().join());

        // The sampler runs once a second: wait for a sample that saw both sessions, then check what it counted.
        awaitCondition(() -> Double.valueOf(1).equals(last(dashboard.series(0), "subscribers")) && last(dashboard.series(0), "loss_p99") != null,
                () -> "the series caught up: " + dashboard.series(0).substring(0, 300));
        String series = dashboard.series(0);
        assertEquals(2.0, last(series, "sessions"));
        assertEquals(1.0, last(series, "publishers"));
        assertEquals(1.0, last(series, "rooms"));
        assertEquals(12.5, last(series, "loss_p99"), "the subscriber's 12.5 % is the worst of the two transports");
        assertNotNull(last(series, "rtt_p50"));
        assertTrue(max(series, "packets_in") > 0 && max(series, "packets_out") > 0 && max(series, "bits_in") > 8 * 1000);
        assertTrue(last(series, "heap_used") > 0 && last(series, "direct_memory") >= 0 && last(series, "loop0:lag") >= 0);
        io.vertx.core.json.JsonObject rooms = new io.vertx.core.json.JsonObject(dashboard.rooms());
        io.vertx.core.json.JsonObject listed = rooms.getJsonArray("rooms").getJsonObject(0);
        assertEquals("dash", listed.getString("name"));
        assertEquals(2, listed.getInteger("sessions"));
        assertEquals(1, listed.getInteger("publishers"));
        assertEquals(1, listed.getInteger("subscribers"));

        // GET /stats: the same figures for every room in one document; a second room shows beside the first.
        join("whip", "dash-other");
        io.vertx.core.json.JsonArray statsRooms = new io.vertx.core.json.JsonObject(dashboard.stats().toCompletableFuture().join()).getJsonArray("rooms");
        assertEquals(List.of("dash", "dash-other"), statsRooms.stream().map(o -> ((io.vertx.core.json.JsonObject) o).getString("name")).toList());
        io.vertx.core.json.JsonObject statsRoom = statsRooms.getJsonObject(0);
        assertEquals(1, statsRoom.getJsonArray("publishers").size());
        assertEquals(pub.getString("id"), statsRoom.getJsonArray("publishers").getJsonObject(0).getString("id"));
        io.vertx.core.json.JsonObject statsSub = statsRoom.getJsonArray("subscribers").getJsonObject(0);
        assertEquals(sub.getString("id"), statsSub.getString("id"));
        assertEquals(12.5, statsSub.getDouble("loss_percent"));
        io.vertx.core.json.JsonObject statsSlot = statsSub.getJsonArray("slots").stream().map(o -> (io.vertx.core.json.JsonObject) o)
                .filter(o -> o.getString("kind").equals("video")).findFirst().orElseThrow();
        assertEquals(0, statsSlot.getInteger("layer"));
        assertEquals(0, statsSlot.getInteger("target_layer"), statsSlot.encode());
        assertEquals("highest active layer", statsSlot.getString("reason"));
        assertEquals(1, statsRooms.getJsonObject(1).getJsonArray("publishers").size());
        assertTrue(statsRooms.getJsonObject(1).getJsonArray("subscribers").isEmpty());
    }

    /** The last value of series {@code name} in a series document, or null. */
    private static Double last(String series, String name) {
        io.vertx.core.json.JsonObject doc = new io.vertx.core.json.JsonObject(series);
        io.vertx.core.json.JsonArray column = doc.getJsonArray("data").getJsonArray(doc.getJsonArray("names").getList().indexOf(name));
        Object v = column.isEmpty() ? null : column.getValue(column.size() - 1);
        return v == null ? null : ((Number) v).doubleValue();
    }

    /** The highest value of series {@code name}, or -1. */
    private static double max(String series, String name) {
        io.vertx.core.json.JsonObject doc = new io.vertx.core.json.JsonObject(series);
        io.vertx.core.json.JsonArray column = doc.getJsonArray("data").getJsonArray(doc.getJsonArray("names").getList().indexOf(name));
        return column.stream().filter(java.util.Objects::nonNull).mapToDouble(v -> ((Number) v).doubleValue()).max().orElse(-1);
    }

    /** Whether any RTCP compound the peer received holds a BYE (RFC 3550 §6.6, packet type 203). */
    private static boolean receivedBye(Peer peer) {
        for (byte[] compound : peer.rtcp) {
            for (int at = 0; at + 4 <= compound.length; at += 4 * ((((compound[at + 2] & 0xFF) << 8) | (compound[at + 3] & 0xFF)) + 1)) {
                if ((compound[at + 1] & 0xFF) == 203) return true;
            }
        }
        return false;
    }

    @Test
    void shouldRefuseDrainingWithoutAnAdminToken() throws Exception {
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/admin/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        assertEquals("no admin token is configured (http.admin-token, --admin-token)\n", refused.body());
    }

    /** {@code media.max-sessions}: the session beyond it gets 503 with Retry-After and says why; a freed one is taken again. */
    @Test
    void shouldRefuseSessionsBeyondMaxSessions() throws Exception {
        server.close();
        server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1",
                "--max-sessions", "1"}));
        Peer publisher = join("whip", "full");
        String offer = ClientOffer.subscriber(PEER_CERT.fingerprint(), new java.net.InetSocketAddress("127.0.0.1", 9), random).sdp();
        HttpResponse<String> refused = post("/whep/full", offer);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("5", refused.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("at capacity: 1 sessions (media.max-sessions)\n", refused.body());
        assertEquals(200, delete(publisher).statusCode());
        HttpResponse<String> taken = post("/whep/full", offer);
        assertEquals(201, taken.statusCode(), taken.body());
    }

    /**
     * Issue 13, logs: one line per session and room event, each with the room and the session id; a session that
     * never connected is logged as failed, with its reason.
     */
    @Test
    void shouldLogEverySessionEventWithItsRoomAndId() throws Exception {
        ch.qos.logback.classic.Logger sessionLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.junction.session");
        ch.qos.logback.classic.Logger roomLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.junction.room");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        for (ch.qos.logback.classic.Logger l : List.of(sessionLog, roomLog)) {
            l.addAppender(lines);
            l.setLevel(ch.qos.logback.classic.Level.INFO);
        }
        try {
            Peer publisher = join("whip", "logged");
            String id = publisher.location.substring(publisher.location.lastIndexOf('/') + 1);
            assertEquals(200, delete(publisher).statusCode());
            HttpResponse<String> never = post("/whep/logged", ClientOffer.subscriber(PEER_CERT.fingerprint(),
                    new java.net.InetSocketAddress("127.0.0.1", 9), random).sdp());
            String neverId = never.headers().firstValue("Location").orElseThrow().replaceAll(".*/", "");
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/whep/logged/" + neverId))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            awaitCondition(() -> messages(lines).stream().anyMatch(m -> m.startsWith("session failed")), () -> messages(lines).toString());
            List<String> got = messages(lines);
            assertTrue(got.contains("room created room=logged home-loop=0") || got.contains("room created room=logged home-loop=1"), got.toString());
            assertTrue(got.stream().anyMatch(m -> m.matches("session created kind=whip room=logged session=" + id + " loop=\\d")), got.toString());
            assertTrue(got.stream().anyMatch(m -> m.matches("session connected kind=whip room=logged session=" + id + " after=\\d+ms path=udp:.*")), got.toString());
            assertTrue(got.contains("session closed kind=whip room=logged session=" + id + " reason=\"deleted by the client (DELETE)\""), got.toString());
            assertTrue(got.contains("session failed kind=whep room=logged session=" + neverId + " reason=\"deleted by the client (DELETE)\""), got.toString());
        } finally {
            for (ch.qos.logback.classic.Logger l : List.of(sessionLog, roomLog)) {
                l.detachAppender(lines);
                l.setLevel(null);
            }
        }
    }

    private static List<String> messages(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines) {
        synchronized (lines.list) {
            return lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void shouldFillAFreeSlotWhenASecondPublisherJoins() throws Exception {
        Peer audioOnly = join("whip", "room8", 0.0, false);
        Peer subscriber = join("whep", "room8");
        audioOnly.sendAudio(0);
        List<byte[]> audio = subscriber.awaitRtp(1, 10);
        assertEquals(1, audio.size());
        assertEquals(ClientOffer.OPUS_PT, (int) read(audio.get(0), RtpPacket::payloadType), "the audio slot is filled by the first publisher");
        assertEquals(null, subscriber.rtp.poll(200, TimeUnit.MILLISECONDS), "the video slot is still free");

        Peer withVideo = join("whip", "room8");
        for (int i = 0; i < 10; i++) withVideo.sendVideo(i);
        List<byte[]> video = subscriber.awaitRtp(10, 10);
        assertEquals(10, video.size(), "the second publisher's video fills the free slot without a new offer");
        for (byte[] r : video) assertEquals(ClientOffer.VP8_PT, (int) read(r, RtpPacket::payloadType));
    }

    @Test
    void shouldForwardAPliFromASubscriberToThePublisher() throws Exception {
        Peer publisher = join("whip", "room5");
        join("whep", "room5");
        // The second subscriber is dealt to the other loop: its PLI reaches the publisher through the home loop.
        Peer subscriber = join("whep", "room5");
        assertTrue(subscriber.serverPort != publisher.serverPort, "served by the room's other loop");
        for (int i = 0; i < 5; i++) publisher.sendVideo(i);
        List<byte[]> got = subscriber.awaitRtp(5, 10);
        long slotSsrc = ssrc(got.get(0));
        // Whatever the join itself asked for is already here; from now on only the subscriber's PLI counts. Inside
        // the 500 ms rate-limit window it is coalesced and still sent when the window ends.
        publisher.rtcp.clear();
        // PLI (RFC 4585 §6.3.1): PT 206, FMT 1, sender SSRC, media SSRC = the slot the subscriber sees.
        byte[] pli = {(byte) 0x81, (byte) 206, 0, 2, 0, 0, 0, 1,
            (byte) (slotSsrc >> 24), (byte) (slotSsrc >> 16), (byte) (slotSsrc >> 8), (byte) slotSsrc};
        subscriber.transport.eventLoop().submit(() -> {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
            b.writeBytes(pli);
            subscriber.transport.sendRtcp(b);
        }).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            byte[] r = publisher.rtcp.poll(100, TimeUnit.MILLISECONDS);
            if (r == null) continue;
            for (int at = 0; at + 12 <= r.length; at += (((r[at + 2] & 0xFF) << 8 | (r[at + 3] & 0xFF)) + 1) * 4) {
                boolean isPli = (r[at + 1] & 0xFF) == 206 && (r[at] & 0x1F) == 1;
                long media = ((r[at + 8] & 0xFFL) << 24) | ((r[at + 9] & 0xFF) << 16) | ((r[at + 10] & 0xFF) << 8) | (r[at + 11] & 0xFF);
                if (isPli && media == publisher.offer.videoSsrc()) seen = true;
            }
        }
        assertTrue(seen, "the publisher got a PLI for its own video SSRC");
    }

    @Test
    void shouldRefuseUnanswerableOffersWithTheirReason() throws Exception {
        String offer = ClientOffer.publisher(PEER_CERT.fingerprint(), new java.net.InetSocketAddress("127.0.0.1", 9), random).sdp();
        HttpResponse<String> noBundle = post("/whip/room6", offer.replace("a=group:BUNDLE 0 1\r\n", ""));
        assertEquals(400, noBundle.statusCode());
        assertTrue(noBundle.body().toLowerCase().contains("bundle"), noBundle.body());
        HttpResponse<String> noCodec = post("/whip/room6", offer.replace("opus/48000/2", "speex/48000/2").replace("VP8/90000", "MP4V-ES/90000"));
        assertEquals(400, noCodec.statusCode());
        assertTrue(noCodec.body().toLowerCase().contains("codec"), noCodec.body());
        assertEquals(0, server.sessions().sessionCount());
        assertEquals(0, server.sessions().registeredTransportEntries());
    }

    @Test
    void shouldRecoverFivePercentLossWithNackAndRtx() throws Exception {
        Peer publisher = join("whip", "room7");
        Peer nearby = join("whep", "room7");
        // On the room's other loop: the NACKs are answered from that loop's own retransmission cache.
        Peer subscriber = join("whep", "room7", 0.05);
        assertEquals(publisher.serverPort, nearby.serverPort, "the first subscriber shares the publisher's loop");
        assertTrue(subscriber.serverPort != publisher.serverPort, "served by the room's other loop");
        int packets = 300;
        for (int i = 0; i < packets; i++) publisher.sendVideo(i);
        // Every packet is either here or dropped by the injected loss; NACK at once, while the server's
        // retransmission cache (1 s) still holds them.
        List<byte[]> first = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (first.size() + subscriber.dropped.get() < packets && System.nanoTime() < until) {
            byte[] r = subscriber.rtp.poll(50, TimeUnit.MILLISECONDS);
            if (r != null) first.add(r);
        }
        long slotSsrc = 0;
        java.util.Set<Integer> seqs = new java.util.TreeSet<>();
        for (byte[] r : first) {
            if (read(r, RtpPacket::payloadType) == ClientOffer.VP8_PT) {
                slotSsrc = ssrc(r);
                seqs.add(seq(r));
            }
        }
        int lowest = seqs.iterator().next();
        int[] missing = java.util.stream.IntStream.range(0, packets).map(i -> (lowest + i) & 0xFFFF)
                .filter(s -> !seqs.contains(s)).toArray();
        assertTrue(missing.length > 0 && missing.length < packets / 5, "about 5% lost on the way in: " + missing.length);
        assertEquals(0, subscriber.dropped.get() - missing.length, "only the injected loss is missing");

        // Generic NACK (RFC 4585 §6.2.1) for exactly the missing ones; the answers come as RTX (RFC 4588).
        long media = slotSsrc;
        subscriber.transport.eventLoop().submit(() -> {
            ByteBuf nack = PooledByteBufAllocator.DEFAULT.heapBuffer(512);
            dev.junction.codec.rtcp.GenericNack.write(nack, 1, media, missing, 0, missing.length, 64);
            subscriber.transport.sendRtcp(nack);
        }).get(5, TimeUnit.SECONDS);
        java.util.Set<Integer> recovered = new java.util.TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (recovered.size() < missing.length && System.nanoTime() < deadline) {
            byte[] r = subscriber.rtp.poll(100, TimeUnit.MILLISECONDS);
            if (r == null) continue;
            int pt = read(r, RtpPacket::payloadType);
            int payloadOffset = read(r, RtpPacket::payloadOffset);
            if (pt == ClientOffer.VP8_RTX_PT) recovered.add(((r[payloadOffset] & 0xFF) << 8) | (r[payloadOffset + 1] & 0xFF)); // RFC 4588 OSN
        }
        assertEquals(java.util.Arrays.stream(missing).boxed().collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)), recovered,
                "every lost packet came back as RTX");
    }

    @Test
    void shouldFreeEverythingOnDelete() throws Exception {
        Peer publisher = join("whip", "room2");
        Peer subscriber = join("whep", "room2");
        assertEquals(2, server.sessions().sessionCount());
        assertTrue(server.sessions().registeredTransportEntries() >= 4, "two sessions, each with a ufrag and a bound address");
        assertEquals(1, server.sessions().roomCount());
        assertEquals(200, delete(publisher).statusCode());
        assertEquals(200, delete(subscriber).statusCode());
        assertEquals(404, delete(subscriber).statusCode(), "a second DELETE finds nothing");
        assertEquals(0, server.sessions().sessionCount());
        // The transport side is gone too: no ufrag or address is registered on any media loop.
        assertEquals(0, server.sessions().registeredTransportEntries());
    }

    @Test
    void shouldAnswerGarbageWith400AndAllocateNothing() throws Exception {
        HttpResponse<String> r = post("/whip/room3", "v=0\r\nthis is not sdp\r\n");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().endsWith("\n") && r.body().indexOf('\n') == r.body().length() - 1, "one line: " + r.body());
        assertEquals(0, server.sessions().sessionCount());
    }

    /**
     * DESIGN §3.2: a room exists on a media loop only while that loop has a member of it. The other loop pays
     * nothing for a room until a subscriber lands there, and its part goes (its pipe closes) when the last one
     * leaves, while the rest of the room carries on.
     */
    @Test
    void shouldMakeARoomOnAMediaLoopOnlyWhileItHasAMember() throws Exception {
        Peer publisher = join("whip", "lazy");
        int home = loopOf(publisher);
        int other = 1 - home;
        assertEquals(1, (int) server.sessions().roomsPerLoop().get(home));
        assertEquals(0, (int) server.sessions().roomsPerLoop().get(other), "no member there: no room, no timer work");
        Peer near = join("whep", "lazy"); // dealt round-robin from the home loop
        Peer far = join("whep", "lazy");
        assertEquals(home, loopOf(near));
        assertEquals(other, loopOf(far));
        assertEquals(List.of(1, 1), server.sessions().roomsPerLoop());
        for (int i = 0; i < 20; i++) publisher.sendVideo(i);
        assertEquals(20, near.awaitRtp(20, 10).size());
        assertEquals(20, far.awaitRtp(20, 10).size(), "piped to the other loop");

        assertEquals(200, delete(far).statusCode());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.sessions().roomsPerLoop().get(other) != 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(0, (int) server.sessions().roomsPerLoop().get(other), "its last member left: the loop's part is gone");
        assertEquals(1, (int) server.sessions().timerParticipantsPerLoop().get(other), "only the loop's room table is polled there");
        for (int i = 20; i < 25; i++) publisher.sendVideo(i);
        assertEquals(5, near.awaitRtp(5, 10).size(), "the rest of the room carries on");
    }

    /**
     * A subscriber on another loop than the room's home sees its publisher through a pipe: when that publisher
     * leaves and another joins, its slot is freed there too and refilled by the newcomer, with continuous numbering.
     */
    @Test
    void shouldRefillASlotOnAnotherLoopWhenItsPublisherIsReplaced() throws Exception {
        Peer first = join("whip", "room5");
        Peer near = join("whep", "room5");
        Peer far = join("whep", "room5");
        assertTrue(loopOf(far) != loopOf(first), "the second subscriber is on the other loop");
        for (int i = 0; i < 10; i++) first.sendVideo(i);
        List<byte[]> before = far.awaitRtp(10, 10);
        assertEquals(10, before.size());
        assertEquals(10, near.awaitRtp(10, 10).size());

        assertEquals(200, delete(first).statusCode());
        Peer second = join("whip", "room5");
        for (int i = 0; i < 10; i++) second.sendVideo(7000 + i);
        List<byte[]> after = far.awaitRtp(10, 10);
        assertEquals(10, after.size(), "the far slot was freed and refilled from the new publisher");
        assertEquals(ssrc(before.get(0)), ssrc(after.get(0)), "same slot SSRC");
        for (int i = 0; i < after.size(); i++) {
            assertEquals((seq(before.get(9)) + 1 + i) & 0xFFFF, seq(after.get(i)), "numbering continues on the far loop");
        }
    }

    /**
     * PATCH (RFC 9725 §4.3, RFC 8840): a fragment with the session's current credentials is a trickle (204, as
     * standard trickle fragments carry them); anything that is not a fragment is 400; new credentials restart ICE
     * only with If-Match: * (200, a new ETag and our new credentials), and are 409 with an entity-tag.
     */
    @Test
    void shouldTellTrickleFromIceRestartAndRefuseWhatIsNotAFragment() throws Exception {
        Peer publisher = join("whip", "patch");
        Peer subscriber = join("whep", "patch");
        IceCredentials current = publisher.offer.ice();
        String candidates = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                + "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n";
        String trickle = "a=ice-ufrag:" + current.ufrag() + "\r\na=ice-pwd:" + current.pwd() + "\r\n" + candidates;
        assertEquals(204, patch(publisher, publisher.etag, trickle).statusCode());
        assertEquals(204, patch(publisher, publisher.etag, candidates).statusCode(), "no credentials: a trickle too");
        HttpResponse<String> garbage = patch(publisher, publisher.etag, "hello world");
        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().indexOf('\n') == garbage.body().length() - 1, "one line: " + garbage.body());
        byte[] noise = new byte[2000];
        new Random(7).nextBytes(noise);
        assertEquals(400, patch(publisher, publisher.etag, new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1)).statusCode());

        IceCredentials fresh = IceCredentials.generate(random);
        String restart = "a=ice-ufrag:" + fresh.ufrag() + "\r\na=ice-pwd:" + fresh.pwd() + "\r\n" + candidates;
        assertEquals(409, patch(publisher, publisher.etag, restart).statusCode(), "new credentials need If-Match: *");
        HttpResponse<String> restarted = patch(publisher, "*", restart);
        assertEquals(200, restarted.statusCode(), restarted.body());
        String newEtag = restarted.headers().firstValue("ETag").orElseThrow().replace("\"", "");
        assertTrue(!newEtag.equals(publisher.etag), "a new ICE session, a new ETag");
        TrickleFragment answer = ((TrickleFragment.Parsed) TrickleFragment.parse(restarted.body().getBytes(java.nio.charset.StandardCharsets.UTF_8))).fragment();
        assertTrue(answer.iceLite());
        IceCredentials serverNew = answer.credentials().orElseThrow();
        assertEquals(publisher.serverPort, answer.candidates().get(0).candidate().port());
        assertEquals(412, patch(publisher, publisher.etag, trickle).statusCode(), "the old ETag is stale now");
        assertEquals(204, patch(publisher, newEtag, restart).statusCode(), "the new credentials trickle under the new ETag");

        // The client restarts too: media keeps flowing on the new ICE session.
        publisher.transport.restartIceAsync(fresh, serverNew);
        for (int i = 0; i < 10; i++) publisher.sendVideo(i);
        assertEquals(10, subscriber.awaitRtp(10, 10).size());
        assertEquals(WebRtcTransport.State.CONNECTED, publisher.transport.state());
    }

    private HttpResponse<String> patch(Peer peer, String etag, String fragment) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + peer.location))
                .header("Content-Type", "application/trickle-ice-sdpfrag")
                .header("If-Match", etag.equals("*") ? "*" : "\"" + etag + "\"")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment, java.nio.charset.StandardCharsets.ISO_8859_1)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code junction_media_kernel_dropped_total} per loop, from /metrics. */
    private long[] kernelDrops() throws Exception {
        long[] drops = new long[server.sessions().sockets().size()];
        for (int loop = 0; loop < drops.length; loop++) {
            drops[loop] = metric("junction_media_kernel_dropped_total{loop=\"" + loop + "\"}");
        }
        return drops;
    }

    /** {@code junction_media_socket_errors_total} over every loop, from /metrics. */
    private long socketErrors() throws Exception {
        long sum = 0;
        for (int loop = 0; loop < server.sessions().sockets().size(); loop++) {
            sum += metric("junction_media_socket_errors_total{loop=\"" + loop + "\"}");
        }
        return sum;
    }

    private long metric(String series) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToLong(l -> Long.parseLong(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " on /metrics"));
    }


    /**
     * Issue 11: a subscriber negotiates transport-cc (the extension and {@code a=rtcp-fb:* transport-cc} in its
     * answer), every packet it receives carries its leg's own transport-wide sequence number (the publisher here sends
     * none, so the element is added), increasing by one, and the feedback it sends reaches the room.
     */
    @Test
    void shouldNumberEveryPacketToASubscriberAndReadItsTransportCcFeedback() throws Exception {
        Peer publisher = join("whip", "twcc");
        Peer subscriber = join("whep", "twcc");
        assertTrue(subscriber.answerSdp.contains("a=rtcp-fb:" + ClientOffer.VP8_PT + " transport-cc"), subscriber.answerSdp);
        assertTrue(subscriber.answerSdp.contains("a=extmap:" + ClientOffer.EXT_TRANSPORT_CC + " http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
                subscriber.answerSdp);
        int packets = 100;
        for (int i = 0; i < packets; i++) publisher.sendVideo(i);
        List<byte[]> got = subscriber.awaitRtp(packets, 10);
        assertEquals(packets, got.size());
        int[] numbers = new int[packets];
        for (int i = 0; i < packets; i++) {
            numbers[i] = read(got.get(i), p -> {
                long found = p.findExtension(ClientOffer.EXT_TRANSPORT_CC);
                assertTrue(found != RtpPacket.NOT_FOUND, "a transport-wide sequence number on every packet");
                assertEquals(2, RtpPacket.foundLength(found));
                return p.buffer().getUnsignedShort(RtpPacket.foundOffset(found));
            });
            assertEquals(i, (int) read(got.get(i), p -> p.buffer().getInt(p.payloadOffset() + 2)), "the payload is intact");
            if (i > 0) assertEquals((numbers[i - 1] + 1) & 0xFFFF, numbers[i], "increasing by one at packet " + i);
        }
        // The subscriber's feedback: everything arrived, 1 ms apart.
        dev.junction.codec.rtcp.TransportCcFeedbackWriter writer = new dev.junction.codec.rtcp.TransportCcFeedbackWriter(1200);
        for (int i = 0; i < packets; i++) assertTrue(writer.addReceived(numbers[i], 1_000_000L + 1_000L * i));
        subscriber.transport.eventLoop().submit(() -> {
            ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(writer.encodedLength() + 16);
            writer.write(out, 0x5EED, 0, 0);
            subscriber.transport.sendRtcp(out);
        }).get(5, TimeUnit.SECONDS);
        awaitCondition(() -> metricOrZero("junction_room_transport_cc_feedback_in_total") == 1,
                () -> "feedback in: " + metricOrZero("junction_room_transport_cc_feedback_in_total"));
        assertTrue(metricOrZero("junction_room_rtp_numbered_total") >= packets, "the media, and any probe padding since the feedback");
        // Once a second the subscriber's estimate is sampled into the histogram (1 Mbit/s at the start).
        awaitCondition(() -> metricOrZero("junction_subscriber_estimate_bps_count") >= 1, () -> "no estimate sample yet");
        assertTrue(metricOrZero("junction_subscriber_estimate_bps_bucket{le=\"+Inf\"}") >= 1);
        assertTrue(metricOrZero("junction_room_layer_switches_total{reason=\"bandwidth\"}") >= 0);
        // GET /stats shows the estimate and each video slot's share of it.
        io.vertx.core.json.JsonObject stats = new io.vertx.core.json.JsonObject(server.sessions().dashboard().stats().toCompletableFuture().join());
        io.vertx.core.json.JsonObject sub = stats.getJsonArray("rooms").getJsonObject(0).getJsonArray("subscribers").getJsonObject(0);
        assertTrue(sub.getLong("estimate_bps") > 0, sub.encode());
        io.vertx.core.json.JsonObject video = sub.getJsonArray("slots").stream().map(o -> (io.vertx.core.json.JsonObject) o)
                .filter(o -> o.getString("kind").equals("video")).findFirst().orElseThrow();
        assertTrue(video.getLong("budget_bps") > 0 && video.getLong("budget_bps") <= sub.getLong("estimate_bps"), sub.encode());
    }

    /** {@code media.subscriber-transport-cc off}: not negotiated, and the packets carry no number of ours. */
    @Test
    void shouldLeaveTransportCcOffTheSubscriberLegWhenConfiguredOff() throws Exception {
        server.close();
        String[] flags = java.util.Arrays.copyOf(TWO_LOOPS, TWO_LOOPS.length + 2);
        flags[TWO_LOOPS.length] = "--subscriber-transport-cc";
        flags[TWO_LOOPS.length + 1] = "off";
        server = JunctionServer.start(ConfigLoader.load(flags));
        Peer publisher = join("whip", "plain");
        Peer subscriber = join("whep", "plain");
        assertTrue(!subscriber.answerSdp.contains("transport-cc") && !subscriber.answerSdp.contains("transport-wide-cc"), subscriber.answerSdp);
        assertTrue(publisher.answerSdp.contains("transport-cc"), "the publisher leg keeps it");
        for (int i = 0; i < 10; i++) publisher.sendVideo(i);
        List<byte[]> got = subscriber.awaitRtp(10, 10);
        assertEquals(10, got.size());
        for (byte[] p : got) assertEquals(RtpPacket.NOT_FOUND, (long) read(p, r -> r.findExtension(ClientOffer.EXT_TRANSPORT_CC)));
        assertEquals(0, metricOrZero("junction_room_rtp_numbered_total"));
    }

    private long metricOrZero(String series) {
        try {
            return metric(series);
        } catch (Exception | AssertionError e) {
            return -1;
        }
    }

    private static void awaitCondition(BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + state.get());
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The media loop serving {@code peer} (the index of the socket its answer named). */
    private int loopOf(Peer peer) {
        List<dev.junction.transport.socket.MediaSocket> sockets = server.sessions().sockets();
        for (int i = 0; i < sockets.size(); i++) {
            if (sockets.get(i).localAddress().getPort() == peer.serverPort) return i;
        }
        throw new AssertionError("no loop has port " + peer.serverPort);
    }

    // ---- harness ----------------------------------------------------------------------------------------

    private HttpResponse<String> post(String path, String sdp) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int deleted;

    private HttpResponse<String> delete(Peer peer) throws Exception {
        if (!peer.deleted) {
            peer.deleted = true;
            deleted++;
        }
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + peer.location)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Peer join(String kind, String room) throws Exception {
        return join(kind, room, 0.0, true);
    }

    private Peer join(String kind, String room, double videoLoss) throws Exception {
        return join(kind, room, videoLoss, true);
    }

    /**
     * A peer whose socket loses {@code videoLoss} of the primary video packets (never RTX) on the way in; a
     * publisher without {@code withVideo} offers audio only.
     */
    private Peer join(String kind, String room, double videoLoss, boolean withVideo) throws Exception {
        return join(kind, room, videoLoss, withVideo, false);
    }

    /** A peer that reaches the server over ICE-TCP: it connects to the answer's passive TCP candidate, as a browser does. */
    private Peer joinOverTcp(String kind, String room) throws Exception {
        return join(kind, room, 0.0, true, true);
    }

    private Peer join(String kind, String room, double videoLoss, boolean withVideo, boolean overTcp) throws Exception {
        Peer peer = new Peer();
        peers.add(peer);
        Random loss = new Random(42);
        peer.plane = MediaPlane.start(PEER_SOCKET, i -> (socket, content, sender, nowNs) -> {
            int firstByte = content.getUnsignedByte(content.readerIndex());
            boolean video = content.readableBytes() > 12 && firstByte >= 128 && firstByte < 192
                    && (content.getUnsignedByte(content.readerIndex() + 1) & 0x7F) == ClientOffer.VP8_PT;
            if (video && loss.nextDouble() < videoLoss) {
                peer.dropped.incrementAndGet();
                return;
            }
            peer.demux.onDatagram(socket, content, sender, nowNs);
        });
        var local = peer.plane.sockets().get(0).localAddress();
        peer.offer = kind.equals("whip") ? ClientOffer.publisher(PEER_CERT.fingerprint(), local, random, withVideo)
                : ClientOffer.subscriber(PEER_CERT.fingerprint(), local, random);
        HttpResponse<String> response = post("/" + kind + "/" + room, peer.offer.sdp());
        assertEquals(201, response.statusCode(), response.body());
        peer.location = response.headers().firstValue("Location").orElseThrow();
        peer.etag = response.headers().firstValue("ETag").orElseThrow().replace("\"", "");
        assertTrue(peer.location.startsWith("/" + kind + "/" + room + "/"), peer.location);
        ServerAnswer answer = ServerAnswer.parse(response.body());
        peer.answerSdp = response.body();
        peer.serverPort = answer.candidates().get(0).getPort();
        if (overTcp) {
            assertEquals(answer.candidates().size(), answer.tcpCandidates().size(), "a passive TCP candidate per UDP one");
            var connection = peer.plane.connectTcp(0, answer.tcpCandidates().get(0), peer.demux).get(10, TimeUnit.SECONDS);
            peer.transport = WebRtcTransport.client(peer.plane.loops().get(0), peer.demux, peer.offer.ice(), answer.ice(),
                    List.of(connection.path()), PEER_CERT, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(peers.size()), peer);
        } else {
            peer.transport = WebRtcTransport.client(peer.plane.sockets().get(0), peer.demux, peer.offer.ice(), answer.ice(),
                    answer.candidates(), PEER_CERT, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(peers.size()), peer);
        }
        peer.transport.start();
        assertNotNull(peer.connected.get(20, TimeUnit.SECONDS));
        // The client can finish DTLS a moment before the server side has its SRTP keys; a browser would just keep
        // sending, the test waits so that it can count every packet.
        int expected = peers.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.sessions().connectedSessionCount() < liveSessions(expected) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertEquals(liveSessions(expected), server.sessions().connectedSessionCount(), "server side connected");
        return peer;
    }

    /** Sessions the server should have: every peer joined so far minus those deleted. */
    private int liveSessions(int joined) {
        return joined - deleted;
    }

    private static long ssrc(byte[] rtp) {
        return read(rtp, RtpPacket::ssrc);
    }

    private static int seq(byte[] rtp) {
        return read(rtp, RtpPacket::sequenceNumber);
    }

    /** Reads one field of a received packet with the codec's RTP flyweight; the wrapping buffer is released here. */
    private static <T> T read(byte[] rtp, java.util.function.Function<RtpPacket, T> field) {
        ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(rtp);
        try {
            RtpPacket packet = new RtpPacket();
            assertTrue(packet.wrap(buf, 0, rtp.length), "a well-formed RTP packet");
            return field.apply(packet);
        } finally {
            buf.release();
        }
    }

    /** A client-role peer with its own socket, as a browser has. */
    private static final class Peer implements WebRtcTransport.Listener {
        final MediaDemux demux = new MediaDemux();
        final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
        final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicInteger dropped = new java.util.concurrent.atomic.AtomicInteger();
        MediaPlane plane;
        ClientOffer offer;
        String location;
        String etag;
        String answerSdp;
        /** The server's media port in the answer: which of its loops serves this peer. */
        int serverPort;
        WebRtcTransport transport;
        boolean deleted;

        /** A VP8-shaped packet (payload descriptor S=1, keyframe bit clear on the first) on the offer's video SSRC. */
        void sendVideo(int seq) throws Exception {
            sendVideo(seq, seq == 0);
        }

        void sendVideo(int seq, boolean keyframe) throws Exception {
            transport.eventLoop().submit(() -> writeVideo(seq, keyframe)).get(5, TimeUnit.SECONDS);
        }

        /** {@code count} packets from {@code firstSeq} in one task of the peer's loop: one burst on the wire. */
        void sendVideoBurst(int firstSeq, int count) throws Exception {
            transport.eventLoop().submit(() -> {
                for (int i = 0; i < count; i++) writeVideo(firstSeq + i, firstSeq + i == 0);
            }).get(30, TimeUnit.SECONDS);
        }

        /** The payload starts with the publisher's sequence number, a marker the SFU forwards untouched. */
        private void writeVideo(int seq, boolean keyframe) {
            ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
            p.writeByte(0x80).writeByte((seq % 30 == 29 ? 0x80 : 0) | ClientOffer.VP8_PT).writeShort(seq)
                    .writeInt(seq * 3000).writeInt((int) offer.videoSsrc());
            p.writeByte(0x10).writeByte(keyframe ? 0x00 : 0x01).writeInt(seq).writeZero(996);
            transport.sendRtp(p);
        }

        /**
         * Waits until video packets with every marker {@code from..from+count-1} (see {@link #writeVideo}) arrived,
         * ignoring others (late ones from before).
         */
        void awaitMarkers(int from, int count, int seconds) throws InterruptedException {
            java.util.BitSet seen = new java.util.BitSet(count);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            int others = 0;
            int last = -1;
            while (seen.cardinality() < count) {
                byte[] p = rtp.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(p, "markers " + from + ".." + (from + count - 1) + " arrived only " + seen + "; " + others
                        + " other packets, the last with marker " + last + "; transport " + transport.state() + "; datagrams in "
                        + plane.sockets().getFirst().counter(MediaSocket.DATAGRAMS_IN) + ", kernel " + KernelUdpTable.read().lookup(plane.sockets().getFirst()) + ", drops " + java.util.Arrays.stream(dev.junction.transport.DropReason.values())
                        .filter(r -> demux.drops(r) > 0).map(r -> r + "=" + demux.drops(r)).toList());
                int marker = read(p, packet -> packet.payloadLength() >= 6 ? packet.buffer().getInt(packet.payloadOffset() + 2) : -1);
                if (marker >= from && marker < from + count) {
                    seen.set(marker - from);
                } else {
                    others++;
                    last = marker;
                }
            }
        }

        /** An Opus-shaped packet on the offer's audio SSRC. */
        void sendAudio(int seq) throws Exception {
            transport.eventLoop().submit(() -> {
                ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(200);
                p.writeByte(0x80).writeByte(ClientOffer.OPUS_PT).writeShort(seq).writeInt(seq * 960).writeInt((int) offer.audioSsrc());
                p.writeZero(80);
                transport.sendRtp(p);
            }).get(5, TimeUnit.SECONDS);
        }

        List<byte[]> awaitRtp(int count, int seconds) throws InterruptedException {
            List<byte[]> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (got.size() < count) {
                byte[] p = rtp.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (p == null) break;
                got.add(p);
            }
            return got;
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connected.complete(t);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            rtp.add(io.netty.buffer.ByteBufUtil.getBytes(packet));
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            rtcp.add(io.netty.buffer.ByteBufUtil.getBytes(packet));
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            closed.complete(reason);
        }
    }
}
