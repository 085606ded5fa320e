package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunWriter;
import dev.junction.config.MediaSettings;
import dev.junction.transport.UfragRoutes;
import dev.junction.transport.turn.TurnMethod;
import dev.junction.transport.turn.TurnSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-port mode's listener (issue 10) on real loopback sockets with two media loops and the embedded TURN server:
 * TURN over TLS (ALPN {@code stun.turn}) and over TCP through the one port, ICE-TCP moved to the loop its ufrag
 * names with its first frame arriving a byte at a time, HTTP spliced behind a PROXY line, and everything else
 * closed and counted; then the classifier alone on an {@link EmbeddedChannel} with a fake clock. Buffers are
 * checked by paranoid leak detection.
 */
class PublicPortTest {

    private static final byte[] SECRET = "test-secret".getBytes(StandardCharsets.UTF_8);
    private static final String REALM = "junction.test";
    /** Tight limits so that refusals show quickly: 2 unclassified per source, 2 s to decide, 4 KiB of preamble. */
    private static final PublicPort.Limits LIMITS = new PublicPort.Limits(2, 64, 2_000, 4096, 1 << 20);

    /** A loop's ICE-TCP receiver: records each frame with whether it arrived on that loop. */
    static final class Frames implements FrameReceiver {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        MediaLoop loop;

        @Override
        public void onFrame(IceTcpConnection connection, ByteBuf frame, long nowNs) {
            frames.add(frame.readableBytes() + " bytes, on its loop: " + loop.inLoop());
        }

        @Override
        public void onClosed(IceTcpConnection connection) {
        }
    }

    private MediaPlane plane;
    private EmbeddedTurnServer turn;
    private PublicPort port;
    private final UfragRoutes routes = new UfragRoutes();
    private final Frames[] frames = {new Frames(), new Frames()};
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() {
        EmbeddedTurnServerTest.EchoMedia[] media = {new EmbeddedTurnServerTest.EchoMedia(), new EmbeddedTurnServerTest.EchoMedia()};
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1")), i -> media[i]);
        Set<InetSocketAddress> mediaAddresses = new HashSet<>();
        for (MediaSocket s : plane.sockets()) mediaAddresses.add(new InetSocketAddress("127.0.0.1", s.localAddress().getPort()));
        turn = EmbeddedTurnServer.start(plane, List.of(media), TurnSettings.defaults(REALM, SECRET, mediaAddresses),
                new EmbeddedTurnServer.Listen("127.0.0.1", 0, 0, null, List.of("127.0.0.1"), 0, 0, EmbeddedTurnServer.Limits.DEFAULT));
        List<IceTcpListener> adopters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            frames[i].loop = plane.loops().get(i);
            adopters.add(plane.adoptingTcp(i, frames[i], IceTcpListener.Limits.DEFAULT));
        }
        TlsIdentity identity = TlsIdentity.selfSigned("junction-test", List.of("127.0.0.1"), List.of("turn.example.com"));
        port = PublicPort.start(plane, new InetSocketAddress("127.0.0.1", 0), adopters, routes, turn,
                identity.sslContext(PublicPort.ALPN_TURN), "turn.example.com", true, LIMITS);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (port != null) port.close();
        if (turn != null) turn.close();
        if (plane != null) plane.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(port.localAddress().getAddress(), port.localAddress().getPort());
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        sockets.add(s);
        return s;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    /** Whether the server closed {@code s}: a read sees the end of the stream (or a reset). */
    private static boolean closedByServer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void shouldAllocateOverTlsWithAlpnStunTurnThroughThePublicPort() throws Exception {
        try (TurnTestClient client = TurnTestClient.tls(port.localAddress(), REALM, PublicPort.ALPN_TURN).user(SECRET, "alice")) {
            assertEquals(PublicPort.ALPN_TURN, client.applicationProtocol(), "RFC 7443: the server answers with stun.turn");
            client.allocate();
            assertEquals(1, turn.core().answers(TurnMethod.ALLOCATE, true), "the first Allocate got the 401 challenge");
            assertEquals(1, turn.core().answers(TurnMethod.ALLOCATE, false));
        }
        assertEquals(1, port.connections(PublicPort.Protocol.TURN_TLS));
        await(() -> turn.core().publishedAllocationCount() == 0, "the allocation to go with its connection");
    }

