package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import dev.junction.config.MediaSettings;
import dev.junction.transport.path.TurnPath;
import dev.junction.transport.turn.RestCredentials;
import dev.junction.transport.turn.TurnTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with a TURN server nobody here wrote (issue 10): our client role ({@link TurnClientConnection}, the
 * sans-IO {@code TurnClient} inside) against coturn's {@code turnserver} (Debian's {@code coturn} package) on
 * loopback, over UDP, TCP and TLS (a certificate made with {@code openssl req} in a temporary folder), with REST
 * credentials ({@code --use-auth-secret}). Each run allocates, binds a channel to a loopback UDP echo peer, sends
 * data through the relay and gets the echo back, refreshes, and deletes the allocation.
 *
 * <p>The other direction (coturn's client against our server) is {@link TurnUclientInteropTest}. Run alone:
 * {@code mvn -o test -pl codec,config,transport -am -Dtest=TurnClientCoturnInteropTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TurnClientCoturnInteropTest {

    private static final String SECRET = "coturn-interop-secret";
    private static final String REALM = "interop.test";

    private static Path dir;
    private static Process coturn;
    private static final StringBuilder coturnLog = new StringBuilder();
    private static int port;
    private static int tlsPort;
    private static MediaPlane plane;
    private static MediaSocket echo;

    @BeforeAll
    static void start() throws Exception {
        if (TurnUclientInteropTest.which("turnserver") == null) {
            fail("turnserver is missing: install Debian's coturn package (apt-get install -y coturn); .ci/run does");
        }
        dir = Files.createTempDirectory("coturn-interop");
        boolean tls = makeCertificate();
        port = freePort();
        tlsPort = freePort();
        List<String> command = new ArrayList<>(List.of("turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                "--listening-port=" + port, "--tls-listening-port=" + tlsPort, "--min-port=49152", "--max-port=65535",
                "--use-auth-secret", "--static-auth-secret=" + SECRET, "--realm=" + REALM, "--allow-loopback-peers", "--no-cli",
                "--no-dtls", "--log-file=stdout", "--simple-log", "--pidfile=" + dir.resolve("turnserver.pid"),
                "--userdb=" + dir.resolve("turndb")));
        if (tls) {
            command.addAll(List.of("--cert=" + dir.resolve("cert.pem"), "--pkey=" + dir.resolve("key.pem")));
        } else {
            command.add("--no-tls");
        }
        coturn = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try {
                coturn.getInputStream().transferTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (coturnLog) {
                            if (coturnLog.length() < 200_000) coturnLog.append((char) b);
                        }
                    }
                });
            } catch (IOException ignored) {
                // The process ended.
            }
        }, "coturn-log");
        reader.setDaemon(true);
        reader.start();
        awaitBindingAnswer();

        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> (s, c, from, now) -> { });
        // The peer: a loopback UDP socket that sends every datagram back where it came from (coturn's relay).
        echo = plane.open(0, new InetSocketAddress("127.0.0.1", 0), (socket, content, sender, nowNs) -> socket.write(content.retainedDuplicate(), sender));
    }

    @AfterAll
    static void stop() throws Exception {
        if (plane != null) plane.close();
        if (coturn != null) {
            coturn.destroy();
            if (!coturn.waitFor(5, TimeUnit.SECONDS)) coturn.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A self-signed certificate for coturn's TLS listener; false (TLS is then skipped) when openssl cannot make one. */
    private static boolean makeCertificate() throws Exception {
        if (TurnUclientInteropTest.which("openssl") == null) return false;
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "2",
                "-subj", "/CN=127.0.0.1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static int freePort() throws IOException {
        return dev.junction.codec.testing.LoopbackPorts.tcpAndUdp();
    }

    /** coturn is ready when it answers a STUN Binding request on its UDP port (polled, each try waits for an answer). */
    private static void awaitBindingAnswer() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        ByteBuf request = Unpooled.buffer();
        byte[] id = new byte[StunMessage.TRANSACTION_ID_LENGTH];
        new java.security.SecureRandom().nextBytes(id);
        new StunWriter().begin(request, StunMessageType.BINDING_REQUEST, id).finish();
        byte[] bytes = new byte[request.readableBytes()];
        request.readBytes(bytes).release();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(100);
            while (true) {
                if (!coturn.isAlive()) fail("turnserver exited with " + coturn.exitValue() + ":\n" + log());
                if (System.nanoTime() - deadline > 0) fail("turnserver did not answer a Binding request in 20 s:\n" + log());
                socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(answer);
                } catch (SocketTimeoutException notYet) {
                    continue;
                }
                StunMessage m = new StunMessage();
                if (m.wrap(Unpooled.wrappedBuffer(answer.getData(), 0, answer.getLength()), 0, answer.getLength()) == StunParseResult.OK
                        && m.isBindingSuccessResponse()) {
                    return;
                }
            }
        }
    }

    private static String log() {
        synchronized (coturnLog) {
            return coturnLog.toString();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what + "\ncoturn:\n" + log());
            Thread.sleep(1); // polling a condition
        }
    }

    @Test
    void shouldAllocateRelayRefreshAndDeleteOverUdp() throws Exception {
        run(TurnTransport.UDP, port);
    }

    @Test
    void shouldAllocateRelayRefreshAndDeleteOverTcp() throws Exception {
        run(TurnTransport.TCP, port);
    }

    @Test
    void shouldAllocateRelayRefreshAndDeleteOverTls() throws Exception {
        if (!Files.exists(dir.resolve("cert.pem"))) fail("openssl could not make a certificate for coturn's TLS listener");
        run(TurnTransport.TLS, tlsPort);
    }

    private void run(TurnTransport transport, int serverPort) throws Exception {
        RestCredentials.Credential credential = RestCredentials.mint(SECRET.getBytes(StandardCharsets.UTF_8), "junction",
                System.currentTimeMillis() / 1000 + 3600);
        TurnClientConnection.Server server = new TurnClientConnection.Server(transport, new InetSocketAddress("127.0.0.1", serverPort),
                credential.username(), credential.password());
        TurnClientConnectionTest.Received received = new TurnClientConnectionTest.Received();
        TurnClientConnection connection;
        try {
            connection = TurnClientConnection.open(plane, 0, server, TurnTls.trustingClient(), received).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(transport + " Allocate against coturn failed: " + e.getMessage() + "\ncoturn:\n" + log(), e);
        }
        assertNotNull(connection.relayedAddress());
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", echo.localAddress().getPort());
        TurnPath path = connection.path(peer);
        // The first may leave as a Send indication (the channel not yet confirmed), the rest as ChannelData.
        for (int i = 0; i < 5; i++) {
            String text = transport + " message " + i;
            connection.loop().execute(() -> path.send(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            String back = received.data.poll(10, TimeUnit.SECONDS);
            assertEquals(peer + " " + text, back, () -> "the echo came back through coturn's relay\ncoturn:\n" + log());
        }

        connection.refresh();
        await(() -> connection.counter(TurnClientConnection.REFRESHES) == 1, "coturn to grant the Refresh");
        connection.closeAsync().get(10, TimeUnit.SECONDS);
        assertEquals(1, connection.counter(TurnClientConnection.DEALLOCATIONS), () -> "coturn answered the Refresh with lifetime 0\n" + log());
        assertEquals(0, connection.counter(TurnClientConnection.REQUESTS_FAILED), () -> "no request failed\n" + log());
        assertTrue(received.closed.contains(path));
    }
}
