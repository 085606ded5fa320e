package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loop's one timer over its participants: deadlines met, announced earlier ones honoured, bugs contained. */
class MediaLoopTest {

    private MediaPlane plane;
    private MediaLoop loop;

    @BeforeEach
    void start() {
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> (s, c, f, n) -> { });
        loop = plane.loops().get(0);
    }

    @AfterEach
    void stop() {
        plane.close();
    }

    /** A participant with one deadline; counts its timeouts and opens a latch at the first. */
    private final class OneShot implements MediaLoop.Participant {
        long deadlineNs = Long.MAX_VALUE;
        int fired;
        long firedAtNs;
        /** How often the loop asked for its deadline. */
        int asked;
        boolean firedInBurst;
        final CountDownLatch done = new CountDownLatch(1);
        Runnable onFire = () -> { };

        @Override
        public long nextTimeoutNs() {
            asked++;
            return deadlineNs;
        }

        @Override
        public void handleTimeout(long nowNs) {
            if (nowNs - deadlineNs < 0) throw new AssertionError("called before its deadline");
            fired++;
            firedAtNs = nowNs;
            firedInBurst = loop.inBurst();
            deadlineNs = Long.MAX_VALUE;
            onFire.run();
            done.countDown();
        }
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunAParticipantAtItsDeadlineAndNotBefore() throws Exception {
        OneShot p = new OneShot();
        long deadline = onLoop(() -> {
            p.deadlineNs = System.nanoTime() + 30_000_000L;
            loop.add(p);
            return p.deadlineNs;
        });
        assertTrue(p.done.await(10, TimeUnit.SECONDS));
        assertEquals(1, (int) onLoop(() -> p.fired));
        assertTrue(p.firedAtNs - deadline >= 0);
    }

    @Test
    void shouldHonourADeadlineAnnouncedEarlierThanTheArmedOne() throws Exception {
        OneShot late = new OneShot();
        OneShot early = new OneShot();
        onLoop(() -> {
            late.deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            loop.add(late);
            early.deadlineNs = Long.MAX_VALUE;
            loop.add(early);
            // Later, the participant learns of something due soon (a NACK, a keyframe request) and says so.
            early.deadlineNs = System.nanoTime() + 20_000_000L;
            loop.wakeAt(early.deadlineNs);
            return null;
        });
        assertTrue(early.done.await(10, TimeUnit.SECONDS), "the earlier deadline was met long before the armed one");
        assertEquals(0, (int) onLoop(() -> late.fired));
    }

    @Test
    void shouldHonourADeadlineItsParticipantAnnouncesEarlier() throws Exception {
        OneShot p = new OneShot();
        onLoop(() -> {
            p.deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            loop.add(p);
            p.deadlineNs = System.nanoTime() + 20_000_000L;
            loop.wakeAt(p, p.deadlineNs);
            return null;
        });
        assertTrue(p.done.await(10, TimeUnit.SECONDS), "the announced deadline was met, not the queued one of 60 s");
    }

    /** A deadline that moves later needs no announcement: at the old one the participant is asked, not run. */
    @Test
    void shouldNotRunAParticipantWhoseDeadlineMovedLaterUntilTheNewOne() throws Exception {
        OneShot p = new OneShot();
        long[] moved = new long[1];
        onLoop(() -> {
            p.deadlineNs = System.nanoTime() + 20_000_000L;
            loop.add(p);
            p.deadlineNs = System.nanoTime() + 80_000_000L; // moved later, silently
            moved[0] = p.deadlineNs;
            return null;
        });
        assertTrue(p.done.await(10, TimeUnit.SECONDS));
        assertEquals(1, (int) onLoop(() -> p.fired));
        assertTrue(p.firedAtNs - moved[0] >= 0, "run at its new deadline, not the old one");
    }

    /** A firing asks only the participants that are due, not every one on the loop (issue 15: no scan per firing). */
    @Test
    void shouldAskOnlyTheDueParticipantsWhenItFires() throws Exception {
        List<OneShot> idle = new ArrayList<>();
        OneShot due = new OneShot();
        long[] before = onLoop(() -> {
            for (int i = 0; i < 100; i++) {
                OneShot p = new OneShot();
                p.deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                idle.add(p);
                loop.add(p);
            }
            due.deadlineNs = System.nanoTime() + 20_000_000L;
            loop.add(due);
            return new long[] {idle.stream().mapToInt(p -> p.asked).sum(), loop.safetyScans()};
        });
        assertTrue(due.done.await(10, TimeUnit.SECONDS));
        long[] after = onLoop(() -> new long[] {idle.stream().mapToInt(p -> p.asked).sum(), loop.safetyScans()});
        assertEquals((after[1] - before[1]) * idle.size(), after[0] - before[0],
                "the idle participants were asked in safety scans only (" + (after[1] - before[1]) + " of them)");
    }

    /** While bursts come, due timer work runs at the end of one instead of waking the loop on its own. */
    @Test
    void shouldRunDueTimerWorkAtTheEndOfABurstWhilePacketsFlow() throws Exception {
        var ticks = loop.eventLoop().scheduleAtFixedRate(() -> loop.burst(() -> { }), 0, 2, TimeUnit.MILLISECONDS);
        try {
            OneShot p = new OneShot();
            long inBurstsBefore = onLoop(() -> {
                loop.burst(() -> { }); // traffic flows
                p.deadlineNs = System.nanoTime() + 30_000_000L;
                loop.add(p);
                return loop.timerFiringsInBursts();
            });
            assertTrue(p.done.await(10, TimeUnit.SECONDS));
            assertTrue(onLoop(() -> p.firedInBurst));
            assertTrue(onLoop(loop::timerFiringsInBursts) > inBurstsBefore, "the work ran in a burst's wake-up");
        } finally {
            ticks.cancel(false);
        }
    }

    @Test
    void shouldCoalesceNearbyDeadlinesIntoFewFirings() throws Exception {
        List<OneShot> many = new ArrayList<>();
        long firingsBefore = onLoop(() -> {
            long base = System.nanoTime() + 20_000_000L;
            for (int i = 0; i < 50; i++) {
                OneShot p = new OneShot();
                p.deadlineNs = base + i * 100_000L; // 50 deadlines within 5 ms
                many.add(p);
                loop.add(p);
            }
            return loop.timerFirings();
        });
        for (OneShot p : many) assertTrue(p.done.await(10, TimeUnit.SECONDS));
        long firings = onLoop(loop::timerFirings) - firingsBefore;
        assertTrue(firings >= 1 && firings <= 2, "50 deadlines within 5 ms cost at most two wake-ups: " + firings);
    }

    /** A participant that leaves in its own timeout (a transport whose consent expired) does not make the next one wait. */
    @Test
    void shouldRunTheNextParticipantWhenOneRemovesItselfWhileFiring() throws Exception {
        OneShot leaving = new OneShot();
        OneShot next = new OneShot();
        long firingsBefore = onLoop(() -> {
            long due = System.nanoTime() + 20_000_000L;
            leaving.deadlineNs = due;
            next.deadlineNs = due;
            leaving.onFire = () -> loop.remove(leaving);
            loop.add(leaving);
            loop.add(next);
            return loop.timerFirings();
        });
        assertTrue(next.done.await(10, TimeUnit.SECONDS));
        assertEquals(1, (int) onLoop(() -> next.fired));
        assertEquals(1, onLoop(loop::timerFirings) - firingsBefore, "both in the same firing");
        assertEquals(1, (int) onLoop(loop::participantCount));
    }

    @Test
    void shouldSkipAParticipantRemovedDuringAFiringAndSurviveOneThatThrows() throws Exception {
        OneShot remover = new OneShot();
        OneShot removed = new OneShot();
        OneShot buggy = new OneShot();
        OneShot healthy = new OneShot();
        onLoop(() -> {
            long due = System.nanoTime() + 20_000_000L;
            for (OneShot p : List.of(remover, buggy, removed, healthy)) p.deadlineNs = due;
            remover.onFire = () -> loop.remove(removed);
            buggy.onFire = () -> {
                throw new IllegalStateException("a participant bug");
            };
            loop.add(remover);
            loop.add(buggy);
            loop.add(removed);
            loop.add(healthy);
            return null;
        });
        assertTrue(healthy.done.await(10, TimeUnit.SECONDS), "a bug in one participant does not stop the others");
        assertEquals(0, (int) onLoop(() -> removed.fired), "removed before its turn in the same firing");
        assertEquals(1, loop.errors());
        assertEquals(3, (int) onLoop(loop::participantCount));
        assertFalse(onLoop(() -> removed.done.getCount() == 0));
    }
}
