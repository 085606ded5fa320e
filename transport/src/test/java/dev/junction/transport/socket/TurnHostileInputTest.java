package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.config.MediaSettings;
import dev.junction.transport.turn.IpRange;
import dev.junction.transport.turn.TurnDropReason;
import dev.junction.transport.turn.TurnSettings;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against the embedded TURN server on real loopback sockets (issue 10): unauthenticated Allocate
 * floods, connections over the per-source limit, connections that never authenticate, partial frames and
 * oversized length prefixes, a client that stops reading while its peer keeps sending, and peers outside the
 * allowed set. Each gets its error code or is dropped and counted, the server keeps no state for strangers, and
 * paranoid leak detection checks every buffer a half-read frame held.
 */
class TurnHostileInputTest {

    private static final byte[] SECRET = "hostile-secret".getBytes(StandardCharsets.UTF_8);
    private static final String REALM = "junction.test";

    private MediaPlane plane;
    private EmbeddedTurnServer turn;

    private void start(UnaryOperator<TurnSettings> tweak, EmbeddedTurnServer.Limits limits) {
        EmbeddedTurnServerTest.EchoMedia[] media = {new EmbeddedTurnServerTest.EchoMedia()};
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> media[i]);
        Set<InetSocketAddress> mediaAddresses = new HashSet<>();
        for (MediaSocket s : plane.sockets()) mediaAddresses.add(new InetSocketAddress("127.0.0.1", s.localAddress().getPort()));
        TurnSettings settings = tweak.apply(TurnSettings.defaults(REALM, SECRET, mediaAddresses));
        turn = EmbeddedTurnServer.start(plane, List.of(media), settings, new EmbeddedTurnServer.Listen("127.0.0.1", 0, 0,
                null, List.of("127.0.0.1"), 0, 0, limits));
    }

    @AfterEach
    void stop() {
        if (turn != null) turn.close();
        if (plane != null) plane.close();
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what.get());
            Thread.sleep(1);
        }
    }

    @Test
    void shouldChallengeAnUnauthenticatedAllocateFloodWithoutKeepingState() throws Exception {
        start(s -> s, EmbeddedTurnServer.Limits.DEFAULT);
        List<TurnTestClient> strangers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) strangers.add(TurnTestClient.udp(turn.udpAddress(), REALM));
            int rounds = 100;
            for (int round = 0; round < rounds; round++) {
                // One window at a time, each answered before the next: the kernel may not drop what we count.
                for (TurnTestClient c : strangers) c.send(c.requestBytes(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17)));
                for (TurnTestClient c : strangers) assertEquals(401, c.receive().errorCode());
            }
            int flood = rounds * strangers.size();
            assertEquals(flood, turn.core().drops(TurnDropReason.CHALLENGED));
            assertEquals(0, turn.core().allocationCount(), "no allocation for anybody");

            // A signed Allocate with a made-up password is refused too, and the flood left nothing behind: a real
            // client still gets its allocation at once.
            try (TurnTestClient forger = TurnTestClient.udp(turn.udpAddress(), REALM).user("not-the-secret".getBytes(StandardCharsets.UTF_8), "mallory");
                 TurnTestClient honest = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "alice")) {
                assertEquals(401, forger.request(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17)).errorCode());
                assertEquals(1, turn.core().drops(TurnDropReason.REJECTED_UNAUTHENTICATED));
                honest.allocate();
                assertEquals(1, turn.core().allocationCount());
            }
        } finally {
            for (TurnTestClient c : strangers) c.close();
        }
    }

    @Test
    void shouldRefuseConnectionsOverTheSourceLimitAndCloseThoseThatNeverAuthenticate() throws Exception {
        start(s -> s, new EmbeddedTurnServer.Limits(3, 1024, 500, 1 << 20));
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) silent.add(new Socket("127.0.0.1", turn.tcpAddress().getPort()));
            await(() -> turn.counter(EmbeddedTurnServer.STREAMS_ACCEPTED) == 3, () -> "3 accepted, got "
                    + turn.counter(EmbeddedTurnServer.STREAMS_ACCEPTED));
            try (Socket fourth = new Socket("127.0.0.1", turn.tcpAddress().getPort())) {
                fourth.setSoTimeout(10_000);
                assertEquals(-1, fourth.getInputStream().read(), "the fourth connection from one address is closed");
            }
            assertEquals(1, turn.counter(EmbeddedTurnServer.STREAMS_REFUSED_SOURCE_LIMIT));
            // The three that never send anything are closed at the authentication deadline, and counted.
            for (Socket s : silent) {
                s.setSoTimeout(10_000);
                assertEquals(-1, s.getInputStream().read(), "a silent connection is closed by the server");
            }
            assertEquals(3, turn.counter(EmbeddedTurnServer.STREAMS_AUTH_TIMEOUTS));
            // Their slots are free again.
            try (TurnTestClient client = TurnTestClient.tcp(turn.tcpAddress(), REALM).user(SECRET, "bob")) {
                client.allocate();
            }
        } finally {
            for (Socket s : silent) s.close();
        }
    }

    @Test
    void shouldFreeAPartialFrameWithAnOversizedLengthPrefixWhenTheConnectionTimesOut() throws Exception {
        start(s -> s, new EmbeddedTurnServer.Limits(8, 1024, 500, 1 << 20));
        // A STUN header announcing the largest length its 16 bits allow, then a little of it, then silence; and a
        // ChannelData header doing the same. The server holds the partial frame in a pooled buffer until the
        // connection ends: here at its authentication deadline. Paranoid leak detection checks the release.
        byte[] stun = new byte[20 + 300];
        stun[0] = 0x00;
        stun[1] = 0x03; // Allocate request
        stun[2] = (byte) 0xFF;
        stun[3] = (byte) 0xFC;
        stun[4] = 0x21;
        stun[5] = 0x12;
        stun[6] = (byte) 0xA4;
        stun[7] = 0x42;
        byte[] channelData = {0x40, 0x01, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8};
        for (byte[] prefix : new byte[][] {stun, channelData}) {
            try (Socket s = new Socket("127.0.0.1", turn.tcpAddress().getPort())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(prefix);
                out.flush();
                assertEquals(-1, s.getInputStream().read(), "the server closes the connection that never completes a frame");
            }
        }
        assertEquals(2, turn.counter(EmbeddedTurnServer.STREAMS_AUTH_TIMEOUTS));
        assertEquals(0, turn.core().drops(TurnDropReason.MALFORMED_STUN), "a partial frame is never parsed");
    }

    @Test
    void shouldDropAndCountDataForAClientThatStopsReading() throws Exception {
        // A peer the policy allows (a loopback socket), no bandwidth budget, and a 64 KiB write high-water mark.
        start(s -> s.withAllowedPeerRanges(List.of(IpRange.parse("127.0.0.1/32"))), new EmbeddedTurnServer.Limits(8, 1024, 10_000, 64 * 1024));
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(turn.tcpAddress());
        try (TurnTestClient client = TurnTestClient.over(socket, REALM).user(SECRET, "slow");
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = client.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4000, peerAddress).type());
            // The client reads no more. The peer sends until the server has had to drop data for it: the kernel's
            // buffers fill, then the channel's outbound buffer up to the mark, and what follows is dropped.
            byte[] payload = new byte[1200];
            DatagramPacket datagram = new DatagramPacket(payload, payload.length, relay);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (turn.counter(EmbeddedTurnServer.CLIENT_SEND_DROPPED) == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("nothing dropped for the slow reader after "
                            + turn.counter(EmbeddedTurnServer.BYTES_TO_CLIENTS) + " bytes sent to it");
                }
                for (int i = 0; i < 64; i++) peer.send(datagram);
                Thread.sleep(1);
            }
            long dropped = turn.counter(EmbeddedTurnServer.CLIENT_SEND_DROPPED);
            // Nothing is queued without bound: what the server wrote towards the client is at most what the kernel
            // holds (a few MB on loopback) plus the mark.
            assertTrue(turn.counter(EmbeddedTurnServer.BYTES_TO_CLIENTS) < 64L << 20,
                    "bytes to the client: " + turn.counter(EmbeddedTurnServer.BYTES_TO_CLIENTS));
            // The connection and the allocation survive: the client reads again and still gets the peer's data.
            TurnTestClient.Message first = client.receive();
            assertEquals(0x4000, first.channel());
            assertEquals(payload.length, first.data().length);
            assertEquals(1, turn.core().allocationCount());
            assertTrue(dropped > 0);
        }
    }

    @Test
    void shouldRefuseAndDropEveryWayToAPeerOutsideTheAllowedSet() throws Exception {
        start(s -> s, EmbeddedTurnServer.Limits.DEFAULT);
        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "carol");
             DatagramSocket outsider = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = client.allocate();
            InetSocketAddress outside = (InetSocketAddress) outsider.getLocalSocketAddress();
            assertEquals(403, client.createPermission(new InetSocketAddress("192.0.2.7", 3478)).errorCode(), "not one of our IPs");
            assertEquals(403, client.channelBind(0x4000, outside).errorCode(), "our IP, but a port that is not a media socket");
            assertEquals(2, turn.core().drops(TurnDropReason.REJECTED_FORBIDDEN));
            // A permission names an IP only (RFC 8656 §9), so our own media IP gets one; the port is checked on
            // every datagram instead: to the outsider's port and from it, both are dropped and counted.
            assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, client.createPermission(outside).type());
            client.sendIndication(outside, "let me out".getBytes(StandardCharsets.UTF_8));
            byte[] in = "let me in".getBytes(StandardCharsets.UTF_8);
            outsider.send(new DatagramPacket(in, in.length, relay));
            await(() -> turn.core().drops(TurnDropReason.FORBIDDEN_PEER) == 2,
                    () -> "both datagrams to be dropped as forbidden, got " + turn.core().drops(TurnDropReason.FORBIDDEN_PEER));
            assertEquals(0, turn.core().relayedToPeers(), "nothing left the relay");
        }
    }
}
