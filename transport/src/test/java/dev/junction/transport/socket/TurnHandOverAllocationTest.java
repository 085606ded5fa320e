package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.config.MediaSettings;
import dev.junction.transport.path.Path;
import dev.junction.transport.turn.TurnDropReason;
import dev.junction.transport.turn.TurnSettings;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's "no allocation per relayed packet" with two media loops, measured on the loops' threads by the JVM's
 * per-thread allocation counters: ChannelData relayed in process to a media socket on the other loop, and echoed by
 * the session there back through the TURN server to the client, allocates no more on the loops than the same
 * traffic to a media socket on the TURN server's own loop (where nothing is handed over). The kernel reads and
 * writes of the client's datagrams allocate the same in both and cancel out.
 *
 * <p>Netty's leak detector is off for this test only: at the paranoid level the tests run with, it records a stack
 * trace at every buffer touch, which is allocation this test would count. Buffer ownership across the hand-over is
 * checked under paranoid detection by {@link HandOverRingTest} and {@link EmbeddedTurnServerTest}.
 */
class TurnHandOverAllocationTest {

    private static final byte[] SECRET = "test-secret".getBytes(StandardCharsets.UTF_8);
    private static final String REALM = "junction.test";
    private static final int WINDOW = 8;
    private static final int WARMUP = 4000;
    private static final int PACKETS = 8000;
    /**
     * Bytes per packet allowed above the same-loop baseline: the loops' timers and other per-second work spread over
     * the packets. A task per packet (a lambda of 24-48 bytes, each way) is far above it.
     */
    private static final double BUDGET_BYTES_PER_PACKET = 4;

    /** A session stand-in that allocates nothing: it sends each relayed datagram straight back on its path. */
    static final class Reflector implements DatagramReceiver, RelayedReceiver {
        final AtomicLong relayed = new AtomicLong();

        @Override
        public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        }

        @Override
        public void onRelayed(Path path, ByteBuf datagram, long nowNs) {
            relayed.setRelease(relayed.getPlain() + 1); // single writer: this loop
            path.send(datagram.retain()); // borrowed for the call: the send owns one more reference
        }

        @Override
        public void onRelayClosed(Path path) {
        }
    }

    private MediaPlane plane;
    private EmbeddedTurnServer turn;
    private ResourceLeakDetector.Level leakLevel;

    @BeforeEach
    void leakDetectorOff() {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterEach
    void stop() {
        if (turn != null) turn.close();
        if (plane != null) plane.close();
        ResourceLeakDetector.setLevel(leakLevel);
    }

    /** Bytes the two loops' threads allocated so far. */
    private record Allocated(long loop0, long loop1) {
        Allocated minus(Allocated before) {
            return new Allocated(loop0 - before.loop0, loop1 - before.loop1);
        }
    }

    @Test
    void shouldAllocateNothingPerPacketHandedOverToAndFromAnotherLoop() throws Exception {
        Reflector[] media = {new Reflector(), new Reflector()};
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1")), i -> media[i]);
        Set<InetSocketAddress> mediaAddresses = new HashSet<>();
        for (MediaSocket s : plane.sockets()) mediaAddresses.add(mediaAddress(s.index()));
        turn = EmbeddedTurnServer.start(plane, List.of(media), TurnSettings.defaults(REALM, SECRET, mediaAddresses),
                new EmbeddedTurnServer.Listen("127.0.0.1", 0, 0, null, List.of("127.0.0.1"), 0, 0, EmbeddedTurnServer.Limits.DEFAULT));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] loopThreads = new long[2];
        for (int i = 0; i < 2; i++) {
            loopThreads[i] = plane.loops().get(i).eventLoop().submit(() -> Thread.currentThread().threadId()).get(5, TimeUnit.SECONDS);
        }
        assertEquals(0, turn.loop().index(), "TURN runs on loop 0");

        try (TurnTestClient client = TurnTestClient.udp(turn.udpAddress(), REALM).user(SECRET, "alice")) {
            client.allocate();
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4000, mediaAddress(0)).type());
            assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, client.channelBind(0x4001, mediaAddress(1)).type());
            relay(client, 0x4000, WARMUP);
            relay(client, 0x4001, WARMUP);

            Allocated start = allocated(threads, loopThreads);
            relay(client, 0x4000, PACKETS);
            Allocated sameLoop = allocated(threads, loopThreads).minus(start);
            start = allocated(threads, loopThreads);
            relay(client, 0x4001, PACKETS);
            Allocated otherLoop = allocated(threads, loopThreads).minus(start);

            double baseline = (sameLoop.loop0 + sameLoop.loop1) / (double) PACKETS;
            double handedOver = (otherLoop.loop0 + otherLoop.loop1) / (double) PACKETS;
            String figures = String.format("bytes allocated per relayed packet: same loop %.1f (loop 0 %.1f, loop 1 %.1f),"
                    + " handed to the other loop and back %.1f (loop 0 %.1f, loop 1 %.1f)", baseline, sameLoop.loop0 / (double) PACKETS,
                    sameLoop.loop1 / (double) PACKETS, handedOver, otherLoop.loop0 / (double) PACKETS, otherLoop.loop1 / (double) PACKETS);
            System.out.println(figures);
            assertEquals(WARMUP + PACKETS, media[1].relayed.getAcquire(), "every packet reached the other loop's session");
            assertTrue(otherLoop.loop1 / (double) PACKETS <= BUDGET_BYTES_PER_PACKET, "the other loop allocates nothing per packet: " + figures);
            assertTrue(handedOver - baseline <= BUDGET_BYTES_PER_PACKET, "the hand-over allocates nothing per packet: " + figures);
            assertEquals(0, turn.drops(TurnDropReason.HANDOVER_FULL));
            assertEquals(0, turn.core().relayedToPeers(), "all in process");
        }
    }

    private InetSocketAddress mediaAddress(int loop) {
        return new InetSocketAddress("127.0.0.1", plane.sockets().get(loop).localAddress().getPort());
    }

    private static Allocated allocated(com.sun.management.ThreadMXBean threads, long[] loopThreads) {
        return new Allocated(threads.getThreadAllocatedBytes(loopThreads[0]), threads.getThreadAllocatedBytes(loopThreads[1]));
    }

    /** Relays {@code n} datagrams on {@code channel}, {@link #WINDOW} in flight, and reads every echo back. */
    private static void relay(TurnTestClient client, int channel, int n) throws Exception {
        byte[] payload = new byte[200];
        int sent = 0;
        int echoed = 0;
        while (echoed < n) {
            while (sent < n && sent - echoed < WINDOW) {
                client.channelData(channel, payload);
                sent++;
            }
            TurnTestClient.Message echo = client.receive();
            assertEquals(channel, echo.channel(), "the echo comes back on its channel");
            echoed++;
        }
    }
}
