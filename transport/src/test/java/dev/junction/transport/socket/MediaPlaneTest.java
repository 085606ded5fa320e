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

    /**
     * Each trigger datagram lists sizes; the receiver answers with one datagram per size through one
     * GsoBatcher.Batch, as a path forwarding a burst does. Every datagram must arrive separately, intact and
     * in order, and with GSO the equal-sized run leaves as segmented sends.
     */
    @Test
    void shouldDeliverCoalescedBurstsAsSeparateDatagramsInOrder() throws Exception {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        DatagramReceiver answer = (socket, content, sender, nowNs) -> {
            for (int i = content.readerIndex(); i < content.writerIndex(); i += 2) {
                int size = content.getUnsignedShort(i);
                ByteBuf out = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(size);
                for (int b = 0; b < size; b++) out.writeByte((i / 2 + b) & 0xFF);
                socket.write(out, sender, batch);
            }
        };
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> answer);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            client.setReceiveBufferSize(4 << 20);
            MediaSocket socket = plane.sockets().get(0);
            int[][] bursts = {
                    {1200, 1200, 1200, 700},          // one frame: 4 segments, short last one
                    {100, 1200, 1200},                // audio held, then sent as the short last segment of the video
                    {1200, 700, 1200, 1200},          // the short one seals the batch: 2 + 2
                    {1200, 1300},                     // larger after smaller: the smaller is held and goes last
                    repeat(1000, 70),                 // more than MAX_SEGMENTS: 64 + 6
            };
            // Arrival order with GSO (indexes into each burst); without it, the order written.
            int[][] gsoOrder = {{0, 1, 2, 3}, {1, 2, 0}, {0, 1, 2, 3}, {1, 0}, null};
            int expectedSegmented = 0;
            long datagrams = 0;
            for (int n = 0; n < bursts.length; n++) {
                int[] sizes = bursts[n];
                ByteBuf trigger = io.netty.buffer.Unpooled.buffer();
                for (int size : sizes) trigger.writeShort(size);
                byte[] bytes = new byte[trigger.readableBytes()];
                trigger.readBytes(bytes);
                client.send(new DatagramPacket(bytes, bytes.length, socket.localAddress()));
                for (int k = 0; k < sizes.length; k++) {
                    int i = socket.gso() && gsoOrder[n] != null ? gsoOrder[n][k] : k;
                    DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                    client.receive(reply);
                    assertEquals(sizes[i], reply.getLength(), "datagram " + k + " of burst " + java.util.Arrays.toString(sizes));
                    for (int b = 0; b < sizes[i]; b++) assertEquals((byte) (i + b), reply.getData()[b]);
                }
                datagrams += sizes.length;
            }
            expectedSegmented = socket.gso() ? 1 + 1 + 2 + 1 + 2 : 0;
            assertEquals(datagrams, socket.counter(MediaSocket.DATAGRAMS_OUT));
            // The observation is recorded after the flush the client just saw: let the loop finish that turn.
            socket.eventLoop().submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(bursts.length, socket.loop().burstLatency().count(), "one latency observation per read burst");
            assertTrue(socket.loop().burstLatency().sumNs() > 0);
            assertEquals(expectedSegmented, socket.counter(MediaSocket.SEGMENTED_SENDS));
            assertEquals(Epoll.isAvailable() && !Boolean.getBoolean("junction.media.nio")
                    && io.netty.channel.epoll.EpollDatagramChannel.isSegmentedDatagramPacketSupported(), socket.gso());
        }
    }

    /** A packet of the held datagram's own stream (same SSRC) sends the held one first: one stream keeps its order. */
    @Test
    void shouldNeverReorderOneRtpStream() throws Exception {
        GsoBatcher.Batch batch = new GsoBatcher.Batch();
        // Each written datagram: an RTP-shaped header with SSRC = 1 or 2 and a sequence byte, padded to its size.
        int[][] written = {{1, 100}, {2, 1200}, {1, 100}, {2, 1200}};
        DatagramReceiver answer = (socket, content, sender, nowNs) -> {
            for (int n = 0; n < written.length; n++) {
                ByteBuf out = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(written[n][1]);
                out.writeByte(0x80).writeByte(96).writeShort(n).writeInt(0).writeInt(written[n][0]).writeZero(written[n][1] - 12);
                socket.write(out, sender, batch);
            }
        };
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> answer);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            client.send(new DatagramPacket(new byte[] {1}, 1, plane.sockets().get(0).localAddress()));
            int lastOfSsrc1 = -1;
            int lastOfSsrc2 = -1;
            for (int k = 0; k < written.length; k++) {
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                client.receive(reply);
                int seq = ((reply.getData()[2] & 0xFF) << 8) | (reply.getData()[3] & 0xFF);
                int ssrc = reply.getData()[11];
                if (ssrc == 1) {
                    assertTrue(seq > lastOfSsrc1, "stream 1 in order");
                    lastOfSsrc1 = seq;
                } else {
                    assertTrue(seq > lastOfSsrc2, "stream 2 in order");
                    lastOfSsrc2 = seq;
                }
            }
            assertEquals(2, lastOfSsrc1);
            assertEquals(3, lastOfSsrc2);
        }
    }

    /** A refused segmented send (EIO: no checksum offload; EINVAL: segment over the MTU) turns GSO off; errors are counted. */
    @Test
    void shouldFallBackToPlainSendsWhenTheKernelRefusesGso() throws Exception {
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> (s, c, from, now) -> { })) {
            MediaSocket socket = plane.sockets().get(0);
            boolean before = socket.gso();
            socket.eventLoop().submit(() -> socket.exceptionCaught(null, new java.net.PortUnreachableException("ICMP"))).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(before, socket.gso(), "an ICMP error says nothing about GSO");
            socket.eventLoop().submit(() -> socket.exceptionCaught(null,
                    new io.netty.channel.unix.Errors.NativeIoException("sendmmsg", -5))).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(false, socket.gso());
            assertEquals(2, socket.counter(MediaSocket.SOCKET_ERRORS));
        }
    }

    /** A task for the burst's end runs after the receiver returned, on the loop, and its writes are flushed with the burst's. */
    @Test
    void shouldRunBurstEndTasksAfterTheReadsAndBeforeTheFlush() throws Exception {
        java.util.concurrent.atomic.AtomicInteger deferredWhileReading = new java.util.concurrent.atomic.AtomicInteger(-1);
        DatagramReceiver receiver = (socket, content, sender, nowNs) -> {
            boolean[] ran = {false};
            socket.loop().atBurstEnd(() -> {
                ran[0] = true;
                ByteBuf reply = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(2);
                reply.writeByte('o').writeByte('k');
                socket.write(reply, sender);
            });
            deferredWhileReading.set(ran[0] ? 0 : 1);
        };
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> receiver);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            client.send(new DatagramPacket(new byte[] {1}, 1, plane.sockets().get(0).localAddress()));
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            client.receive(reply);
            assertEquals("ok", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII));
            assertEquals(1, deferredWhileReading.get(), "not run while the burst was still being read");
        }
    }

    private static int[] repeat(int size, int count) {
        int[] sizes = new int[count];
        java.util.Arrays.fill(sizes, size);
        return sizes;
    }

    /** Writes made in a burst() task (packets relayed from another loop) are coalesced and flushed like a read burst's. */
    @Test
    void shouldCoalesceAndFlushWritesOfABurstTask() throws Exception {
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        try (MediaPlane plane = MediaPlane.start(one, i -> (s, c, from, now) -> { });
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5000);
            MediaSocket socket = plane.sockets().get(0);
            InetSocketAddress to = (InetSocketAddress) client.getLocalSocketAddress();
            GsoBatcher.Batch batch = new GsoBatcher.Batch();
            socket.eventLoop().execute(() -> socket.loop().burst(() -> {
                for (int i = 0; i < 3; i++) {
                    ByteBuf b = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(1000);
                    b.writeByte(i).writeZero(999);
                    socket.write(b, to, batch);
                }
            }));
            for (int i = 0; i < 3; i++) {
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                client.receive(reply);
                assertEquals(1000, reply.getLength());
                assertEquals(i, reply.getData()[0]);
            }
            assertEquals(3, socket.counter(MediaSocket.DATAGRAMS_OUT));
            assertEquals(socket.gso() ? 1 : 0, socket.counter(MediaSocket.SEGMENTED_SENDS));
            // Recorded after the flush the client just saw: let the loop finish the task.
            socket.eventLoop().submit(() -> { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, socket.loop().burstLatency().count(), "a burst task is observed like a read burst");
        }
    }
}
