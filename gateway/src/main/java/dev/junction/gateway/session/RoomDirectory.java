package dev.junction.gateway.session;

import dev.junction.gateway.loop.RoomKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which rooms exist and where each one's home is (the cluster directory later): room name to its
 * {@link RoomKey}, with the number of sessions in it, and where each session goes ({@link Seat}). A new room is
 * homed on the least-loaded loop (fewest sessions, then fewest rooms). Its publishers sit on the home loop, and so
 * do its first {@code media.spread-after} subscribers (200): below that fan-out, handing packets to another loop costs more
 * than it saves (a pipe, a second wake-up per burst, measured in README "Small rooms stay on one loop"). From
 * there new subscribers are dealt over the loops round-robin from the home loop, which spreads one big room
 * evenly whatever else runs.
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

    /** A session's place: its room and its loop. Give it back with {@link #leave(Seat)}. */
    public record Seat(Entry room, int loop, boolean subscriber) {
    }

    /** One room. */
    public final class Entry {
        private final RoomKey key;
        private final AtomicInteger members = new AtomicInteger();
        /** Subscribers seated now (they decide when the room spreads). */
        private final AtomicInteger subscribers = new AtomicInteger();
        /** Publishers seated now (the cluster directory homes the room here while there are any). */
        private final AtomicInteger publishers = new AtomicInteger();
        /** Subscribers seated while spread, for the round-robin. */
        private final AtomicInteger spreadTurn = new AtomicInteger();
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

        /** Subscribers in the room now. */
        public int subscribers() {
            return subscribers.get();
        }

        /** Publishers in the room now. */
        public int publishers() {
            return publishers.get();
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
    /** Sessions seated on each loop. */
    private final AtomicInteger[] loopSessions;
    private final int spreadAfter;
    private final long graceMs;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.junction.room");
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("junction-rooms").daemon().factory());
    /** Told the room's name when its last publisher leaves (the cluster directory); a no-op on a single node. */
    private volatile java.util.function.Consumer<String> onLastPublisherLeft = name -> { };

    /** {@code spreadAfter}: subscribers a room keeps on its home loop before new ones go to the least-loaded loop. */
    public RoomDirectory(int loops, long graceMs, int spreadAfter) {
        // A room that refills within its grace period cancels its removal: the task leaves the queue at once.
        timer.setRemoveOnCancelPolicy(true);
        this.loopRooms = new AtomicInteger[loops];
        this.loopSessions = new AtomicInteger[loops];
        for (int i = 0; i < loops; i++) {
            loopRooms[i] = new AtomicInteger();
            loopSessions[i] = new AtomicInteger();
        }
        this.graceMs = graceMs;
        this.spreadAfter = Math.max(0, spreadAfter);
    }

    /**
     * Seats a session in room {@code name}, making the room if needed: a publisher on the home loop; a subscriber
     * there too while the room has fewer than {@code spreadAfter} subscribers, else dealt round-robin from home.
     */
    public Seat enter(String name, boolean subscriber) {
        Entry e = enter(name);
        if (!subscriber) e.publishers.incrementAndGet();
        int loop = e.key.home();
        if (subscriber && e.subscribers.getAndIncrement() >= spreadAfter) {
            loop = Math.floorMod(e.key.home() + e.spreadTurn.getAndIncrement(), loopSessions.length);
        }
        loopSessions[loop].incrementAndGet();
        return new Seat(e, loop, subscriber);
    }

    /** Gives back a {@link #enter(String, boolean)}: its loop's count, its room's, and the room when it was the last. */
    public void leave(Seat seat) {
        loopSessions[seat.loop()].decrementAndGet();
        if (seat.subscriber()) {
            seat.room().subscribers.decrementAndGet();
        } else if (seat.room().publishers.decrementAndGet() == 0) {
            onLastPublisherLeft.accept(seat.room().key().name());
        }
        leave(seat.room());
    }

    /**
     * Calls {@code listener} with a room's name whenever its last publisher leaves, on the leaving session's thread
     * (a media loop or a Vert.x loop): it must only hand the name over, never block.
     */
    public void onLastPublisherLeft(java.util.function.Consumer<String> listener) {
        this.onLastPublisherLeft = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Publishers in room {@code name} now; 0 when there is no such room. */
    public int publishers(String name) {
        Entry e = rooms.get(name);
        return e == null ? 0 : e.publishers.get();
    }

    /** Sessions seated on each loop now. */
    public int[] sessionsPerLoop() {
        int[] out = new int[loopSessions.length];
        for (int i = 0; i < out.length; i++) out[i] = loopSessions[i].get();
        return out;
    }

    /** Counts a session into room {@code name}, making the room if needed. Pair with one {@link #leave(Entry)}. */
    Entry enter(String name) {
        while (true) {
            Entry e = rooms.computeIfAbsent(name, this::newEntry);
            if (e.join()) return e;
            forget(e); // being removed: start over with a fresh one
        }
    }

    /** Counts a session out; the last one arms the room's removal. */
    void leave(Entry e) {
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
        // The least-loaded loop: fewest sessions, then fewest rooms (empty rooms in their grace period count).
        int best = 0;
        for (int i = 1; i < loopRooms.length; i++) {
            int bySessions = Integer.compare(loopSessions[i].get(), loopSessions[best].get());
            if (bySessions < 0 || (bySessions == 0 && loopRooms[i].get() < loopRooms[best].get())) best = i;
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
