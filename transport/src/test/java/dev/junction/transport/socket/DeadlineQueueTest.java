package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The timer's deadline heap: earliest first, deadlines moved either way, entries removed, wrap-around. */
class DeadlineQueueTest {

    private final DeadlineQueue<String> queue = new DeadlineQueue<>();

    @Test
    void shouldPollOnlyWhatIsDueEarliestFirst() {
        var a = queue.entry("a");
        var b = queue.entry("b");
        var c = queue.entry("c");
        queue.set(a, 300);
        queue.set(b, 100);
        queue.set(c, 200);
        assertEquals(100, queue.earliestNs());
        assertNull(queue.poll(99), "nothing due before 100");
        assertSame(b, queue.poll(250));
        assertSame(c, queue.poll(250));
        assertNull(queue.poll(250), "a is due at 300 only");
        assertEquals(1, queue.size());
        assertEquals(Long.MAX_VALUE, b.deadlineNs(), "a polled entry is out of the queue");
    }

    @Test
    void shouldMoveADeadlineEarlierAndLater() {
        var a = queue.entry("a");
        var b = queue.entry("b");
        queue.set(a, 100);
        queue.set(b, 200);
        queue.set(a, 300); // later
        assertEquals(200, queue.earliestNs());
        queue.set(a, 50); // earlier again
        assertSame(a, queue.poll(1_000));
        assertSame(b, queue.poll(1_000));
    }

    @Test
    void shouldLowerOnlyWhenEarlier() {
        var a = queue.entry("a");
        assertTrue(queue.lower(a, 500), "an entry not queued is queued by lower");
        assertFalse(queue.lower(a, 600), "a later deadline does not move it");
        assertEquals(500, a.deadlineNs());
        assertTrue(queue.lower(a, 400));
        assertEquals(400, queue.earliestNs());
        assertFalse(queue.lower(a, Long.MAX_VALUE));
    }

    @Test
    void shouldRemoveFromAnyPlaceAndTakeOutAtMaxValue() {
        List<DeadlineQueue.Entry<String>> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var e = queue.entry("e" + i);
            queue.set(e, 100 + i * 10);
            entries.add(e);
        }
        queue.remove(entries.get(0)); // the head
        queue.remove(entries.get(5)); // the middle
        queue.set(entries.get(9), Long.MAX_VALUE); // the tail, by deadline
        queue.remove(entries.get(5)); // twice: a no-op
        assertEquals(7, queue.size());
        List<String> order = new ArrayList<>();
        for (DeadlineQueue.Entry<String> e; (e = queue.poll(Long.MAX_VALUE - 1)) != null; ) order.add(e.owner());
        assertEquals(List.of("e1", "e2", "e3", "e4", "e6", "e7", "e8"), order);
    }

    @Test
    void shouldOrderDeadlinesAcrossTheWrapOfNanoTime() {
        var before = queue.entry("before");
        var after = queue.entry("after");
        queue.set(after, Long.MIN_VALUE + 5); // 10 ns after the wrap
        queue.set(before, Long.MAX_VALUE - 5); // 10 ns before it
        assertSame(before, queue.poll(Long.MAX_VALUE - 4));
        assertNull(queue.poll(Long.MAX_VALUE - 4));
        assertSame(after, queue.poll(Long.MIN_VALUE + 5));
    }

    /** Many rooms on a loop: random moves and removals against a plain map, polled in deadline order. */
    @Test
    void shouldMatchAPlainScanUnderRandomMovesOfManyEntries() {
        SplittableRandom random = new SplittableRandom(15);
        Map<DeadlineQueue.Entry<String>, Long> expected = new HashMap<>();
        List<DeadlineQueue.Entry<String>> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) entries.add(queue.entry("room" + i));
        for (int step = 0; step < 20_000; step++) {
            var e = entries.get(random.nextInt(entries.size()));
            int what = random.nextInt(4);
            if (what == 0) {
                queue.remove(e);
                expected.remove(e);
            } else if (what == 1) {
                long d = random.nextLong(1_000_000);
                if (queue.lower(e, d)) expected.put(e, d);
                assertEquals(Math.min(d, expected.getOrDefault(e, d)), (long) expected.get(e));
            } else {
                long d = random.nextLong(1_000_000);
                queue.set(e, d);
                expected.put(e, d);
            }
            long min = expected.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
            assertEquals(min, queue.earliestNs(), "step " + step);
        }
        long last = Long.MIN_VALUE;
        int polled = 0;
        for (DeadlineQueue.Entry<String> e; (e = queue.poll(1_000_000)) != null; polled++) {
            long d = expected.remove(e);
            assertTrue(d >= last, "polled in deadline order");
            last = d;
        }
        assertEquals(0, expected.size());
        assertEquals(0, queue.size());
        assertTrue(polled > 0);
    }
}
