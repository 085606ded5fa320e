package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.config.MediaSettings;
import dev.junction.transport.path.Path;
import dev.junction.transport.turn.IpRange;
import dev.junction.transport.turn.TurnDropReason;
import dev.junction.transport.turn.TurnMethod;
import dev.junction.transport.turn.TurnSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded TURN server on real loopback sockets (issue 10): allocations over UDP, TCP and TLS, data to a peer
 * socket and back through the kernel, the in-process short-circuit to our own media sockets (on loop 0 and on
 * another loop), the not-open-relay policy, quotas, stream framing across split reads, and garbage. Buffers are
 * checked by paranoid leak detection.
 */
class EmbeddedTurnServerTest {

    private static final byte[] SECRET = "test-secret".getBytes(StandardCharsets.UTF_8);
    private static final String REALM = "junction.test";

    /** A media loop's receiver: records kernel datagrams, and echoes what TURN relays in process back on its path. */
    static final class EchoMedia implements DatagramReceiver, RelayedReceiver {
        final BlockingQueue<String> relayed = new LinkedBlockingQueue<>();
        volatile int kernelDatagrams;
        volatile int closedPaths;

        @Override
        public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
            kernelDatagrams++;
        }

        @Override
        public void onRelayed(Path path, ByteBuf datagram, long nowNs) {
            String text = datagram.toString(StandardCharsets.UTF_8);
            relayed.add(path.remoteAddress() + " " + text + " on " + Thread.currentThread().getName());
            path.send(Unpooled.copiedBuffer("echo:" + text, StandardCharsets.UTF_8));
        }

