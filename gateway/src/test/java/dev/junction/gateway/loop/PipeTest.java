package dev.junction.gateway.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.config.MediaSettings;
import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.Room;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The hand-over of a room's packets from its home loop to another loop: tagged, bounded, counted, in order, and
 * every buffer released exactly once, also when the other loop closes its end first.
 */
class PipeTest {

    private static final MediaSettings TWO_LOOPS = new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1"));

    private static ByteBuf packet(int seq) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        b.writeByte(0x80).writeByte(96).writeShort(seq).writeInt(seq * 3000).writeInt(0x1234).writeZero(40);
        return b;
    }

    /** A real Producer to tag packets with (its id and layers), in a room of its own. */
    private static Producer producer() {
        SecureRandom random = new SecureRandom();
        DtlsCertificate cert = DtlsCertificate.generate();
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 40000);
        AnswerResult result = new SdpNegotiator(MediaSessions.publisherCapabilities()).answer(
                ClientOffer.publisher(cert.fingerprint(), here, random).sdp(),
                AnswerParameters.publisher(cert.fingerprint().toSdpAttribute(), List.of(here), random));
        NegotiatedMedia video = ((AnswerResult.Answered) result).negotiated().acceptedMedia().stream()
                .filter(m -> m.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
        Room room = new Room("pipe-test", PooledByteBufAllocator.DEFAULT, Room.Listener.NONE);
        return room.addPipedProducer(new dev.junction.gateway.room.ProducerInfo(42, new Object(), video, 1, 0),
                new Producer.Upstream() {
                    @Override
                    public void requestKeyframe(Producer p, int layer, long nowNs) {
                    }

                    @Override
                    public boolean requestRepair(Producer p, int layer, int seq) {
                        return false;
                    }

                    @Override
                    public long nextTimeoutNs() {
                        return Long.MAX_VALUE;
                    }
                }, 0);
    }

    private static LoopProxy[] proxies(MediaPlane plane) {
        return LoopRooms.start(plane.loops(), new AtomicLong(), java.util.concurrent.ConcurrentHashMap.newKeySet());
    }

    private static void stall(LoopProxy loop, CountDownLatch until) {
        loop.loop().execute(() -> {
            try {
                until.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void shouldDeliverTaggedPacketsInOrderAndDropAndCountWhatAStalledLoopCannotTake() throws Exception {
        try (MediaPlane plane = MediaPlane.start(TWO_LOOPS, i -> (s, c, f, n) -> { })) {
            LoopProxy[] loops = proxies(plane);
            AtomicLong dropped = new AtomicLong();
            Pipe pipe = new Pipe(new RoomKey("r", 0), loops[0], loops[1], dropped);
            List<String> received = new ArrayList<>();
            pipe.attach((producerId, layer, p, repair, nowNs) -> {
                assertTrue(p.refCnt() > 0, "handed over alive: the ring holds its own reference");
                received.add(producerId + ":" + layer + ":" + p.getUnsignedShort(p.readerIndex() + 2) + (repair ? "r" : ""));
            });
            Producer producer = producer();
            CountDownLatch stall = new CountDownLatch(1);
            stall(loops[1], stall);
            List<ByteBuf> offered = new ArrayList<>();
            int extra = 10;
            loops[0].loop().eventLoop().submit(() -> {
                for (int i = 0; i < Pipe.CAPACITY + extra; i++) {
                    ByteBuf p = packet(i);
                    offered.add(p);
                    pipe.onRtp(producer, i % 3, p, i == 5); // borrowed: the publisher's transport releases it after the call
                    p.release();
                }
            }).get(5, TimeUnit.SECONDS);
            assertEquals(extra, dropped.get(), "beyond the ring's capacity, packets are dropped and counted");
            stall.countDown();
            int count = loops[1].query(() -> received.size()).get(5, TimeUnit.SECONDS);
            assertEquals(Pipe.CAPACITY, count, "one wake-up drains the whole burst");
            assertEquals("42:0:0", received.get(0));
            assertEquals("42:2:5r", received.get(5), "layer and repair travel with the packet");
            assertEquals("42:" + (Pipe.CAPACITY - 1) % 3 + ":" + (Pipe.CAPACITY - 1), received.get(Pipe.CAPACITY - 1), "in order");
            for (ByteBuf p : offered) assertEquals(0, p.refCnt(), "released exactly once");
        }
    }

    @Test
    void shouldReleaseQueuedPacketsWhenTheOtherEndClosesFirst() throws Exception {
        try (MediaPlane plane = MediaPlane.start(TWO_LOOPS, i -> (s, c, f, n) -> { })) {
            LoopProxy[] loops = proxies(plane);
            Pipe pipe = new Pipe(new RoomKey("r", 0), loops[0], loops[1], new AtomicLong());
            List<Integer> handled = new ArrayList<>();
            pipe.attach((producerId, layer, p, repair, nowNs) -> handled.add(producerId));
            Producer producer = producer();
            CountDownLatch stall = new CountDownLatch(1);
            List<ByteBuf> offered = new ArrayList<>();
            // The close is queued on the other loop before the drain task the first offer schedules.
            loops[1].loop().execute(() -> {
                try {
                    stall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pipe.close();
            });
            loops[0].loop().eventLoop().submit(() -> {
                for (int i = 0; i < 5; i++) {
                    ByteBuf p = packet(i);
                    offered.add(p);
                    pipe.onRtp(producer, 0, p, false);
                    p.release();
                }
            }).get(5, TimeUnit.SECONDS);
            stall.countDown();
            loops[1].query(() -> null).get(5, TimeUnit.SECONDS);
            // A late offer after the close (before the home loop heard of it) is released by the next drain.
            loops[0].loop().eventLoop().submit(() -> {
                ByteBuf p = packet(9);
                offered.add(p);
                pipe.onRtp(producer, 0, p, false);
                p.release();
            }).get(5, TimeUnit.SECONDS);
            loops[1].query(() -> null).get(5, TimeUnit.SECONDS);
            loops[1].query(() -> {
                pipe.releaseQueued();
                return null;
            }).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), handled, "nothing reaches a closed end");
            for (ByteBuf p : offered) assertEquals(0, p.refCnt());
        }
    }
}
