package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import dev.junction.transport.path.Path;
import dev.junction.transport.path.TurnPath;
import dev.junction.transport.turn.RestCredentials;
import dev.junction.transport.turn.TurnSettings;
import dev.junction.transport.turn.TurnTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client role's TURN allocation ({@link TurnClientConnection}, {@link TurnPath}) on real loopback sockets
 * against the embedded TURN server over UDP, TCP and TLS: allocate, bind a channel to one of the server's media
 * sockets, data there through the in-process short-circuit and the echo back through the relay, delete. The server
 * and the client run on separate planes (their own loops), as a load tool and a server do.
 */
class TurnClientConnectionTest {

    private static final byte[] SECRET = "client-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final String REALM = "junction.test";

    /** The client side's receiver: what came back through the relay, and which paths were closed. */
    static final class Received implements RelayedReceiver {
        final BlockingQueue<String> data = new LinkedBlockingQueue<>();
        final BlockingQueue<Path> closed = new LinkedBlockingQueue<>();

        @Override
        public void onRelayed(Path path, ByteBuf datagram, long nowNs) {
            data.add(path.remoteAddress() + " " + datagram.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void onRelayClosed(Path path) {
            closed.add(path);
        }
    }

    private MediaPlane serverPlane;
    private MediaPlane clientPlane;
    private EmbeddedTurnServer turn;
    private EmbeddedTurnServerTest.EchoMedia media;

    @BeforeEach
    void start() {
        media = new EmbeddedTurnServerTest.EchoMedia();
        serverPlane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> media);
        Set<InetSocketAddress> mediaAddresses = new HashSet<>();
        for (MediaSocket s : serverPlane.sockets()) mediaAddresses.add(mediaAddress());
        turn = EmbeddedTurnServer.start(serverPlane, List.of(media), TurnSettings.defaults(REALM, SECRET, mediaAddresses),
                new EmbeddedTurnServer.Listen("127.0.0.1", 0, -1, TurnTls.selfSigned(List.of("127.0.0.1")), List.of("127.0.0.1"), 0, 0,
                        EmbeddedTurnServer.Limits.DEFAULT));
        clientPlane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> (s, c, from, now) -> { });
    }

    @AfterEach
    void stop() {
        if (turn != null) turn.close();
        if (serverPlane != null) serverPlane.close();
        if (clientPlane != null) clientPlane.close();
    }

    private InetSocketAddress mediaAddress() {
        return new InetSocketAddress("127.0.0.1", serverPlane.sockets().get(0).localAddress().getPort());
    }

    private TurnClientConnection.Server server(TurnTransport transport, String password) {
        RestCredentials.Credential credential = RestCredentials.mint(SECRET, "loadtest", System.currentTimeMillis() / 1000 + 3600);
        InetSocketAddress address = switch (transport) {
            case UDP -> turn.udpAddress();
            case TCP -> turn.tcpAddress();
            case TLS -> turn.tlsAddress();
        };
        return new TurnClientConnection.Server(transport, address, credential.username(), password == null ? credential.password() : password);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(1); // polling a condition, not waiting for time to pass
        }
    }

    @ParameterizedTest
    @EnumSource(TurnTransport.class)
    void shouldRelayToOurMediaSocketAndBack(TurnTransport transport) throws Exception {
        Received received = new Received();
        TurnClientConnection connection = TurnClientConnection.open(clientPlane, 0, server(transport, null), TurnTls.trustingClient(), received)
                .get(10, TimeUnit.SECONDS);
        assertNotNull(connection.relayedAddress());
        assertEquals(1, turn.core().publishedAllocationCount());

        TurnPath path = connection.path(mediaAddress());
        // Before the channel is confirmed this leaves as a Send indication, after as ChannelData: both must arrive.
        for (int i = 0; i < 2; i++) {
            String text = "ping" + i;
            connection.loop().execute(() -> path.send(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            String relayed = media.relayed.poll(10, TimeUnit.SECONDS);
            assertNotNull(relayed, "the media socket got " + text);
            assertTrue(relayed.startsWith(connection.relayedAddress() + " " + text), relayed);
            assertEquals(mediaAddress() + " echo:" + text, received.data.poll(10, TimeUnit.SECONDS), "the echo came back through the relay");
            await(() -> connection.counter(TurnClientConnection.DATA_OUT) > 0, "a send");
        }
        assertTrue(turn.core().relayedLocally() >= 2, "short-circuited in process");
        assertTrue(turn.core().relayedToClients() >= 2);

        connection.closeAsync().get(10, TimeUnit.SECONDS);
        assertEquals(path, received.closed.poll(10, TimeUnit.SECONDS), "the path left with the allocation");
        await(() -> turn.core().publishedAllocationCount() == 0, "the server to delete the allocation");
    }

    @ParameterizedTest
    @EnumSource(value = TurnTransport.class, names = {"UDP", "TCP"})
    void shouldFailToAllocateWithAWrongPassword(TurnTransport transport) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> TurnClientConnection.open(clientPlane, 0,
                server(transport, "wrong"), null, new Received()).get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause().getMessage().contains("401"), failed.getCause().getMessage());
    }
}
