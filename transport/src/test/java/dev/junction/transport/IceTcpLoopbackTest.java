package dev.junction.transport;

import static dev.junction.transport.WebRtcTransportLoopbackTest.CLIENT_CERT;
import static dev.junction.transport.WebRtcTransportLoopbackTest.ONE_LOOP;
import static dev.junction.transport.WebRtcTransportLoopbackTest.SERVER_CERT;
import static dev.junction.transport.WebRtcTransportLoopbackTest.check;
import static dev.junction.transport.WebRtcTransportLoopbackTest.onLoop;
import static dev.junction.transport.WebRtcTransportLoopbackTest.rtp;
import static dev.junction.transport.WebRtcTransportLoopbackTest.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.transport.WebRtcTransportLoopbackTest.Recorder;
import dev.junction.transport.socket.IceTcpConnection;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ICE-TCP (RFC 6544) over real loopback TCP: the client role's active connection against the server role's
 * passive listener, RFC 4571 framing both ways, and the listener's bounds against connections that never
 * authenticate, too many from one source, and a peer that stops reading.
 */
class IceTcpLoopbackTest {

    private MediaPlane serverPlane;
    private MediaPlane clientPlane;
    private final MediaDemux serverDemux = new MediaDemux();
    private final MediaDemux clientDemux = new MediaDemux();
    private final Recorder server = new Recorder();
    private final Recorder client = new Recorder();
    private IceTcpListener listener;
    private final List<Socket> raw = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : raw) s.close();
        if (clientPlane != null) clientPlane.close();
        if (serverPlane != null) serverPlane.close();
    }

    private void listen(IceTcpListener.Limits limits) {
        serverPlane = MediaPlane.start(ONE_LOOP, i -> serverDemux);
        listener = serverPlane.listenTcp(0, new InetSocketAddress("127.0.0.1", 0), serverDemux, limits);
    }

    private record Pair(WebRtcTransport server, WebRtcTransport client, IceTcpConnection connection,
                        IceCredentials serverIce, IceCredentials clientIce) {
    }

    private Pair connect(IceTcpListener.Limits limits) throws Exception {
        listen(limits);
        clientPlane = MediaPlane.start(ONE_LOOP, i -> clientDemux);
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, server);
        serverSide.start();
        IceTcpConnection connection = clientPlane.connectTcp(0, listener.localAddress(), clientDemux).get(10, TimeUnit.SECONDS);
        WebRtcTransport clientSide = WebRtcTransport.client(clientPlane.loops().get(0), clientDemux, clientIce, serverIce,
                List.of(connection.path()), CLIENT_CERT, List.of(SERVER_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT,
                new Random(1), client);
        clientSide.start();
        assertNotNull(client.connected.get(20, TimeUnit.SECONDS));
        assertNotNull(server.connected.get(20, TimeUnit.SECONDS));
        return new Pair(serverSide, clientSide, connection, serverIce, clientIce);
    }

    @Test
    void shouldConnectOverIceTcpAndCarrySrtpBothWays() throws Exception {
        Pair pair = connect(IceTcpListener.Limits.DEFAULT);
        assertEquals(WebRtcTransport.State.CONNECTED, pair.server.state());
        InetSocketAddress clientEnd = onLoop(pair.client, () -> pair.connection.path().connection().remoteAddress());
        assertEquals(listener.localAddress(), clientEnd);
        assertTrue(onLoop(pair.server, () -> pair.server.path().toString()).startsWith("tcp:"), "the session sends on the TCP path");
        // Small and large packets, both ways; the large ones exceed what one TCP segment carries on loopback's MTU.
        for (int i = 0; i < 50; i++) {
            byte[] up = rtp(0x11111111, i, "x".repeat(i % 2 == 0 ? 20 : 1200));
            byte[] down = rtp(0x22222222, i, "y".repeat(i % 2 == 0 ? 1200 : 20));
            send(pair.client, up, false);
            send(pair.server, down, false);
            assertArrayEquals(up, server.rtp.poll(5, TimeUnit.SECONDS), "server decrypts client packet " + i);
            assertArrayEquals(down, client.rtp.poll(5, TimeUnit.SECONDS), "client decrypts server packet " + i);
        }
        assertEquals(1, (int) onLoop(pair.server, serverDemux::boundAddressCount), "one connection, one path");
        assertEquals(1, listener.openConnections());
        assertTrue(listener.counter(IceTcpListener.FRAMES_IN) > 50 && listener.counter(IceTcpListener.FRAMES_OUT) > 50);
        // Every SRTP packet is at least its 12-byte header and 10-byte tag; STUN and DTLS frames are bigger still.
        assertTrue(listener.counter(IceTcpListener.BYTES_IN) >= 22 * listener.counter(IceTcpListener.FRAMES_IN));
        assertTrue(listener.counter(IceTcpListener.BYTES_OUT) >= 22 * listener.counter(IceTcpListener.FRAMES_OUT));
        assertEquals(0, listener.counter(IceTcpListener.SEND_DROPPED));
    }

    @Test
    void shouldFreeThePathWhenTheConnectionClosesAndCloseTheConnectionWhenTheSessionEnds() throws Exception {
        Pair pair = connect(IceTcpListener.Limits.DEFAULT);
        pair.connection.close();
        awaitCondition(() -> call(() -> onLoop(pair.server, pair.server::pathCount)) == 0, () -> "the server session's path is gone");
        assertEquals(0, (int) onLoop(pair.server, serverDemux::boundAddressCount));
        assertEquals(null, onLoop(pair.server, pair.server::path), "nothing to send on");
        awaitCondition(() -> listener.openConnections() == 0, () -> listener.openConnections() + " open");

        // A second session over a fresh connection; this time the session ends first and its connection follows.
        serverPlane.close();
        clientPlane.close();
        Recorder server2 = new Recorder();
        MediaDemux demux = new MediaDemux();
        serverPlane = MediaPlane.start(ONE_LOOP, i -> demux);
        listener = serverPlane.listenTcp(0, new InetSocketAddress("127.0.0.1", 0), demux, IceTcpListener.Limits.DEFAULT);
        clientPlane = MediaPlane.start(ONE_LOOP, i -> clientDemux);
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), demux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, server2);
        serverSide.start();
        Socket socket = rawClient();
        writeFrame(socket.getOutputStream(), check(serverIce.ufrag() + ":" + clientIce.ufrag(), serverIce.pwd()));
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, readStun(socket));
        awaitCondition(() -> call(() -> onLoop(serverSide, serverSide::pathCount)) == 1, () -> "authorized");
        serverSide.closeAsync("test over");
        assertEquals(-1, readUntilClosed(socket), "the connection closed with its session");
        awaitCondition(() -> listener.openConnections() == 0, () -> listener.openConnections() + " open");
    }

    /**
     * A session connected over UDP moves to ICE-TCP when the client nominates a TCP pair (a browser whose network
     * starts blocking UDP does so after an ICE restart): the server then sends on the TCP connection.
     */
    @Test
    void shouldMoveAUdpSessionToTcpOnANewNomination() throws Exception {
        listen(IceTcpListener.Limits.DEFAULT);
        clientPlane = MediaPlane.start(ONE_LOOP, i -> clientDemux);
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, server);
        serverSide.start();
        WebRtcTransport clientSide = WebRtcTransport.client(clientPlane.sockets().get(0), clientDemux, clientIce, serverIce,
                List.of(serverPlane.sockets().get(0).localAddress()), CLIENT_CERT, List.of(SERVER_CERT.fingerprint()),
                WebRtcTransport.Options.DEFAULT, new Random(3), client);
        clientSide.start();
        assertNotNull(server.connected.get(20, TimeUnit.SECONDS));
        assertTrue(onLoop(serverSide, () -> serverSide.path().toString()).startsWith("udp:"));

        Socket socket = rawClient();
        writeFrame(socket.getOutputStream(), check(serverIce.ufrag() + ":" + clientIce.ufrag(), serverIce.pwd(), true));
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, readStun(socket));
        awaitCondition(() -> call(() -> onLoop(serverSide, () -> serverSide.path().toString())).startsWith("tcp:"),
                () -> "the session moved to the TCP path: " + call(() -> onLoop(serverSide, () -> serverSide.path().toString())));
        long framesOut = listener.counter(IceTcpListener.FRAMES_OUT);
        send(serverSide, rtp(0x22222222, 1, "over tcp now"), false);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readUnsignedShort()];
        in.readFully(frame);
        assertEquals(0x80, frame[0] & 0xC0, "an SRTP (or SRTCP) packet came over the TCP connection");
        assertTrue(listener.counter(IceTcpListener.FRAMES_OUT) > framesOut);
    }

    /**
     * The way back: a session connected over ICE-TCP moves to UDP when the client nominates a UDP pair (a network
     * that stops blocking UDP, or a client that checks its UDP pairs again after an ICE restart); the server then
     * sends on the UDP path, and the TCP connection stays open as a bound path until it closes.
     */
    @Test
    void shouldMoveATcpSessionToUdpOnANewNomination() throws Exception {
        Pair pair = connect(IceTcpListener.Limits.DEFAULT);
        assertTrue(onLoop(pair.server, () -> pair.server.path().toString()).startsWith("tcp:"));
        IceCredentials serverIce = pair.serverIce;
        IceCredentials clientIce = pair.clientIce;
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            udp.setSoTimeout(10_000);
            InetSocketAddress serverUdp = serverPlane.sockets().get(0).localAddress();
            byte[] request = check(serverIce.ufrag() + ":" + clientIce.ufrag(), serverIce.pwd(), true);
            udp.send(new java.net.DatagramPacket(request, request.length, serverUdp));
            java.net.DatagramPacket response = new java.net.DatagramPacket(new byte[1500], 1500);
            udp.receive(response);
            ByteBuf reply = Unpooled.wrappedBuffer(response.getData(), 0, response.getLength());
            try {
                StunMessage parsed = new StunMessage();
                assertEquals(StunParseResult.OK, parsed.wrap(reply, 0, response.getLength()));
                assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, parsed.messageType());
            } finally {
                reply.release();
            }
            awaitCondition(() -> call(() -> onLoop(pair.server, () -> pair.server.path().toString())).startsWith("udp:"),
                    () -> "the session moved to the UDP path: " + call(() -> onLoop(pair.server, () -> pair.server.path().toString())));
            assertEquals(2, (int) onLoop(pair.server, pair.server::pathCount), "the TCP path stays bound beside the UDP one");
            long framesOut = listener.counter(IceTcpListener.FRAMES_OUT);
            send(pair.server, rtp(0x22222222, 1, "over udp now"), false);
            java.net.DatagramPacket media = new java.net.DatagramPacket(new byte[1500], 1500);
            udp.receive(media);
            assertEquals(0x80, media.getData()[0] & 0xC0, "an SRTP packet came over UDP");
            assertEquals(framesOut, listener.counter(IceTcpListener.FRAMES_OUT), "nothing more went out on the TCP connection");
        }
    }

    /** Frames split over many TCP segments, and several frames in one segment, reach the session whole. */
    @Test
    void shouldReassembleFramesSplitAndCoalescedAcrossReads() throws Exception {
        listen(IceTcpListener.Limits.DEFAULT);
        SecureRandom random = new SecureRandom();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                SERVER_CERT, List.of(CLIENT_CERT.fingerprint()), WebRtcTransport.Options.DEFAULT, server);
        serverSide.start();
        Socket socket = rawClient();
        OutputStream out = socket.getOutputStream();
        byte[] request = check(serverIce.ufrag() + ":" + clientIce.ufrag(), serverIce.pwd());
        byte[] framed = frame(request);
        for (byte b : framed) { // one byte per segment (TCP_NODELAY): the length itself arrives split
            out.write(b);
            out.flush();
        }
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, readStun(socket));
        byte[] three = new byte[framed.length * 3];
        for (int i = 0; i < 3; i++) System.arraycopy(framed, 0, three, i * framed.length, framed.length);
        out.write(three);
        out.flush();
        for (int i = 0; i < 3; i++) assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, readStun(socket), "answer " + i);
        // An empty frame and a frame of garbage are dropped and counted; the connection stays.
        long notWebRtc = serverDemux.drops(DropReason.NOT_WEBRTC);
        out.write(new byte[] {0, 0, 0, 3, 'x', 'y', 'z'});
        out.write(framed);
        out.flush();
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, readStun(socket));
        assertEquals(notWebRtc + 2, serverDemux.drops(DropReason.NOT_WEBRTC));
    }

    @Test
    void shouldCloseConnectionsThatNeverAuthenticate() throws Exception {
        listen(new IceTcpListener.Limits(8, 1024, 300, 1 << 20));
        Socket silent = rawClient();
        Socket forger = rawClient();
        // Checks for a ufrag nobody has: dropped, and they do not make the connection authenticated.
        writeFrame(forger.getOutputStream(), check("nobody:nothing", "password-of-nobody-123"));
        assertEquals(-1, readUntilClosed(silent));
        assertEquals(-1, readUntilClosed(forger));
        awaitCondition(() -> listener.counter(IceTcpListener.AUTH_TIMEOUTS) == 2, () -> listener.counter(IceTcpListener.AUTH_TIMEOUTS) + " timeouts");
        awaitCondition(() -> listener.openConnections() == 0, () -> listener.openConnections() + " open");
        assertEquals(1, serverDemux.drops(DropReason.STUN_NO_SESSION));
    }

    @Test
    void shouldRefuseUnauthenticatedConnectionsBeyondTheLimitPerSource() throws Exception {
        listen(new IceTcpListener.Limits(2, 1024, 60_000, 1 << 20));
        rawClient();
        rawClient();
        awaitCondition(() -> listener.openConnections() == 2, () -> listener.openConnections() + " open");
        Socket third = rawClient();
        assertEquals(-1, readUntilClosed(third), "the third unauthenticated connection from one address is closed");
        assertEquals(1, listener.counter(IceTcpListener.REFUSED_SOURCE_LIMIT));
        assertEquals(2, listener.openConnections(), "the first two stay");
    }

    /**
     * A peer whose process stalls stops reading: its TCP window fills, then the server's queue for it reaches its
     * high water mark, and media beyond it is dropped and counted instead of buffered. Once it reads again, new
     * media arrives.
     */
    @Test
    void shouldDropMediaForAPeerThatStopsReadingAndServeItAgainAfter() throws Exception {
        Pair pair = connect(new IceTcpListener.Limits(8, 1024, 5_000, 64 * 1024));
        CompletableFuture<Void> release = new CompletableFuture<>(); // join() waits uninterruptibly
        CountDownLatch holding = new CountDownLatch(1);
        pair.client.eventLoop().execute(() -> {
            holding.countDown();
            release.join();
        });
        int sent = 0;
        try {
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            byte[] payload = rtp(0x22222222, 0, "z".repeat(1100));
            // Far more than the kernel's buffers and the 64 KiB high water mark hold together, in steps that wait
            // on the condition rather than on time.
            while (listener.counter(IceTcpListener.SEND_DROPPED) == 0) {
                assertTrue(sent < 200_000, "nothing dropped after " + sent + " packets");
                for (int i = 0; i < 100; i++, sent++) {
                    payload[2] = (byte) (sent >> 8);
                    payload[3] = (byte) sent;
                    send(pair.server, payload, false);
                }
            }
        } finally {
            release.complete(null);
        }
        long dropped = listener.counter(IceTcpListener.SEND_DROPPED);
        // Everything that was queued arrives (TCP loses nothing it accepted), then the connection takes media again.
        long queued = sent - dropped;
        long[] drained = new long[1];
        awaitCondition(() -> {
            while (client.rtp.poll() != null) drained[0]++;
            return drained[0] == queued;
        }, () -> drained[0] + " received of the " + queued + " queued (" + dropped + " dropped)");
        byte[] marker = rtp(0x22222222, sent, "after the stall");
        send(pair.server, marker, false);
        assertArrayEquals(marker, client.rtp.poll(10, TimeUnit.SECONDS), "the packet sent after the stall arrived");
        assertEquals(dropped, listener.counter(IceTcpListener.SEND_DROPPED), "nothing dropped once it read again");
        assertEquals(WebRtcTransport.State.CONNECTED, pair.server.state());
        assertTrue(dropped > 0);
    }

    // ---- harness ------------------------------------------------------------------------------------

    private Socket rawClient() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(listener.localAddress(), 10_000);
        s.setSoTimeout(20_000);
        raw.add(s);
        return s;
    }

    private static byte[] frame(byte[] packet) {
        byte[] f = new byte[2 + packet.length];
        f[0] = (byte) (packet.length >> 8);
        f[1] = (byte) packet.length;
        System.arraycopy(packet, 0, f, 2, packet.length);
        return f;
    }

    private static void writeFrame(OutputStream out, byte[] packet) throws IOException {
        out.write(frame(packet));
        out.flush();
    }

    /** The message type of the next framed STUN message; the buffer it was parsed from is released here. */
    private static int readStun(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] packet = new byte[in.readUnsignedShort()];
        in.readFully(packet);
        ByteBuf buf = Unpooled.wrappedBuffer(packet);
        try {
            StunMessage message = new StunMessage();
            assertEquals(StunParseResult.OK, message.wrap(buf, 0, packet.length));
            return message.messageType();
        } finally {
            buf.release();
        }
    }

    /** Reads and discards until the peer closes; -1 then. A read timeout (20 s) fails the test. */
    private static int readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        while (true) {
            int n;
            try {
                n = in.read(sink);
            } catch (java.net.SocketException reset) {
                return -1; // closed with a reset: also closed
            }
            if (n < 0) return -1;
        }
    }

    private static <T> T call(java.util.concurrent.Callable<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitCondition(BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + state.get());
            LockSupport.parkNanos(1_000_000);
        }
    }
}
