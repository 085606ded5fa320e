package dev.junction.gateway.http;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One WHEP session's server-sent event stream ({@code GET /whep/{room}/{id}/sse}, WHATWG HTML §9.2): a
 * {@code text/event-stream} response that stays open, carrying each event the session layer samples only when its
 * data changed since this stream last sent it, a comment every {@link #KEEPALIVE_MS} so proxies and the idle timeout
 * keep it, and nothing else. It ends when the session ends or the client goes.
 *
 * <p>Bounded: a client that does not read is not buffered for: once {@link #MAX_QUEUED_BYTES} wait in the
 * connection's write queue, the stream is closed and counted ({@code slow_reader}), never grown.
 *
 * <p>Threading: created and written on the request's Vert.x loop; {@link #onEvent} and {@link #onEnd} come from any
 * thread and hop onto it.
 */
final class EventStream implements ViewerEvents {

    static final long KEEPALIVE_MS = 15_000;
    /** A few events' worth: an event is a few hundred bytes, one a second. */
    static final int MAX_QUEUED_BYTES = 64 * 1024;

    // Passed by argument.
    private final HttpServerRequest request;
    private final Context context;
    private final Set<String> wanted;
    private final HttpCounters counters;

    // State, on the request's loop.
    /** What was last sent, by event kind ({@code active} and {@code inactive} are one kind: the publication's state). */
    private final Map<String, String> lastSent = new HashMap<>();
    private Subscription subscription;
    private long keepaliveTimer = -1;
    private boolean ended;

    EventStream(HttpServerRequest request, Context context, Set<String> wanted, HttpCounters counters) {
        this.request = request;
        this.context = context;
        this.wanted = wanted;
        this.counters = counters;
    }

    /** Sends the response head and starts the keepalive; on the request's loop, once {@code subscription} is live. */
    void start(Subscription s) {
        subscription = s;
        counters.streamOpened();
        HttpServerResponse response = request.response();
        response.setChunked(true)
                .setWriteQueueMaxSize(MAX_QUEUED_BYTES)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                // A buffering reverse proxy would hold events back.
                .putHeader("X-Accel-Buffering", "no");
        response.closeHandler(v -> finish(HttpCounters.STREAM_CLIENT_CLOSED));
        response.write(": junction viewer events\n\n");
        keepaliveTimer = context.owner().setPeriodic(KEEPALIVE_MS, id -> write(": keepalive\n\n"));
    }

    @Override
    public void onEvent(String name, String json) {
        context.runOnContext(v -> send(name, json));
    }

    @Override
    public void onEnd(String reason) {
        context.runOnContext(v -> {
            if (ended) return;
            finish(HttpCounters.STREAM_SESSION_ENDED);
            request.response().end();
        });
    }

    private void send(String name, String json) {
        if (ended || !wanted.contains(name)) return;
        String kind = name.equals("inactive") ? "active" : name;
        String previous = lastSent.get(kind);
        String value = name + '\n' + json;
        if (value.equals(previous)) return;
        // The WHEP drafts: no "inactive" before anything was active.
        if (previous == null && name.equals("inactive")) return;
        lastSent.put(kind, value);
        write("event: " + name + "\ndata: " + json + "\n\n");
    }

    private void write(String text) {
        if (ended) return;
        HttpServerResponse response = request.response();
        if (response.writeQueueFull()) {
            finish(HttpCounters.STREAM_SLOW_READER);
            request.connection().close();
            return;
        }
        response.write(text);
    }

    private void finish(int reason) {
        if (ended) return;
        ended = true;
        counters.streamClosed(reason);
        if (keepaliveTimer >= 0) context.owner().cancelTimer(keepaliveTimer);
        if (subscription != null) subscription.close();
    }
}