        @Override
        public void onRelayClosed(Path path) {
            closedPaths++;
        }
    }

    private MediaPlane plane;
    private EchoMedia[] media;
    private EmbeddedTurnServer turn;

    private void start(UnaryOperator<TurnSettings> tweak) {
        media = new EchoMedia[] {new EchoMedia(), new EchoMedia()};
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1")), i -> media[i]);
        Set<InetSocketAddress> mediaAddresses = new HashSet<>();
        for (MediaSocket s : plane.sockets()) mediaAddresses.add(new InetSocketAddress("127.0.0.1", s.localAddress().getPort()));
        TurnSettings settings = tweak.apply(TurnSettings.defaults(REALM, SECRET, mediaAddresses));
        turn = EmbeddedTurnServer.start(plane, List.of(media), settings, new EmbeddedTurnServer.Listen("127.0.0.1", 0, -1,
                TurnTls.selfSigned(List.of("127.0.0.1")), List.of("127.0.0.1"), 0, 0, EmbeddedTurnServer.Limits.DEFAULT));
    }

    @AfterEach
    void stop() {
        if (turn != null) turn.close();
        if (plane != null) plane.close();
    }

    private InetSocketAddress mediaAddress(int loop) {
        return new InetSocketAddress("127.0.0.1", plane.sockets().get(loop).localAddress().getPort());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void shouldRelayUdpToAnAllowedPeerAndBackThroughTheKernel() throws Exception {
        start(s -> s.withAllowedPeerRanges(List.of(IpRange.parse("127.0.0.1/32"))));
        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "alice");
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(5000);
            InetSocketAddress relay = client.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, client.createPermission(peerAddress).type());
            client.sendIndication(peerAddress, "hello peer".getBytes(StandardCharsets.UTF_8));
            DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
            peer.receive(got);
            assertEquals("hello peer", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            assertEquals(relay, got.getSocketAddress(), "the peer sees the relayed address");

            byte[] back = "hello client".getBytes(StandardCharsets.UTF_8);
            peer.send(new DatagramPacket(back, back.length, relay));
            TurnTestClient.Message data = client.receive();
            assertEquals(StunMessageType.DATA_INDICATION, data.type());
            assertEquals(peerAddress, data.peer());
            assertArrayEquals(back, data.data());

            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4001, peerAddress).type());
            client.channelData(0x4001, "over a channel".getBytes(StandardCharsets.UTF_8));
            peer.receive(got);
            assertEquals("over a channel", new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
            peer.send(new DatagramPacket(back, back.length, relay));
            TurnTestClient.Message channel = client.receive();
            assertEquals(0x4001, channel.channel());
            assertArrayEquals(back, channel.data());

            assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, client.refresh(0).type());
            await(() -> turn.core().publishedAllocationCount() == 0, "the allocation to go");
            assertTrue(turn.core().relayedToPeers() >= 2);
            assertTrue(turn.core().answers(TurnMethod.ALLOCATE, false) >= 1);
            assertTrue(turn.core().answers(TurnMethod.ALLOCATE, true) >= 1, "the first Allocate is challenged (401)");
        }
    }

    @Test
    void shouldRelayEveryClientToAKernelPeerAndBack() throws Exception {
        start(s -> s.withAllowedPeerRanges(List.of(IpRange.parse("127.0.0.1/32"))));
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(5000);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            for (int i = 0; i < 3; i++) {
                try (TurnTestClient client = (i == 1 ? TurnTestClient.tcp(turn.tcpAddress(), REALM) : i == 2
                        ? TurnTestClient.tls(turn.tlsAddress(), REALM) : TurnTestClient.udp(turn.udpAddress(), REALM)).user(SECRET, "u" + i)) {
                    InetSocketAddress relay = client.allocate();
                    assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4001, peerAddress).type());
                    client.channelData(0x4001, ("to peer " + i).getBytes(StandardCharsets.UTF_8));
                    DatagramPacket got = new DatagramPacket(new byte[2048], 2048);
                    peer.receive(got);
                    assertEquals(relay, got.getSocketAddress());
                    byte[] back = ("back " + i).getBytes(StandardCharsets.UTF_8);
                    peer.send(new DatagramPacket(back, back.length, relay));
                    assertArrayEquals(back, client.receive().data(), "client " + i + " got the peer's answer");
                }
            }
        }
    }

    @Test
    void shouldShortCircuitDataToOurOwnMediaSocketsOnEveryLoop() throws Exception {
        start(UnaryOperator.identity());
        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "bob")) {
            InetSocketAddress relay = client.allocate();
            for (int loop = 0; loop < 2; loop++) {
                InetSocketAddress target = mediaAddress(loop);
                int channel = 0x4000 + loop;
                assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(channel, target).type());
                client.channelData(channel, ("ping" + loop).getBytes(StandardCharsets.UTF_8));
                String seen = media[loop].relayed.poll(5, TimeUnit.SECONDS);
                assertNotNull(seen, "loop " + loop + " got the relayed datagram in process");
                assertTrue(seen.startsWith(relay + " ping" + loop), seen);
                TurnTestClient.Message echo = client.receive();
                assertEquals(channel, echo.channel());
                assertEquals("echo:ping" + loop, new String(echo.data(), StandardCharsets.UTF_8));
            }
            // Also by Send indication, answered as a Data indication.
            assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, client.createPermission(mediaAddress(1)).type());
            assertEquals(0, media[0].kernelDatagrams + media[1].kernelDatagrams, "nothing took a second hop through the kernel");
            assertEquals(2, turn.core().relayedLocally());
            assertEquals(0, turn.core().relayedToPeers());
            assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, client.refresh(0).type());
            await(() -> media[0].closedPaths == 1 && media[1].closedPaths == 1, "both relay paths to close");
        }
    }

    @Test
    void shouldDropAndCountWhatAStalledLoopsHandOverRingCannotTake() throws Exception {
        start(UnaryOperator.identity());
        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "dave")) {
            client.allocate();
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4001, mediaAddress(1)).type());
            CountDownLatch stall = new CountDownLatch(1);
            assertTrue(plane.loops().get(1).execute(() -> {
                try {
                    stall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            int extra = 100;
            int total = EmbeddedTurnServer.HANDOVER_CAPACITY + extra;
            byte[] payload = "x".getBytes(StandardCharsets.UTF_8);
            // In steps the TURN loop confirms, so the kernel loses none of them.
            for (int sent = 0; sent < total; ) {
                for (int i = 0; i < 64 && sent < total; i++, sent++) client.channelData(0x4001, payload);
                int expected = sent;
                await(() -> turn.core().relayedLocally() == expected, "the TURN loop to relay " + expected);
            }
            assertEquals(extra, turn.drops(TurnDropReason.HANDOVER_FULL), "beyond the ring's capacity, dropped and counted");
            assertEquals(0, media[1].relayed.size(), "the stalled loop saw nothing yet");
            stall.countDown();
            await(() -> media[1].relayed.size() == EmbeddedTurnServer.HANDOVER_CAPACITY, "the ring's packets on the other loop");
            await(() -> turn.core().relayedToClients() == EmbeddedTurnServer.HANDOVER_CAPACITY, "every echo back to the TURN loop");
            assertEquals(extra, turn.drops(TurnDropReason.HANDOVER_FULL), "the echoes fitted in the ring back");
        }
    }

    @Test
    void shouldRefuseAPeerThatIsNotOursWith403() throws Exception {
        start(UnaryOperator.identity());
        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "carol")) {
            client.allocate();
            TurnTestClient.Message refused = client.createPermission(new InetSocketAddress("192.0.2.1", 9));
            assertEquals(403, refused.errorCode());
            // Our own media IP, but not a media port: no channel (it would reach another service on our host).
            assertEquals(403, client.channelBind(0x4002, new InetSocketAddress("127.0.0.1", 22)).errorCode());
            assertEquals(2, turn.core().drops(TurnDropReason.REJECTED_FORBIDDEN));
        }
    }

    @Test
    void shouldAnswer486And508OverSockets() throws Exception {
        start(s -> s.withQuotas(1, 2));
        try (TurnTestClient a = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "dave");
             TurnTestClient b = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "dave");
             TurnTestClient c = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "erin");
             TurnTestClient d = TurnTestClient.tcp(turn.tcpAddress(), REALM).user(SECRET, "frank")) {
            a.allocate();
            assertEquals(486, b.request(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17)).errorCode());
            c.allocate();
            assertEquals(508, d.request(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17)).errorCode());
            assertEquals(1, turn.core().drops(TurnDropReason.REJECTED_QUOTA));
            assertEquals(1, turn.core().drops(TurnDropReason.REJECTED_CAPACITY));
        }
    }

    @Test
    void shouldAllocateOverTcpWithFramesSplitAcrossReads() throws Exception {
        start(UnaryOperator.identity());
        try (TurnTestClient client = TurnTestClient.tcp(turn.tcpAddress(), REALM).user(SECRET, "grace")) {
            // The first Allocate one byte per write: the server must put the frame together across reads.
            client.sendTrickled(client.requestBytes(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17)));
            assertEquals(401, client.receive().errorCode());
            InetSocketAddress relay = client.allocate();
            InetSocketAddress target = mediaAddress(0);
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4000, target).type());
            client.channelData(0x4000, "odd".getBytes(StandardCharsets.UTF_8)); // 3 bytes: padded on a stream
            assertTrue(media[0].relayed.poll(5, TimeUnit.SECONDS).startsWith(relay + " odd"));
            TurnTestClient.Message echo = client.receive();
            assertEquals("echo:odd", new String(echo.data(), StandardCharsets.UTF_8));
        }
        await(() -> turn.core().publishedAllocationCount() == 0, "the allocation to go with its connection");
    }

    @Test
    void shouldAllocateOverTls() throws Exception {
        start(UnaryOperator.identity());
        try (TurnTestClient client = TurnTestClient.tls(turn.tlsAddress(), REALM).user(SECRET, "heidi")) {
            InetSocketAddress relay = client.allocate();
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4000, mediaAddress(1)).type());
            client.channelData(0x4000, "secure".getBytes(StandardCharsets.UTF_8));
            assertTrue(media[1].relayed.poll(5, TimeUnit.SECONDS).startsWith(relay + " secure"));
            assertEquals("echo:secure", new String(client.receive().data(), StandardCharsets.UTF_8));
        }
        await(() -> turn.core().publishedAllocationCount() == 0, "the allocation to go with its connection");
    }

    @Test
    void shouldDropAndCountGarbageOnEveryPort() throws Exception {
        start(UnaryOperator.identity());
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TurnTestClient tcp = TurnTestClient.tcp(turn.tcpAddress(), REALM)) {
            // 0b11 in the top bits: neither STUN (00) nor ChannelData (01), on a datagram or at a stream's frame start.
            byte[] junk = {(byte) 0xC3, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
            udp.send(new DatagramPacket(junk, junk.length, turn.udpAddress()));
            tcp.send(junk);
            assertTrue(tcp.isClosedByServer(), "a stream that is not TURN is closed (end of stream, not a timeout)");
            await(() -> turn.core().drops(TurnDropReason.NOT_TURN) == 1, "the UDP garbage to be counted");
            await(() -> turn.counter(EmbeddedTurnServer.STREAMS_GARBAGE) == 1, "the TCP garbage to be counted");
        }
    }
}
