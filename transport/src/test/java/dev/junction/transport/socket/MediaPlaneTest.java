package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Epoll;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real UDP on loopback: every loop gets its own socket, echoes come back intact, and nothing leaks. */
class MediaPlaneTest {

    private static final MediaSettings TWO_LOOPS = new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1"));

    /** Echoes each datagram back to its sender from a fresh pooled buffer, as a forwarder would. */
    private static final DatagramReceiver ECHO = (socket, content, sender, nowNs) -> {
        ByteBuf copy = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(content.readableBytes());
        copy.writeBytes(content, content.readerIndex(), content.readableBytes());
        socket.write(copy, sender);
    };

    @ParameterizedTest(name = "nio={0}")
    @ValueSource(booleans = {false, true})
    void shouldEchoThroughEveryLoop(boolean nio) throws Exception {
        System.setProperty("junction.media.nio", Boolean.toString(nio));
        try (MediaPlane plane = MediaPlane.start(TWO_LOOPS, i -> ECHO);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertEquals(!nio && Epoll.isAvailable(), plane.usesEpoll());
            assertEquals(2, plane.sockets().size());
            assertNotEquals(plane.sockets().get(0).localAddress().getPort(), plane.sockets().get(1).localAddress().getPort());
            client.setSoTimeout(5000);
            for (MediaSocket socket : plane.sockets()) {
                for (int n = 0; n < 50; n++) {
                    byte[] payload = ("packet " + n + " to loop " + socket.index()).getBytes(StandardCharsets.US_ASCII);
                    client.send(new DatagramPacket(payload, payload.length, socket.localAddress()));
                    DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                    client.receive(reply);
                    assertArrayEquals(payload, java.util.Arrays.copyOf(reply.getData(), reply.getLength()));
                    assertEquals(socket.localAddress().getPort(), reply.getPort());
                }
                assertEquals(50, socket.counter(MediaSocket.DATAGRAMS_IN));
                assertEquals(50, socket.counter(MediaSocket.DATAGRAMS_OUT));
                assertEquals(socket.counter(MediaSocket.BYTES_IN), socket.counter(MediaSocket.BYTES_OUT));
            }
        } finally {
            System.clearProperty("junction.media.nio");
        }
    }

    @Test
    void shouldKeepServingAfterReceiverThrows() throws Exception {
        DatagramReceiver failsOnBang = (socket, content, sender, nowNs) -> {
            if (content.getByte(content.readerIndex()) == '!') throw new IllegalStateException("receiver bug");
            ECHO.onDatagram(socket, content, sender, nowNs);
        };
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> failsOnBang);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            InetSocketAddress server = plane.sockets().get(0).localAddress();
            client.send(new DatagramPacket(new byte[] {'!'}, 1, server));
            client.send(new DatagramPacket(new byte[] {'o', 'k'}, 2, server));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            client.receive(reply);
            assertEquals("ok", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII));
            assertEquals(1, plane.sockets().get(0).counter(MediaSocket.RECEIVER_ERRORS));
        }
    }

    @Test
    void shouldFlushWritesMadeOutsideAReadBurst() throws Exception {
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> (s, c, from, now) -> { });
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            MediaSocket socket = plane.sockets().get(0);
            InetSocketAddress to = (InetSocketAddress) client.getLocalSocketAddress();
            socket.eventLoop().execute(() -> {
                for (int i = 0; i < 3; i++) {
                    ByteBuf b = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(1);
                    b.writeByte(i);
                    socket.write(b, to); // a timer's or another loop's write: no read burst to flush it
                }
            });
            for (int i = 0; i < 3; i++) {
                DatagramPacket reply = new DatagramPacket(new byte[4], 4);
                client.receive(reply);
                assertEquals(i, reply.getData()[0]);
            }
            assertTrue(socket.counter(MediaSocket.DATAGRAMS_OUT) == 3);
        }
    }

    @Test
    void shouldRejectBusyPortWithClearMessage() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            MediaSettings clash = new MediaSettings("127.0.0.1", taken.getLocalPort(), 1, List.of("127.0.0.1"));
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> MediaPlane.start(clash, i -> (s, c, f, n) -> { }));
            assertTrue(e.getMessage().startsWith("cannot bind media UDP port(s) on 127.0.0.1 from " + taken.getLocalPort()), e.getMessage());
        }
    }
}
