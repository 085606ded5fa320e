package dev.junction.gateway.session;

import dev.junction.gateway.loop.RoomKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which rooms exist and where each one's home is (the cluster directory later): room name to its
 * {@link RoomKey}, with the number of sessions in it. A new room is homed on the loop with the fewest rooms; its
 * subscribers are dealt over the loops round-robin from there.
 *
 * <p>A room with no session is forgotten {@code graceMs} after its last session left (or after it was made, if
 * every offer for it was refused), unless someone joins meanwhile; a re-join within the grace keeps its home.
 * Joining and removal exclude each other without a lock: {@link Entry#members} counts the sessions, and removal
 * swaps 0 for -1, after which a joiner starts over with a fresh entry.
 *
 * <p>Threading: any thread. The grace timer is one control-plane thread, not the media loops'.
 */
public final class RoomDirectory implements AutoCloseable {

    /** How long an empty room waits for someone to (re)join before it is forgotten. */
    public static final long DEFAULT_GRACE_MS = 5_000;

    /** One room. */
    public final class Entry {
        private final RoomKey key;
        private final AtomicInteger members = new AtomicInteger();
        private final AtomicInteger subscriberTurn = new AtomicInteger();
        /** Guarded by this entry. */
        private ScheduledFuture<?> removal;

        private Entry(RoomKey key) {
            this.key = key;
        }

        public RoomKey key() {
            return key;
        }

        /** Sessions in the room now. */
        public int members() {
            return Math.max(0, members.get());
        }

        /** The loop for the next subscriber: round-robin from the home loop. */
        public int nextSubscriberLoop() {
            return Math.floorMod(key.home() + subscriberTurn.getAndIncrement(), loopRooms.length);
        }

        private boolean join() {
            while (true) {
                int m = members.get();
                if (m < 0) return false;
                if (members.compareAndSet(m, m + 1)) return true;
            }
        }
    }

    private final ConcurrentHashMap<String, Entry> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger[] loopRooms;
    private final long graceMs;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.junction.room");
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("junction-rooms").daemon().factory());

    public RoomDirectory(int loops, long graceMs) {
        // A room that refills within its grace period cancels its removal: the task leaves the queue at once.
        timer.setRemoveOnCancelPolicy(true);
        this.loopRooms = new AtomicInteger[loops];
        for (int i = 0; i < loops; i++) loopRooms[i] = new AtomicInteger();
        this.graceMs = graceMs;
    }

    /** Counts a session into room {@code name}, making the room if needed. Pair with one {@link #leave}. */
    public Entry enter(String name) {
        while (true) {
            Entry e = rooms.computeIfAbsent(name, this::newEntry);
            if (e.join()) return e;
            forget(e); // being removed: start over with a fresh one
        }
    }

    /** Counts a session out; the last one arms the room's removal. */
    public void leave(Entry e) {
        if (e.members.decrementAndGet() == 0) scheduleRemoval(e);
    }

    /** Rooms that exist (empty ones in their grace period included). */
    public int size() {
        return rooms.size();
    }

    /** The rooms now (a weakly consistent view: rooms made or removed meanwhile may or may not be in it). */
    public java.util.Collection<Entry> entries() {
        return rooms.values();
    }

    /** Room {@code name}, or null. */
    public Entry find(String name) {
        return rooms.get(name);
    }

    /** Empty rooms whose removal is scheduled (their grace period runs). */
    public int pendingRemovals() {
        return timer.getQueue().size();
    }

    private Entry newEntry(String name) {
        int best = 0;
        for (int i = 1; i < loopRooms.length; i++) {
            if (loopRooms[i].get() < loopRooms[best].get()) best = i;
        }
        loopRooms[best].incrementAndGet();
        LOG.info("room created room={} home-loop={}", name, best);
        return new Entry(new RoomKey(name, best));
    }

    private void scheduleRemoval(Entry e) {
        synchronized (e) {
            if (e.removal != null) e.removal.cancel(false);
            try {
                e.removal = timer.schedule(() -> remove(e), graceMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                e.removal = null; // shutting down: close() forgets everything
            }
        }
    }

    private void remove(Entry e) {
        if (e.members.compareAndSet(0, -1)) {
            forget(e);
            LOG.info("room removed room={} (empty for {} ms)", e.key.name(), graceMs);
        }
    }

    private void forget(Entry e) {
        if (rooms.remove(e.key.name(), e)) loopRooms[e.key.home()].decrementAndGet();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        rooms.clear();
    }
}
