package dev.junction.transport.socket;

import dev.junction.transport.metrics.DurationHistogram;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One media event loop (DESIGN §3.2, mediasoup's Worker on a Netty loop): it owns its sockets, everything
 * registered on it, one timer and the burst/flush cycle. Nothing on a loop takes a lock.
 *
 * <p><b>Bursts.</b> A socket's read burst (the datagrams of one wake-up, recvmmsg on epoll) is one burst;
 * {@link #burst} makes one out of other work (packets handed over from another loop). Writes made during a
 * burst are coalesced per peer and flushed once when it ends, after the tasks queued with {@link #atBurstEnd}
 * (waking another loop once per burst instead of once per packet). {@link #burstLatency()} observes each
 * burst from its first datagram to its flush: the server's own share of the forwarding latency.
 *
 * <p><b>One timer.</b> Sans-IO cores (transports, rooms) register as {@link Participant}s. The loop keeps one
 * scheduled task, armed at the earliest deadline of them all; when it fires it runs every participant that is
 * due, then re-arms. A participant that moves its deadline earlier says so with {@link #wakeAt}. Firings are at
 * least {@link #MIN_TIMER_GAP_NS} apart (so many participants with scattered deadlines cost one wake-up per
 * gap, not one each), and at most {@link #MAX_TIMER_SLEEP_NS} apart while anyone is registered (a safety net
 * for a deadline nobody announced). A loop with no participants never wakes for its timer.
 *
 * <p><b>One hand-off.</b> Other threads reach the loop only through {@link #execute}, whose one rejection path
 * (the loop is shutting down) is its boolean result.
 *
 * <p>Threading: everything but {@link #execute}, {@link #inLoop()}, {@link #index()} and the histogram is
 * called on this loop only.
 */
public final class MediaLoop {

    /** Something that queues writes during a burst and sends them when it ends (a UDP socket, a TCP connection). */
    public interface Flushable {
        /** The burst ended: send everything queued. */
        void flushBurst();
    }

    /** Something with deadlines on this loop: polled by the loop's one timer (DESIGN §3.1). */
    public interface Participant {
        /** The earliest deadline ({@link System#nanoTime()} scale), or {@link Long#MAX_VALUE} for none. */
        long nextTimeoutNs();

        /** Runs whatever is due at {@code nowNs}. */
        void handleTimeout(long nowNs);
    }

    /** Timer firings are at least this far apart: deadlines are late by at most this much. */
    public static final long MIN_TIMER_GAP_NS = 10_000_000L;
    /** While anyone is registered, the timer fires at least this often. */
    public static final long MAX_TIMER_SLEEP_NS = 500_000_000L;

    private final int index;
    private final EventLoop eventLoop;

    // Bursts.
    private boolean inBurst;
    private long burstStartNs;
    private final List<Runnable> burstEndTasks = new ArrayList<>();
    /** Sockets and connections written to during the current burst: flushed when it ends. */
    private final List<Flushable> dirty = new ArrayList<>();
    private final DurationHistogram burstLatency = new DurationHistogram(DurationHistogram.LATENCY_BOUNDS_NS);
    /** Whether the running burst is observed in {@link #burstLatency} (a read or a hand-over, not a timer firing). */
    private boolean observed;
    /** Bugs caught on this loop (a burst-end task or a participant that threw); any thread reads it. */
    private final AtomicLong errors = new AtomicLong();

    // The timer.
    /** How many participants are registered, published with release stores for other threads. */
    private final AtomicInteger publishedParticipants = new AtomicInteger();
    /** Registered participants; a slot is null while a participant removed during a firing awaits compaction. */
    private final List<Participant> participants = new ArrayList<>();
    private final Runnable fire = this::fire;
    private boolean firing;
    /** The earliest deadline announced while firing (for a participant whose turn had already passed). */
    private long wokenWhileFiringNs = Long.MAX_VALUE;
    private ScheduledFuture<?> timer;
    /** When the armed timer fires; meaningful while {@link #timer} is not null. */
    private long timerAtNs;
    private long lastFireNs;
    private long firings;

    MediaLoop(int index, EventLoop eventLoop) {
        this.index = index;
        this.eventLoop = Objects.requireNonNull(eventLoop, "eventLoop");
        this.lastFireNs = System.nanoTime() - MIN_TIMER_GAP_NS;
    }

    /** This loop's position in its {@link MediaPlane}. */
    public int index() {
        return index;
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    /** True on this loop's thread. */
    public boolean inLoop() {
        return eventLoop.inEventLoop();
    }

    /**
     * Runs {@code task} on this loop: the one hand-off from other threads. Returns false, without running it, when
     * the loop is shutting down; the caller then frees what the task would have used.
     */
    public boolean execute(Runnable task) {
        try {
            eventLoop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // ---- bursts -------------------------------------------------------------------------------------------

    /** Whether a burst is running: writes now are coalesced and flushed when it ends. */
    public boolean inBurst() {
        return inBurst;
    }

    /** Starts a burst at the first datagram of a read (no-op inside one). */
    void beginBurst(long nowNs) {
        if (inBurst) return;
        inBurst = true;
        observed = true;
        burstStartNs = nowNs;
    }

    /** Ends the running burst: its end tasks, then every dirty socket's flush, then the latency observation. */
    void endBurst() {
        if (!inBurst) return;
        // NOTE: index loop: a task may add another (it then runs in this pass too).
        for (int i = 0; i < burstEndTasks.size(); i++) {
            try {
                burstEndTasks.get(i).run();
            } catch (RuntimeException e) {
                errors.incrementAndGet();
            }
        }
        burstEndTasks.clear();
        // NOTE: still in the burst while flushing, so the sends the batches become join this flush instead of
        // scheduling one of their own.
        for (int i = 0; i < dirty.size(); i++) dirty.get(i).flushBurst();
        dirty.clear();
        inBurst = false;
        if (observed) burstLatency.record(System.nanoTime() - burstStartNs);
    }

    /**
     * Runs {@code work} as a burst: its writes are coalesced per peer and flushed together when it returns. For a
     * batch of packets handed over from another loop. Inside a burst it just runs.
     */
    public void burst(Runnable work) {
        if (inBurst) {
            work.run();
            return;
        }
        beginBurst(System.nanoTime());
        try {
            work.run();
        } finally {
            endBurst();
        }
    }

    /**
     * Runs {@code task} at the end of the current burst, before its writes are flushed, or now outside a burst:
     * for work cheaper once per burst than once per packet.
     */
    public void atBurstEnd(Runnable task) {
        if (!inBurst) {
            task.run();
            return;
        }
        burstEndTasks.add(task);
    }

    /** {@code target} has writes for the end of the current burst. */
    void markDirty(Flushable target) {
        if (!dirty.contains(target)) dirty.add(target);
    }

    /** Per burst, from its first datagram to the flush of everything it caused. Any thread may read it. */
    public DurationHistogram burstLatency() {
        return burstLatency;
    }

    // ---- the timer -----------------------------------------------------------------------------------------

    /** Registers {@code p} with the timer and arms it for {@code p}'s deadline. */
    public void add(Participant p) {
        participants.add(p);
        publishedParticipants.setRelease(publishedParticipants.getPlain() + 1);
        wakeAt(p.nextTimeoutNs());
    }

    /** Unregisters {@code p}; it is not called again (a firing in progress skips it). */
    public void remove(Participant p) {
        int at = participants.indexOf(p);
        if (at < 0) return;
        publishedParticipants.setRelease(publishedParticipants.getPlain() - 1);
        // NOTE: while firing, the list is being walked by index: blank the slot, compact after the walk.
        if (firing) participants.set(at, null);
        else participants.remove(at);
    }

    /** How often the timer fired so far; on the loop. */
    public long timerFirings() {
        return firings;
    }

    /** Participants registered, as last published by the loop; any thread (for /metrics). */
    public int publishedParticipantCount() {
        return publishedParticipants.getAcquire();
    }

    /** Participants registered now; on the loop. */
    public int participantCount() {
        int n = 0;
        for (Participant p : participants) {
            if (p != null) n++;
        }
        return n;
    }

    /**
     * Makes sure the timer fires no later than {@code deadlineNs} (but not sooner than {@link #MIN_TIMER_GAP_NS}
     * after its last firing). Cheap when an earlier firing is armed already.
     */
    public void wakeAt(long deadlineNs) {
        if (deadlineNs == Long.MAX_VALUE) return;
        if (firing) {
            // The firing re-arms from every deadline when it ends, this one included.
            if (wokenWhileFiringNs == Long.MAX_VALUE || deadlineNs - wokenWhileFiringNs < 0) wokenWhileFiringNs = deadlineNs;
            return;
        }
        long atNs = deadlineNs - (lastFireNs + MIN_TIMER_GAP_NS) < 0 ? lastFireNs + MIN_TIMER_GAP_NS : deadlineNs;
        if (timer != null && atNs - timerAtNs >= 0) return;
        arm(atNs);
    }

    private void arm(long atNs) {
        if (timer != null) timer.cancel(false);
        timerAtNs = atNs;
        timer = eventLoop.schedule(fire, Math.max(0, atNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        firings++;
        long nowNs = System.nanoTime();
        lastFireNs = nowNs;
        long next = Long.MAX_VALUE;
        firing = true;
        inBurst = true; // the timer's writes (reports, NACKs, checks) leave together
        observed = false;
        burstStartNs = nowNs;
        try {
            // NOTE: index loop, participants may be added (they are run too) or removed (blanked) meanwhile.
            for (int i = 0; i < participants.size(); i++) {
                Participant p = participants.get(i);
                if (p == null) continue;
                try {
                    long due = p.nextTimeoutNs();
                    if (due != Long.MAX_VALUE && due - nowNs <= 0) {
                        p.handleTimeout(nowNs);
                        due = p.nextTimeoutNs();
                    }
                    if (due != Long.MAX_VALUE && (next == Long.MAX_VALUE || due - next < 0)) next = due;
                } catch (RuntimeException e) {
                    // A bug in one participant must not stop the others' timers; counted for /metrics.
                    errors.incrementAndGet();
                }
            }
        } finally {
            firing = false;
            participants.removeIf(p -> p == null);
            endBurst();
        }
        if (wokenWhileFiringNs != Long.MAX_VALUE && (next == Long.MAX_VALUE || wokenWhileFiringNs - next < 0)) next = wokenWhileFiringNs;
        wokenWhileFiringNs = Long.MAX_VALUE;
        if (participants.isEmpty()) return;
        long latest = nowNs + MAX_TIMER_SLEEP_NS;
        wakeAt(next == Long.MAX_VALUE || next - latest > 0 ? latest : next);
    }

    /** Exceptions caught on this loop from burst-end tasks and participants' timeouts (bugs). Any thread. */
    public long errors() {
        return errors.get();
    }

    @Override
    public String toString() {
        return "MediaLoop[" + index + ", participants=" + participantCount() + "]";
    }
}