    @Test
    void shouldAllocateOverTcpThroughThePublicPort() throws Exception {
        try (TurnTestClient client = TurnTestClient.tcp(port.localAddress(), REALM).user(SECRET, "bob")) {
            client.allocate();
        }
        assertEquals(1, port.connections(PublicPort.Protocol.TURN_TCP));
    }

    /** A Binding request with USERNAME {@code user}, framed as RFC 4571 says. */
    private static byte[] framedCheck(String user) {
        StunWriter writer = new StunWriter();
        ByteBuf stun = Unpooled.buffer();
        writer.begin(stun, StunMessageType.BINDING_REQUEST, new byte[12]).username(user);
        writer.finish();
        byte[] out = new byte[2 + stun.readableBytes()];
        out[0] = (byte) (stun.readableBytes() >> 8);
        out[1] = (byte) stun.readableBytes();
        stun.readBytes(out, 2, stun.readableBytes());
        stun.release();
        return out;
    }

    @Test
    void shouldMoveAnIceTcpConnectionToTheLoopItsUfragNames() throws Exception {
        routes.add("srvfrag", 1);
        byte[] check = framedCheck("srvfrag:clientfrag");
        Socket s = connect();
        OutputStream out = s.getOutputStream();
        for (byte b : check) {
            out.write(b); // a byte at a time: the classifier waits for the whole first frame
            out.flush();
        }
        assertEquals((check.length - 2) + " bytes, on its loop: true", frames[1].frames.poll(5, TimeUnit.SECONDS));
        out.write(check); // the next frame reads straight into the adopted connection
        assertEquals((check.length - 2) + " bytes, on its loop: true", frames[1].frames.poll(5, TimeUnit.SECONDS));
        assertNull(frames[0].frames.poll());
        assertEquals(1, port.connections(PublicPort.Protocol.ICE_TCP));
        assertEquals(1, port.adopter(1).openConnections());

        Socket stranger = connect();
        stranger.getOutputStream().write(framedCheck("nobody:clientfrag"));
        assertTrue(closedByServer(stranger));
        await(() -> port.refusals(PublicPort.Refusal.UNKNOWN_UFRAG) == 1, "the unknown ufrag to be counted");
    }

