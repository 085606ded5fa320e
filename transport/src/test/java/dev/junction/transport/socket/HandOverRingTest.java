package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between two media loops: in order, with its reference and tag, as one burst on the consumer; a full
 * ring refuses and releases; a closed ring releases what is queued and what still comes; every buffer is released
 * exactly once (and paranoid leak detection checks the rest).
 */
class HandOverRingTest {

    private MediaPlane plane;
    private MediaLoop producer;
    private MediaLoop consumer;

    @BeforeEach
    void start() {
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 2, List.of("127.0.0.1")), i -> (s, c, f, n) -> { });
        producer = plane.loops().get(0);
        consumer = plane.loops().get(1);
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    private static ByteBuf packet(int seq) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(seq).writeZero(12);
    }

    /** Holds {@code loop} busy until {@code until} opens: what is handed to it meanwhile queues up. */
    private static void stall(MediaLoop loop, CountDownLatch until, Runnable then) {
        assertTrue(loop.execute(() -> {
            try {
                until.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.run();
        }));
    }

    /** Runs {@code work} on {@code loop} and waits for it (and for everything queued on the loop before it). */
    private static void on(MediaLoop loop, Runnable work) throws Exception {
        loop.eventLoop().submit(work).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldDeliverInOrderAsOneBurstAndDropReleaseAndCountWhatAFullRingCannotTake() throws Exception {
        List<String> received = new ArrayList<>();
        List<Boolean> inBurst = new ArrayList<>();
        HandOverRing<String> ring = new HandOverRing<>(64, producer, consumer, (ref, tag, p, nowNs) -> {
            assertTrue(p.refCnt() > 0, "lent alive: the ring owns it until the call returns");
            received.add(ref + ":" + tag + ":" + p.getInt(p.readerIndex()));
            inBurst.add(consumer.inBurst());
        });
        CountDownLatch stall = new CountDownLatch(1);
        stall(consumer, stall, () -> { });
        List<ByteBuf> offered = new ArrayList<>();
        int[] refused = new int[1];
        int extra = 7;
        on(producer, () -> producer.burst(() -> {
            for (int i = 0; i < ring.capacity() + extra; i++) {
                ByteBuf p = packet(i);
                offered.add(p);
                if (!ring.offer("path" + i % 3, 1000L + i, p)) {
                    refused[0]++;
                    assertEquals(0, p.refCnt(), "a refused packet is released at once");
                }
            }
        }));
        assertEquals(extra, refused[0], "beyond the capacity, offers are refused for the caller to count");
        assertEquals(ring.capacity(), ring.size());
        stall.countDown();
        on(consumer, () -> { });
        assertEquals(ring.capacity(), received.size(), "the one wake-up drained the whole burst");
        for (int i = 0; i < received.size(); i++) assertEquals("path" + i % 3 + ":" + (1000 + i) + ":" + i, received.get(i), "in order");
        assertFalse(inBurst.contains(false), "drained as a burst of the consumer: its sends coalesce");
        for (ByteBuf p : offered) assertEquals(0, p.refCnt(), "released exactly once");
        assertEquals(0, ring.size());

        // Drained, the ring takes a full capacity again (the slots wrapped around).
        List<ByteBuf> again = new ArrayList<>();
        on(producer, () -> producer.burst(() -> {
            for (int i = 0; i < ring.capacity(); i++) {
                ByteBuf p = packet(i);
                again.add(p);
                assertTrue(ring.offer("again", i, p));
            }
        }));
        on(consumer, () -> { });
        assertEquals(2 * ring.capacity(), received.size());
        for (ByteBuf p : again) assertEquals(0, p.refCnt());
    }

    @Test
    void shouldReleaseWhatIsQueuedAndWhatStillComesOnceClosed() throws Exception {
        List<Long> handled = new ArrayList<>();
        HandOverRing<Object> ring = new HandOverRing<>(16, producer, consumer, (ref, tag, p, nowNs) -> handled.add(tag));
        CountDownLatch stall = new CountDownLatch(1);
        // The close runs on the consumer before the drain task the first offer schedules.
        stall(consumer, stall, ring::close);
        List<ByteBuf> offered = new ArrayList<>();
        on(producer, () -> producer.burst(() -> {
            for (int i = 0; i < 5; i++) {
                ByteBuf p = packet(i);
                offered.add(p);
                assertTrue(ring.offer(null, i, p));
            }
        }));
        stall.countDown();
        on(consumer, () -> { });
        assertTrue(ring.closed());
        // A late offer, after the close, is released by the drain it wakes.
        ByteBuf late = packet(9);
        on(producer, () -> assertTrue(ring.offer(null, 9, late)));
        on(consumer, () -> { });
        on(consumer, () -> { });
        assertEquals(0, late.refCnt());
        assertEquals(List.of(), handled, "nothing reaches a closed end");
        for (ByteBuf p : offered) assertEquals(0, p.refCnt());
    }

    @Test
    void shouldLeaveWhatTheStoppedLoopsNeverDrainedToReleaseQueued() throws Exception {
        List<Long> handled = new ArrayList<>();
        HandOverRing<Object> ring = new HandOverRing<>(16, producer, consumer, (ref, tag, p, nowNs) -> handled.add(tag));
        CountDownLatch stall = new CountDownLatch(1);
        CountDownLatch releasedInStall = new CountDownLatch(1);
        // The owner's shutdown: the consumer empties the ring before its drain task runs.
        stall(consumer, stall, () -> {
            ring.releaseQueued();
            releasedInStall.countDown();
        });
        List<ByteBuf> offered = new ArrayList<>();
        on(producer, () -> {
            for (int i = 0; i < 3; i++) {
                ByteBuf p = packet(i);
                offered.add(p);
                assertTrue(ring.offer(null, i, p));
            }
        });
        stall.countDown();
        assertTrue(releasedInStall.await(10, TimeUnit.SECONDS));
        on(consumer, () -> { });
        assertEquals(List.of(), handled);
        for (ByteBuf p : offered) assertEquals(0, p.refCnt());
        assertEquals(0, ring.size());
    }

    @Test
    void shouldWantAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new HandOverRing<>(100, producer, consumer, (r, t, p, n) -> { }));
    }
}
