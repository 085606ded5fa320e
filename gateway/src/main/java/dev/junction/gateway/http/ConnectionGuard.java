package dev.junction.gateway.http;

import dev.junction.config.HttpSettings;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one slow or greedy client can hold of the control plane: a connection must deliver a request's headers
 * within {@link HttpSettings#headerTimeoutMs()} of opening, and again after each response on a kept-alive
 * connection (a client that trickles its headers a byte at a time, "slowloris", is closed instead of holding the
 * connection for the idle timeout), and one client address holds at most
 * {@link HttpSettings#maxConnectionsPerSource()} connections at once. Each connection costs one small map entry
 * and one timer while it waits for headers. Closures are counted by reason for {@code /metrics}.
 *
 * <p>Threading: Vert.x calls {@link #handle} and {@link #onRequest} on the connection's event loop, so a
 * {@link Watch} is only touched there; the maps are concurrent because a server's connections spread over its loops.
 */
final class ConnectionGuard implements Handler<HttpConnection> {

    private final Vertx vertx;
    private final HttpSettings settings;
    private final HttpCounters counters;
    private final ConcurrentHashMap<String, Integer> perSource = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<HttpConnection, Watch> watches = new ConcurrentHashMap<>();

    /** One open connection: its header timer while it waits for a request's headers (0: none armed). */
    private static final class Watch {
        long headerTimer;
        boolean closed;
    }

    ConnectionGuard(Vertx vertx, HttpSettings settings, HttpCounters counters) {
        this.vertx = vertx;
        this.settings = settings;
        this.counters = counters;
    }

    @Override
    public void handle(HttpConnection connection) {
        String source = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
        int open = perSource.merge(source, 1, Integer::sum);
        Watch watch = new Watch();
        watches.put(connection, watch);
        connection.closeHandler(closed -> {
            perSource.computeIfPresent(source, (s, n) -> n > 1 ? n - 1 : null);
            watches.remove(connection);
            watch.closed = true;
            disarm(watch);
        });
        if (open > settings.maxConnectionsPerSource()) {
            counters.closed(HttpCounters.CLOSED_PER_SOURCE_LIMIT);
            connection.close();
            return;
        }
        awaitHeaders(connection, watch);
    }

    /** A request's headers arrived: stop the clock, and start it again for the next one when this one is answered. */
    void onRequest(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        Watch watch = connection == null ? null : watches.get(connection);
        if (watch == null) return;
        disarm(watch);
        request.response().endHandler(ended -> awaitHeaders(connection, watch));
    }

    /** Open connections per client address now (tests). */
    int connections(String source) {
        return perSource.getOrDefault(source, 0);
    }

    private void awaitHeaders(HttpConnection connection, Watch watch) {
        if (watch.closed) return;
        disarm(watch);
        watch.headerTimer = vertx.setTimer(settings.headerTimeoutMs(), fired -> {
            if (watch.headerTimer != fired || watch.closed) return;
            watch.headerTimer = 0;
            counters.closed(HttpCounters.CLOSED_HEADER_TIMEOUT);
            connection.close();
        });
    }

    private void disarm(Watch watch) {
        if (watch.headerTimer != 0) vertx.cancelTimer(watch.headerTimer);
        watch.headerTimer = 0;
    }
}