    @Test
    void shouldSpliceHttpToTheBackendBehindAProxyLine() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port.backends(new PublicPort.Backends(null, (InetSocketAddress) backend.getLocalSocketAddress()));
            Socket s = connect();
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            try (Socket accepted = backend.accept()) {
                accepted.setSoTimeout(5000);
                String expectedProxy = "PROXY TCP4 127.0.0.1 127.0.0.1 " + s.getLocalPort() + " " + port.localAddress().getPort() + "\r\n";
                String expected = expectedProxy + "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
                byte[] got = new byte[expected.length()];
                new DataInputStream(accepted.getInputStream()).readFully(got);
                assertEquals(expected, new String(got, StandardCharsets.US_ASCII));
                // A large answer, to pass through back-pressure.
                byte[] answer = new byte[4 << 20];
                accepted.getOutputStream().write(answer);
                byte[] read = new DataInputStream(s.getInputStream()).readNBytes(answer.length);
                assertEquals(answer.length, read.length);
            }
            assertTrue(closedByServer(s), "the backend's close reaches the client");
        }
        assertEquals(1, port.connections(PublicPort.Protocol.HTTP));
    }

    @Test
    void shouldCloseAndCountGarbageSilenceOverlongPreamblesAndCrowds() throws Exception {
        Socket garbage = connect();
        garbage.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(closedByServer(garbage));
        await(() -> port.refusals(PublicPort.Refusal.UNKNOWN_PROTOCOL) == 1, "garbage to be counted");

        Socket overlong = connect();
        // A TLS record header, then more than the preamble limit without a whole ClientHello.
        byte[] tls = new byte[LIMITS.maxPreambleBytes() + 100];
        tls[0] = 22;
        tls[1] = 3;
        tls[2] = 1;
        tls[3] = 0x40;
        tls[4] = 0x00;
        tls[5] = 1;
        tls[6] = 0;
        tls[7] = 0x3F;
        tls[8] = (byte) 0xFC;
        try {
            overlong.getOutputStream().write(tls);
        } catch (IOException e) {
            // Closed while we wrote: that is the point.
        }
        assertTrue(closedByServer(overlong));
        await(() -> port.refusals(PublicPort.Refusal.PREAMBLE_TOO_LONG) == 1, "the overlong preamble to be counted");

        Socket silent1 = connect();
        Socket silent2 = connect();
        Socket third = connect();
        assertTrue(closedByServer(third), "a third unclassified connection from one address is refused");
        await(() -> port.refusals(PublicPort.Refusal.SOURCE_LIMIT) == 1, "the source limit to be counted");
        assertTrue(closedByServer(silent1));
        assertTrue(closedByServer(silent2));
        await(() -> port.refusals(PublicPort.Refusal.TIMEOUT) == 2, "the silent connections to be counted");
    }

    // ---- the classifier alone ------------------------------------------------------------------------------

    /** An embedded channel with an IP remote address, as an accepted connection has. */
    private static final class Accepted extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("192.0.2.7", 40000);
        }
    }

    private static EmbeddedChannel classifierChannel(PublicPort port) {
        Accepted channel = new Accepted();
        // Time stands still unless a test advances it: the classifier's timeout must not race a busy machine's clock.
        channel.freezeTime();
        channel.pipeline().addLast(new PreambleClassifier(port, channel));
        return channel;
    }

    @Test
    void shouldWaitByteByByteThenRefuseHttpsWithoutABackend() throws Exception {
        // No backends set: a ClientHello for HTTPS is classified, then refused as backend_unavailable. ALPN h2 with a
        // server name that is not the TURN name means HTTPS.
        byte[] hello = httpsHello();
        EmbeddedChannel channel = classifierChannel(port);
        for (int i = 0; i < hello.length - 1; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {hello[i]}));
            assertTrue(channel.isOpen(), "still waiting after " + (i + 1) + " bytes");
        }
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {hello[hello.length - 1]}));
        assertFalse(channel.isOpen());
        // Counted once: by its refusal, not as an HTTPS connection it never became.
        assertEquals(0, port.connections(PublicPort.Protocol.HTTPS));
        assertEquals(1, port.refusals(PublicPort.Refusal.BACKEND_UNAVAILABLE));
        assertFalse(channel.finish());
    }

    @Test
    void shouldTimeOutASilentConnectionOnTheFakeClock() {
        EmbeddedChannel channel = classifierChannel(port);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3}));
        channel.advanceTimeBy(LIMITS.preambleTimeoutMs() - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertEquals(1, port.refusals(PublicPort.Refusal.TIMEOUT));
        assertFalse(channel.finish());
    }

    @Test
    void shouldRefuseGarbageAndTurnTlsWhenTold() throws Exception {
        EmbeddedChannel garbage = classifierChannel(port);
        garbage.writeInbound(Unpooled.copiedBuffer("HELO example.com\r\n", StandardCharsets.US_ASCII));
        assertFalse(garbage.isOpen());
        assertEquals(1, port.refusals(PublicPort.Refusal.UNKNOWN_PROTOCOL));
        assertFalse(garbage.finish());

        byte[] broken = httpsHello();
        broken[5] = 2; // a ServerHello where a ClientHello belongs
        EmbeddedChannel bad = classifierChannel(port);
        bad.writeInbound(Unpooled.wrappedBuffer(broken));
        assertFalse(bad.isOpen());
        assertEquals(1, port.refusals(PublicPort.Refusal.BAD_TLS));
        assertFalse(bad.finish());
    }

    /** A ClientHello from the JDK for server name "www.example.com" offering h2 and http/1.1, captured in process. */
    private static byte[] httpsHello() throws Exception {
        javax.net.ssl.SSLEngine engine = javax.net.ssl.SSLContext.getDefault().createSSLEngine("www.example.com", 443);
        engine.setUseClientMode(true);
        javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName("www.example.com")));
        engine.setSSLParameters(parameters);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }
}
