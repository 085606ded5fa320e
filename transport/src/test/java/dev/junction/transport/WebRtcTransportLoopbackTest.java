package dev.junction.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.demux.PacketClassifier;
import dev.junction.codec.demux.PacketKind;
import dev.junction.config.MediaSettings;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.transport.socket.DatagramReceiver;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.SrtpProfile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client role against the server role over real loopback UDP: ICE, then DTLS, then SRTP both ways;
 * clean and with 10% random loss on the handshake.
 */
class WebRtcTransportLoopbackTest {

    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    static final MediaSettings ONE_LOOP = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));

    MediaPlane serverPlane;
    MediaPlane clientPlane;
    MediaDemux serverDemux;
    MediaDemux clientDemux;
    Recorder server;
    Recorder client;
    /** Raw SRTP datagrams as they arrived at the server, for replay. */
    final BlockingQueue<byte[]> tapped = new LinkedBlockingQueue<>();
    volatile InetSocketAddress tapAddress;

    @AfterEach
    void stop() {
        if (clientPlane != null) clientPlane.close();
        if (serverPlane != null) serverPlane.close();
    }

    @Test
    void shouldConnectAndCarrySrtpBothWays() throws Exception {
        Pair pair = connect(0.0, 1);
        assertEquals(WebRtcTransport.State.CONNECTED, pair.server.state());
        assertEquals(clientPlane.sockets().get(0).localAddress(), pair.server.remoteAddress());
        assertEquals(SrtpProfile.AEAD_AES_256_GCM, onLoop(pair.server, () -> pair.server.srtp().profile()), "GCM preferred");
        exchangeMedia(pair, 20);
    }

    @Test
    void shouldConnectThroughTenPercentHandshakeLoss() throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            Pair pair = connect(0.10, seed);
            exchangeMedia(pair, 5);
            stop();
            serverPlane = null;
            clientPlane = null;
        }
    }

    @Test
    void shouldCloseBothSidesAndFreeTheSessionTable() throws Exception {
        Pair pair = connect(0.0, 2);
        pair.client.closeAsync("test over");
        assertEquals("test over", client.closed.get(10, TimeUnit.SECONDS));
        // The client's close_notify ends the server's session too (DTLS close_notify must end the session).
        String reason = server.closed.get(10, TimeUnit.SECONDS);
        assertTrue(reason.startsWith("DTLS close notify"), reason);
        assertEquals(0, (int) onLoop(pair.server, serverDemux::sessionCount));
        assertEquals(0, (int) onLoop(pair.server, serverDemux::boundAddressCount));
    }

    @Test
    void shouldDropHostileInputBeforeItReachesASession() throws Exception {
        Pair pair = connect(0.0, 4);
        InetSocketAddress serverAddress = serverPlane.sockets().get(0).localAddress();
        // Drops during setup are legitimate (a first check can beat the session's registration): count from here.
        long[] before = onLoop(pair.server, () -> {
            long[] counts = new long[DropReason.values().length];
            for (DropReason r : DropReason.values()) counts[r.ordinal()] = serverDemux.drops(r);
            return counts;
        });
        try (java.net.DatagramSocket attacker = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // Garbage of every first-byte class from an address no check has bound.
            byte[][] garbage = {
                {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3}, // STUN-looking, truncated
                {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5}, // DTLS record
                {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, // RTP
                {(byte) 0x81, (byte) 201, 0, 1, 1, 2, 3, 4}, // RTCP
                {64, 0, 0, 4, 1, 2, 3, 4}, // TURN channel data
                {17}, // ZRTP range, one byte
            };
            for (byte[] g : garbage) attacker.send(new java.net.DatagramPacket(g, g.length, serverAddress));
            // A well-formed check for this session with the wrong password is answered 401 and binds nothing.
            dev.junction.codec.sdp.jsep.IceCredentials serverIce = onLoop(pair.server, () -> pair.server.localIceCredentials());
            io.netty.buffer.ByteBuf check = io.netty.buffer.Unpooled.buffer();
            new dev.junction.codec.stun.StunWriter()
                    .begin(check, dev.junction.codec.stun.StunMessageType.BINDING_REQUEST, new byte[12])
                    .username(serverIce.ufrag() + ":evil").priority(1).iceControlling(1).useCandidate()
                    .messageIntegrity(dev.junction.codec.stun.StunIntegrity.shortTerm("wrongPasswordWrongPasswd"))
                    .fingerprint().finish();
            byte[] badCheck = ByteBufUtil.getBytes(check);
            check.release();
            // A well-formed, signed check naming a ufrag no session has: dropped unanswered.
            io.netty.buffer.ByteBuf stranger = io.netty.buffer.Unpooled.buffer();
            new dev.junction.codec.stun.StunWriter()
                    .begin(stranger, dev.junction.codec.stun.StunMessageType.BINDING_REQUEST, new byte[12])
                    .username("nobodysUfrag:evil").priority(1).iceControlling(1).useCandidate()
                    .messageIntegrity(dev.junction.codec.stun.StunIntegrity.shortTerm("wrongPasswordWrongPasswd"))
                    .fingerprint().finish();
            byte[] strangerCheck = ByteBufUtil.getBytes(stranger);
            stranger.release();
            attacker.send(new java.net.DatagramPacket(strangerCheck, strangerCheck.length, serverAddress));
            attacker.send(new java.net.DatagramPacket(badCheck, badCheck.length, serverAddress));
            attacker.setSoTimeout(5000);
            java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[512], 512);
            attacker.receive(answer);
            io.netty.buffer.ByteBuf answerBuf = io.netty.buffer.Unpooled.wrappedBuffer(answer.getData(), 0, answer.getLength());
            dev.junction.codec.stun.StunMessage parsed = new dev.junction.codec.stun.StunMessage();
            assertEquals(dev.junction.codec.stun.StunParseResult.OK, parsed.wrap(answerBuf, 0, answer.getLength()));
            assertEquals(401, parsed.errorCode());
            answerBuf.release();

            // Replays and tampered tags from the bound client address, of a real packet captured on arrival.
            tapAddress = clientPlane.sockets().get(0).localAddress();
            byte[] legit = rtp(0x11111111, 1, "captured");
            send(pair.client, legit, false);
            assertArrayEquals(legit, server.rtp.poll(5, TimeUnit.SECONDS));
            byte[] original = tapped.poll(5, TimeUnit.SECONDS);
            assertNotNull(original, "a real SRTP packet was captured on the way in");
            int authFailuresBefore = (int) (long) onLoop(pair.server, () -> pair.server.srtp().authFailures());
            long replaysBefore = onLoop(pair.server, () -> pair.server.srtp().replays());
            rawFromClient(pair, original);
            // A fresh packet (never seen, so not a replay) with one bit of its tag flipped.
            byte[] tampered = pair.client.eventLoop().submit(() -> {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
                try {
                    buf.writeBytes(rtp(0x11111111, 2, "tampered"));
                    assertEquals(dev.junction.transport.srtp.SrtpStatus.OK, pair.client.srtp().protectRtp(buf));
                    return ByteBufUtil.getBytes(buf);
                } finally {
                    buf.release();
                }
            }).get(5, TimeUnit.SECONDS);
            tampered[tampered.length - 1] ^= 1;
            rawFromClient(pair, tampered);
            // ... and the captured packet sent again from the attacker's (unbound) address.
            attacker.send(new java.net.DatagramPacket(original, original.length, serverAddress));

            // A fresh, legitimate packet still gets through: the session is unharmed.
            byte[] fresh = rtp(0x11111111, 999, "still fine");
            send(pair.client, fresh, false);
            assertArrayEquals(fresh, server.rtp.poll(5, TimeUnit.SECONDS));
            assertEquals(null, server.rtp.poll(200, TimeUnit.MILLISECONDS), "nothing hostile reached the session");

            assertEquals(replaysBefore + 1, (long) onLoop(pair.server, () -> pair.server.srtp().replays()));
            assertEquals(authFailuresBefore + 1, (long) onLoop(pair.server, () -> pair.server.srtp().authFailures()));
            assertEquals(2, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.SRTP_UNPROTECT_FAILED)) - before[DropReason.SRTP_UNPROTECT_FAILED.ordinal()]);
            assertEquals(3, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.SRTP_UNBOUND)) - before[DropReason.SRTP_UNBOUND.ordinal()], "RTP + RTCP garbage + the replay from the attacker");
            assertEquals(1, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.DTLS_UNBOUND)) - before[DropReason.DTLS_UNBOUND.ordinal()]);
            assertEquals(1, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.MALFORMED_STUN)) - before[DropReason.MALFORMED_STUN.ordinal()]);
            assertEquals(2, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.NOT_WEBRTC)) - before[DropReason.NOT_WEBRTC.ordinal()]);
            assertEquals(1, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.STUN_REJECTED)) - before[DropReason.STUN_REJECTED.ordinal()]);
            assertEquals(1, (long) onLoop(pair.server, () -> serverDemux.drops(DropReason.STUN_NO_SESSION)) - before[DropReason.STUN_NO_SESSION.ordinal()], "unknown ufrag dropped, not answered");
            assertEquals(1, (int) onLoop(pair.server, serverDemux::boundAddressCount), "only the client's address is bound");
            assertEquals(WebRtcTransport.State.CONNECTED, pair.server.state());
        }
    }

    /**
     * Issue 12 defect 2: checks forged with a live session's ufrag (anyone who POSTs an offer learns one) cost an
     * HMAC and a 401 each. Past the session's budget they are dropped unanswered before any HMAC; the connected
     * session's own checks, on its authorized path, are still answered and its media still flows.
     */
    @Test
    void shouldDropForgedChecksPastTheSessionsBudgetUnanswered() throws Exception {
        Pair pair = connect(0.0, 5);
        IceCredentials serverIce = onLoop(pair.server, () -> pair.server.localIceCredentials());
        IceCredentials clientIce = onLoop(pair.client, () -> pair.client.localIceCredentials());
        byte[] forged = check(serverIce.ufrag() + ":evil", "wrongPasswordWrongPasswd");
        byte[] consent = check(serverIce.ufrag() + ":" + clientIce.ufrag(), serverIce.pwd());
        MediaSocket socket = serverPlane.sockets().get(0);
        InetSocketAddress clientAddress = clientPlane.sockets().get(0).localAddress();
        int flood = 1_000;
        try (java.net.DatagramSocket attacker = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress attackerAddress = (InetSocketAddress) attacker.getLocalSocketAddress();
            long[] after = onLoop(pair.server, () -> {
                long[] before = drops(serverDemux);
                // One instant on the loop's clock: exactly what the budget holds passes, whatever the machine's speed.
                long nowNs = System.nanoTime();
                for (int i = 0; i < flood; i++) deliver(serverDemux, socket, forged, attackerAddress, nowNs);
                long[] flooded = drops(serverDemux);
                // The session's own consent check, on its authorized path, at the same instant.
                deliver(serverDemux, socket, consent, clientAddress, nowNs);
                long[] afterConsent = drops(serverDemux);
                long[] delta = new long[flooded.length * 2];
                for (int r = 0; r < flooded.length; r++) {
                    delta[r] = flooded[r] - before[r];
                    delta[flooded.length + r] = afterConsent[r] - flooded[r];
                }
                return delta;
            });
            int n = DropReason.values().length;
            long answered = after[DropReason.STUN_REJECTED.ordinal()];
            long limited = after[DropReason.STUN_OVER_SESSION_LIMIT.ordinal()];
            assertEquals(flood, answered + limited, "every forged check is counted, under one reason or the other");
            assertTrue(answered <= StunRateLimiter.Limits.DEFAULT.perSessionBurst(), "401s at most the burst: " + answered);
            assertTrue(answered >= StunRateLimiter.Limits.DEFAULT.perSessionBurst() - 20, "the burst minus the setup's checks: " + answered);
            for (int r = 0; r < n; r++) assertEquals(0, after[n + r], "the consent check was dropped as " + DropReason.values()[r]);
            // The admitted ones were answered on the wire, to the address the checks claimed.
            attacker.setSoTimeout(5_000);
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[512], 512);
            attacker.receive(reply);
            assertTrue(reply.getLength() > 20, "the first forged checks were answered");
        }
        exchangeMedia(pair, 3);
        assertEquals(WebRtcTransport.State.CONNECTED, pair.server.state());
    }

    private static long[] drops(MediaDemux demux) {
        long[] counts = new long[DropReason.values().length];
        for (DropReason r : DropReason.values()) counts[r.ordinal()] = demux.drops(r);
        return counts;
    }

    private static void deliver(MediaDemux demux, MediaSocket socket, byte[] datagram, InetSocketAddress from, long nowNs) {
        ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(datagram);
        try {
            demux.onDatagram(socket, buf, from, nowNs);
        } finally {
            buf.release();
        }
    }

    /** A Binding request as a controlling agent sends it, signed with {@code password}. */
    static byte[] check(String username, String password) {
        return check(username, password, false);
    }

    /** As above; with {@code nominate}, USE-CANDIDATE: the controlling agent picks this pair (RFC 8445 §8.1.1). */
    static byte[] check(String username, String password, boolean nominate) {
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        try {
            byte[] transaction = new byte[12];
            new SecureRandom().nextBytes(transaction);
            dev.junction.codec.stun.StunWriter writer = new dev.junction.codec.stun.StunWriter()
                    .begin(out, dev.junction.codec.stun.StunMessageType.BINDING_REQUEST, transaction)
                    .username(username).priority(1).iceControlling(1);
            if (nominate) writer.useCandidate();
            writer.messageIntegrity(dev.junction.codec.stun.StunIntegrity.shortTerm(password))
                    .fingerprint().finish();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A peer vanishes without a word (a reloaded browser, a NAT that reuses the port) and a new session's checks
     * come from the same address: they reach the new session, which takes the address over at once, instead of
     * being refused by the abandoned one until its consent expires (30 s).
     */
    @Test
    void shouldLetANewSessionTakeOverTheAddressOfAVanishedOne() throws Exception {
        Pair abandoned = connect(0.0, 5);
        InetSocketAddress clientAddress = clientPlane.sockets().get(0).localAddress();
        clientPlane.close(); // vanishes: no close_notify, no DELETE
        clientPlane = null;

        Recorder fresh = new Recorder();
        Recorder freshClient = new Recorder();
        MediaDemux demux2 = new MediaDemux();
        clientPlane = MediaPlane.start(new MediaSettings("127.0.0.1", clientAddress.getPort(), 1, List.of("127.0.0.1")), i -> demux2);
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, fresh);
        serverSide.start();
        WebRtcTransport clientSide = WebRtcTransport.client(clientPlane.sockets().get(0), demux2, clientIce, serverIce,
                List.of(serverPlane.sockets().get(0).localAddress()), CLIENT_CERT, List.of(SERVER_CERT.fingerprint()),
                WebRtcTransport.Options.DEFAULT, new Random(6), freshClient);
        clientSide.start();
        // Well inside the abandoned session's 30 s of consent.
        assertNotNull(freshClient.connected.get(15, TimeUnit.SECONDS));
        assertNotNull(fresh.connected.get(15, TimeUnit.SECONDS));
        server = fresh;
        client = freshClient;
        exchangeMedia(new Pair(serverSide, clientSide), 3);

        assertEquals(clientAddress, onLoop(serverSide, serverSide::remoteAddress));
        assertEquals(null, onLoop(abandoned.server(), abandoned.server()::path), "the abandoned session lost the address");
        assertEquals(WebRtcTransport.State.CONNECTED, abandoned.server().state(), "its consent ends it in due time");
        assertEquals(1, (int) onLoop(serverSide, serverDemux::boundAddressCount), "one address, one owner");
        assertEquals(0, (int) onLoop(abandoned.server(), abandoned.server()::pathCount));
    }

    /** Sends raw bytes from the client's own socket (its bound 5-tuple) to the server. */
    void rawFromClient(Pair pair, byte[] bytes) throws Exception {
        InetSocketAddress serverAddress = serverPlane.sockets().get(0).localAddress();
        pair.client.eventLoop().submit(() -> {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
            buf.writeBytes(bytes);
            clientPlane.sockets().get(0).write(buf, serverAddress);
        }).get(5, TimeUnit.SECONDS);
    }

    // ---- harness ------------------------------------------------------------------------------------

    record Pair(WebRtcTransport server, WebRtcTransport client) {
    }

    Pair connect(double handshakeLoss, long seed) throws Exception {
        Random loss = new Random(seed);
        server = new Recorder();
        client = new Recorder();
        serverDemux = new MediaDemux();
        clientDemux = new MediaDemux();
        DatagramReceiver serverReceiver = lossy(serverDemux, handshakeLoss, loss);
        serverPlane = MediaPlane.start(ONE_LOOP, i -> (socket, content, sender, nowNs) -> {
            if (PacketClassifier.classify(content) == PacketKind.RTP && sender.equals(tapAddress)) tapped.add(ByteBufUtil.getBytes(content));
            serverReceiver.onDatagram(socket, content, sender, nowNs);
        });
        clientPlane = MediaPlane.start(ONE_LOOP, i -> lossy(clientDemux, handshakeLoss, loss));
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, server);
        serverSide.start();
        InetSocketAddress candidate = serverPlane.sockets().get(0).localAddress();
        WebRtcTransport clientSide = WebRtcTransport.client(clientPlane.sockets().get(0), clientDemux, clientIce, serverIce,
                List.of(candidate), CLIENT_CERT, List.of(SERVER_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, new Random(seed), client);
        clientSide.start();
        assertNotNull(client.connected.get(20, TimeUnit.SECONDS));
        assertNotNull(server.connected.get(20, TimeUnit.SECONDS));
        return new Pair(serverSide, clientSide);
    }

    /** Loses DTLS datagrams in both directions with probability {@code loss}; everything else passes. */
    static DatagramReceiver lossy(MediaDemux demux, double loss, Random random) {
        return (socket, content, sender, nowNs) -> {
            boolean handshake = PacketClassifier.classify(content) == PacketKind.DTLS;
            synchronized (random) {
                if (handshake && random.nextDouble() < loss) return;
            }
            demux.onDatagram(socket, content, sender, nowNs);
        };
    }

    void exchangeMedia(Pair pair, int packets) throws Exception {
        for (int i = 0; i < packets; i++) {
            byte[] clientRtp = rtp(0x11111111, i, "publisher " + i);
            byte[] serverRtp = rtp(0x22222222, i, "forwarded " + i);
            send(pair.client, clientRtp, false);
            send(pair.server, serverRtp, false);
            assertArrayEquals(clientRtp, server.rtp.poll(5, TimeUnit.SECONDS), "server decrypts client packet " + i);
            assertArrayEquals(serverRtp, client.rtp.poll(5, TimeUnit.SECONDS), "client decrypts server packet " + i);
        }
        byte[] pli = {(byte) 0x81, (byte) 206, 0, 2, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22};
        send(pair.server, pli, true);
        assertArrayEquals(pli, client.rtcp.poll(5, TimeUnit.SECONDS), "SRTCP from server");
        send(pair.client, pli, true);
        assertArrayEquals(pli, server.rtcp.poll(5, TimeUnit.SECONDS), "SRTCP from client");
    }

    static void send(WebRtcTransport t, byte[] packet, boolean rtcp) throws Exception {
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        t.eventLoop().execute(() -> {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(packet.length + 32);
            buf.writeBytes(packet);
            sent.complete(rtcp ? t.sendRtcp(buf) : t.sendRtp(buf));
        });
        assertTrue(sent.get(5, TimeUnit.SECONDS), "send accepted");
    }

    static byte[] rtp(int ssrc, int seq, String payload) {
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] p = new byte[12 + body.length];
        p[0] = (byte) 0x80;
        p[1] = 96;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = 0;
        p[5] = 0;
        p[6] = 0x10;
        p[7] = (byte) seq;
        p[8] = (byte) (ssrc >> 24);
        p[9] = (byte) (ssrc >> 16);
        p[10] = (byte) (ssrc >> 8);
        p[11] = (byte) ssrc;
        System.arraycopy(body, 0, p, 12, body.length);
        return p;
    }

    static <T> T onLoop(WebRtcTransport t, java.util.concurrent.Callable<T> task) throws Exception {
        return t.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
    }

    /** Records what a session reports; packets are copied out because the buffers are borrowed. */
    static final class Recorder implements WebRtcTransport.Listener {
        final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();

        @Override
        public void onConnected(WebRtcTransport transport) {
            connected.complete(transport);
        }

        @Override
        public void onRtp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
            rtp.add(ByteBufUtil.getBytes(packet));
        }

        @Override
        public void onRtcp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
            rtcp.add(ByteBufUtil.getBytes(packet));
        }

        @Override
        public void onClosed(WebRtcTransport transport, String reason) {
            closed.complete(reason);
        }

    }
}
