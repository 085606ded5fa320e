package dev.junction.gateway.session;

import dev.junction.gateway.http.SessionException;
import dev.junction.gateway.http.ViewerEvents;
import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.room.Figures;
import dev.junction.gateway.room.Subscriber;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The WHEP sessions' event streams (issue 11, viewer control): once a second, for the sessions that have a stream
 * open, it asks each of their loops once for those subscribers' {@link Figures} (the {@code /stats} path: one task per
 * loop, never anything per packet), turns them into the {@code active}/{@code inactive}, {@code layers} and
 * {@code selection} events ({@link ViewerJson}) off the loops, and hands them to the streams, which send only what
 * changed. A new stream gets its session sampled at once. A session holds at most {@link #MAX_STREAMS_PER_SESSION};
 * its streams end when it does.
 *
 * <p>Threading: {@link #watch} on a Vert.x loop (a concurrent map, no waiting); sampling on the dashboard's sampler
 * thread, handed to it by {@link #start}.
 */
final class ViewerFeed implements AutoCloseable {
    static final int MAX_STREAMS_PER_SESSION = 4;
    static final long INTERVAL_MS = 1_000;
    /** A loop that does not answer within this is skipped for this round; its streams hear nothing new. */
    static final long LOOP_WAIT_MS = 800;

    private final ConcurrentHashMap<Session, List<ViewerEvents>> streams = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService sampler;

    /** Samples every {@link #INTERVAL_MS} on {@code sampler} (which the caller owns and shuts down). */
    ViewerFeed start(ScheduledExecutorService s) {
        sampler = s;
        s.scheduleAtFixedRate(this::sampleSafely, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Subscribes {@code sink} to {@code session}'s events; 429 past {@link #MAX_STREAMS_PER_SESSION}. */
    ViewerEvents.Subscription watch(Session session, ViewerEvents sink) {
        boolean[] added = new boolean[1];
        streams.compute(session, (s, list) -> {
            List<ViewerEvents> l = list == null ? new CopyOnWriteArrayList<>() : list;
            if (l.size() < MAX_STREAMS_PER_SESSION) {
                l.add(sink);
                added[0] = true;
            }
            return l;
        });
        if (!added[0]) {
            throw new SessionException(429, "this session has " + MAX_STREAMS_PER_SESSION + " event streams open already", Map.of("Retry-After", "5"));
        }
        // A session already closed ends its stream at once.
        session.closed.whenComplete((reason, failure) -> end(session, reason == null ? "session ended" : reason));
        ScheduledExecutorService s = sampler;
        if (s != null) {
            try {
                s.execute(() -> sampleSafely(List.of(session)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Shutting down: the session's close ends the stream.
            }
        }
        return () -> streams.computeIfPresent(session, (k, list) -> {
            list.remove(sink);
            return list.isEmpty() ? null : list;
        });
    }

    /** Streams open now, all sessions (tests). */
    int streamCount() {
        int n = 0;
        for (List<ViewerEvents> l : streams.values()) n += l.size();
        return n;
    }

    private void end(Session session, String reason) {
        List<ViewerEvents> gone = streams.remove(session);
        if (gone != null) for (ViewerEvents sink : gone) sink.onEnd(reason);
    }

    private void sampleSafely() {
        sampleSafely(List.copyOf(streams.keySet()));
    }

    private void sampleSafely(Collection<Session> sessions) {
        try {
            sample(sessions);
        } catch (RuntimeException e) {
            // A failed sample is a second without events, never the end of them.
            org.slf4j.LoggerFactory.getLogger(ViewerFeed.class).warn("viewer events sample failed", e);
        }
    }

    /** Asks each loop once for its sessions' figures, then sends the events off the loops. */
    private void sample(Collection<Session> sessions) {
        if (sessions.isEmpty()) return;
        Map<LoopProxy, List<Session>> byLoop = new HashMap<>();
        for (Session s : sessions) byLoop.computeIfAbsent(s.loop, k -> new ArrayList<>()).add(s);
        byLoop.forEach((loop, onLoop) -> {
            Map<Session, Figures.Subscriber> figures;
            try {
                figures = loop.query(() -> {
                    long nowNs = System.nanoTime();
                    Map<Session, Figures.Subscriber> out = new HashMap<>();
                    for (Session s : onLoop) {
                        Subscriber sub = s.subscriberOnLoop();
                        if (sub != null) out.put(s, sub.figures(nowNs));
                    }
                    return out;
                }).get(LOOP_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                return;
            }
            figures.forEach(this::deliver);
        });
    }

    private void deliver(Session session, Figures.Subscriber f) {
        List<ViewerEvents> sinks = streams.get(session);
        if (sinks == null) return;
        String activity = ViewerJson.active(f) ? "active" : "inactive";
        String layers = ViewerJson.layers(f);
        String selection = ViewerJson.selection(f, null);
        for (ViewerEvents sink : sinks) {
            sink.onEvent(activity, "{}");
            sink.onEvent("layers", layers);
            sink.onEvent("selection", selection);
        }
    }

    /** Ends every stream (the server stops; the sessions' closes would too, later). */
    @Override
    public void close() {
        for (Session s : List.copyOf(streams.keySet())) end(s, "server stopping");
    }
}
