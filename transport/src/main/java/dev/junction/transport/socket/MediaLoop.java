package dev.junction.transport.socket;

import dev.junction.transport.metrics.DurationHistogram;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 * <p><b>One timer.</b> Sans-IO cores (transports, rooms) register as {@link Participant}s. The loop keeps each
 * participant's last known deadline in a {@link DeadlineQueue} and one scheduled task, armed at the earliest; when
 * it fires it runs the participants whose deadline has come (asking each whether it is really due: a deadline that
 * moved later needs no announcement), queues each at its next deadline, and re-arms. Nobody else is asked. A
 * participant that moves its deadline earlier says so with {@link #wakeAt(Participant, long)}. Firings are at
 * least {@link #MIN_TIMER_GAP_NS} apart (so many participants with scattered deadlines cost one wake-up per gap,
 * not one each). While packets flow, the scheduled task waits {@link #COALESCE_NS} past the due time, and a burst
 * that ends meanwhile runs the due work instead, its writes flushed with the burst's: at a browser's packet rate the
 * timer then rarely wakes the loop on its own (issue 15). Every {@link #MAX_TIMER_SLEEP_NS} while anyone is
 * registered, every participant is asked afresh (a safety net for a deadline nobody announced; an anonymous
 * {@link #wakeAt(long)} asks for such a scan too). A loop with no participants never wakes for its timer.
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
    /**
     * While packets flow, the timer's own wake-up comes this long after its work is due: a burst ending in between
     * runs the work instead (issue 15: at a browser's packet rate, a wake-up costs more than the work).
     */
    public static final long COALESCE_NS = 10_000_000L;
    /** Packets "flow" while the last burst began less than this long ago. */
    static final long TRAFFIC_WINDOW_NS = 100_000_000L;

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
    /** Registered participants and their entries in {@link #deadlines}. */
    private final Map<Participant, DeadlineQueue.Entry<Participant>> entries = new IdentityHashMap<>();
    /** The same entries in registration order: for the scan that asks everyone. */
    private final List<DeadlineQueue.Entry<Participant>> all = new ArrayList<>();
    /**
     * Each participant at its last known deadline. A deadline only moves earlier through {@link #wakeAt}; one that
     * moved later is found when the old one comes (the participant is asked, runs if due, and is queued again).
     */
    private final DeadlineQueue<Participant> deadlines = new DeadlineQueue<>();
    /** Entries taken from the queue by the running firing. */
    private final List<DeadlineQueue.Entry<Participant>> due = new ArrayList<>();
    private final Runnable fire = this::fire;
    private boolean firing;
    /** When an anonymous {@link #wakeAt(long)} asked for a scan of every participant; MAX_VALUE: none asked. */
    private long scanAtNs = Long.MAX_VALUE;
    /** When every participant is asked again anyway (every {@link #MAX_TIMER_SLEEP_NS} while any is registered). */
    private long safetyScanNs;
    /** When the timer's work is due (a burst ending after it runs it); MAX_VALUE: nothing armed. */
    private long dueNs = Long.MAX_VALUE;
    private ScheduledFuture<?> timer;
    /** When the armed timer fires; meaningful while {@link #timer} is not null. */
    private long timerAtNs;
    private long lastFireNs;
    /** When the last burst began (traffic flows: the timer's work may wait for the next burst). */
    private long lastTrafficNs;
    private long firings;
    private long firingsInBursts;
    private long scans;

    MediaLoop(int index, EventLoop eventLoop) {
        this.index = index;
        this.eventLoop = Objects.requireNonNull(eventLoop, "eventLoop");
        this.lastFireNs = System.nanoTime() - MIN_TIMER_GAP_NS;
        this.lastTrafficNs = lastFireNs - TRAFFIC_WINDOW_NS;
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
        lastTrafficNs = nowNs;
    }

    /** Ends the running burst: its end tasks, then every dirty socket's flush, then the latency observation. */
    void endBurst() {
        if (!inBurst) return;
        if (dueNs != Long.MAX_VALUE && !firing) {
            long nowNs = System.nanoTime();
            if (nowNs - dueNs >= 0) {
                // The loop is awake anyway: the timer's due work runs here, its writes join this burst's flush.
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
                firingsInBursts++;
                try {
                    runTimers(nowNs);
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                }
            }
        }
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
        if (entries.containsKey(p)) return;
        DeadlineQueue.Entry<Participant> e = deadlines.entry(p);
        entries.put(p, e);
        all.add(e);
        publishedParticipants.setRelease(entries.size());
        if (all.size() == 1) safetyScanNs = System.nanoTime() + MAX_TIMER_SLEEP_NS;
        long due = p.nextTimeoutNs();
        deadlines.set(e, due);
        schedule(due);
        schedule(safetyScanNs);
    }

    /** Unregisters {@code p}; it is not called again (a firing in progress skips it). */
    public void remove(Participant p) {
        DeadlineQueue.Entry<Participant> e = entries.remove(p);
        if (e == null) return;
        deadlines.remove(e);
        all.remove(e);
        publishedParticipants.setRelease(entries.size());
    }

    /** How often the timer ran so far (fired on its own or in a burst); on the loop. */
    public long timerFirings() {
        return firings;
    }

    /** How often every participant was asked for its deadline (the safety net, or an anonymous wake); on the loop. */
    long safetyScans() {
        return scans;
    }

    /** How many of {@link #timerFirings()} ran at the end of a burst instead of waking the loop; on the loop. */
    public long timerFiringsInBursts() {
        return firingsInBursts;
    }

    /** Participants registered, as last published by the loop; any thread (for /metrics). */
    public int publishedParticipantCount() {
        return publishedParticipants.getAcquire();
    }

    /** Participants registered now; on the loop. */
    public int participantCount() {
        return entries.size();
    }

    /**
     * {@code p}'s deadline moved to {@code deadlineNs}, earlier than it may have been: the timer runs it no later
     * than that (and not sooner than {@link #MIN_TIMER_GAP_NS} after its last firing). Cheap when {@code p} is queued
     * earlier already. A deadline that moves later needs no call: {@code p} is asked again when its old one comes.
     */
    public void wakeAt(Participant p, long deadlineNs) {
        DeadlineQueue.Entry<Participant> e = entries.get(p);
        if (e != null && deadlines.lower(e, deadlineNs)) schedule(deadlineNs);
    }

    /**
     * Someone's deadline moved to {@code deadlineNs}, without saying whose: the timer then asks every participant for
     * its deadline. Prefer {@link #wakeAt(Participant, long)}, which asks no one else.
     */
    public void wakeAt(long deadlineNs) {
        if (deadlineNs == Long.MAX_VALUE) return;
        if (scanAtNs == Long.MAX_VALUE || deadlineNs - scanAtNs < 0) scanAtNs = deadlineNs;
        schedule(deadlineNs);
    }

    /** Makes the timer work due no later than {@code deadlineNs} (but not sooner than the minimum gap). */
    private void schedule(long deadlineNs) {
        // NOTE: while firing, the firing re-arms from the queue when it ends, this deadline included.
        if (deadlineNs == Long.MAX_VALUE || firing) return;
        long atNs = deadlineNs - (lastFireNs + MIN_TIMER_GAP_NS) < 0 ? lastFireNs + MIN_TIMER_GAP_NS : deadlineNs;
        if (dueNs != Long.MAX_VALUE && atNs - dueNs >= 0) return;
        dueNs = atNs;
        // While packets flow, the timer's own wake-up waits COALESCE_NS longer: a burst that comes meanwhile runs it.
        long nowNs = System.nanoTime();
        long fireAtNs = nowNs - lastTrafficNs < TRAFFIC_WINDOW_NS ? atNs + COALESCE_NS : atNs;
        if (timer != null && fireAtNs - timerAtNs >= 0) return;
        if (timer != null) timer.cancel(false);
        timerAtNs = fireAtNs;
        timer = eventLoop.schedule(fire, Math.max(0, fireAtNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /** The timer's own wake-up: its work as a burst of its own (reports, NACKs, checks leave together). */
    private void fire() {
        timer = null;
        if (dueNs == Long.MAX_VALUE) return;
        long nowNs = System.nanoTime();
        inBurst = true;
        observed = false;
        burstStartNs = nowNs;
        try {
            runTimers(nowNs);
        } finally {
            endBurst();
        }
    }

    /**
     * Runs every participant that is due at {@code nowNs}: those whose queued deadline has come (and everyone, when
     * an anonymous {@link #wakeAt(long)} or the periodic safety scan asks), then re-arms. Called inside a burst.
     */
    private void runTimers(long nowNs) {
        firings++;
        lastFireNs = nowNs;
        dueNs = Long.MAX_VALUE;
        firing = true;
        try {
            if (scanAtNs != Long.MAX_VALUE && nowNs - scanAtNs >= 0 || nowNs - safetyScanNs >= 0) {
                // Every participant's deadline asked afresh: for a deadline nobody announced (a safety net).
                scanAtNs = Long.MAX_VALUE;
                safetyScanNs = nowNs + MAX_TIMER_SLEEP_NS;
                scans++;
                for (int i = 0; i < all.size(); i++) {
                    DeadlineQueue.Entry<Participant> e = all.get(i);
                    try {
                        deadlines.set(e, e.owner().nextTimeoutNs());
                    } catch (RuntimeException ex) {
                        errors.incrementAndGet();
                    }
                }
            }
            for (DeadlineQueue.Entry<Participant> e; (e = deadlines.poll(nowNs)) != null; ) due.add(e);
            for (int i = 0; i < due.size(); i++) {
                DeadlineQueue.Entry<Participant> e = due.get(i);
                Participant p = e.owner();
                if (entries.get(p) != e) continue; // removed by an earlier one in this firing
                try {
                    long next = p.nextTimeoutNs();
                    if (next != Long.MAX_VALUE && next - nowNs <= 0) {
                        p.handleTimeout(nowNs);
                        next = p.nextTimeoutNs();
                    }
                    // Still registered (it may have left in its timeout): queued at its next deadline.
                    if (entries.get(p) == e) deadlines.set(e, next);
                } catch (RuntimeException ex) {
                    // A bug in one participant must not stop the others' timers; counted for /metrics.
                    errors.incrementAndGet();
                }
            }
        } finally {
            due.clear();
            firing = false;
        }
        if (entries.isEmpty() && scanAtNs == Long.MAX_VALUE) return;
        long next = deadlines.earliestNs();
        if (scanAtNs != Long.MAX_VALUE && (next == Long.MAX_VALUE || scanAtNs - next < 0)) next = scanAtNs;
        if (!entries.isEmpty() && (next == Long.MAX_VALUE || safetyScanNs - next < 0)) next = safetyScanNs;
        schedule(next);
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
