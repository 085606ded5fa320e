package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.junction.config.MediaSettings;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The hand-over of a publisher's packets to another loop: bounded, counted, and every buffer released once. */
class RelayTest {

    private static final MediaSettings TWO_LOOPS = new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1"));

    private static ByteBuf packet(int seq) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        b.writeByte(0x80).writeByte(96).writeShort(seq).writeInt(seq * 3000).writeInt(0x1234).writeZero(40);
        return b;
    }

    @Test
    void shouldDropAndCountWhatAStalledLoopCannotTakeAndReleaseEveryPacketOnce() throws Exception {
        try (MediaPlane plane = MediaPlane.start(TWO_LOOPS, i -> (s, c, f, n) -> { })) {
            MediaSocket source = plane.sockets().get(0);
            MediaSocket target = plane.sockets().get(1);
            AtomicLong dropped = new AtomicLong();
            Relay relay = new Relay(source, target, dropped);
            CountDownLatch stall = new CountDownLatch(1);
            target.eventLoop().execute(() -> {
                try {
                    stall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<ByteBuf> offered = new ArrayList<>();
            int extra = 10;
            source.eventLoop().submit(() -> {
                for (int i = 0; i < Relay.CAPACITY + extra; i++) {
                    ByteBuf p = packet(i);
                    offered.add(p);
                    relay.offer(p); // borrowed: the publisher's transport releases it after the call
                    p.release();
                }
            }).get(5, TimeUnit.SECONDS);
            assertEquals(extra, dropped.get(), "beyond the queue's capacity, packets are dropped and counted");
            stall.countDown();
            // Nothing attached: the drain releases each packet unhandled; close on the loop finds nothing left.
            Object copy = target.eventLoop().submit(relay::close).get(5, TimeUnit.SECONDS);
            assertNull(copy);
            for (ByteBuf p : offered) assertEquals(0, p.refCnt(), "released exactly once");
        }
    }

    @Test
    void shouldReleaseQueuedPacketsWhenClosedBeforeTheyAreDrained() throws Exception {
        try (MediaPlane plane = MediaPlane.start(TWO_LOOPS, i -> (s, c, f, n) -> { })) {
            MediaSocket source = plane.sockets().get(0);
            MediaSocket target = plane.sockets().get(1);
            Relay relay = new Relay(source, target, new AtomicLong());
            CountDownLatch stall = new CountDownLatch(1);
            List<ByteBuf> offered = new ArrayList<>();
            // The close is queued on the loop before the drain task the first offer schedules.
            target.eventLoop().execute(() -> {
                try {
                    stall.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                relay.close();
            });
            source.eventLoop().submit(() -> {
                for (int i = 0; i < 5; i++) {
                    ByteBuf p = packet(i);
                    offered.add(p);
                    relay.offer(p);
                    p.release();
                }
            }).get(5, TimeUnit.SECONDS);
            stall.countDown();
            target.eventLoop().submit(() -> { }).get(5, TimeUnit.SECONDS);
            for (ByteBuf p : offered) assertEquals(0, p.refCnt());
        }
    }
}
