package dev.junction.gateway.http;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Responses sent, by status code, for {@code /metrics} as {@code junction_http_responses_total{code="…"}}; the
 * connections the control plane closed itself; WHEP layer requests by status and WHEP event streams.
 * Thread-safe: any event loop counts, any scrape reads.
 */
final class HttpCounters {

    /** Why the control plane closed a connection itself ({@code junction_http_connections_closed_total{reason}}). */
    static final int CLOSED_PER_SOURCE_LIMIT = 0;
    static final int CLOSED_HEADER_TIMEOUT = 1;
    static final int CLOSED_BODY_TIMEOUT = 2;
    private static final String[] CLOSED_REASONS = {"per_source_limit", "header_timeout", "body_timeout"};

    /** Why an event stream of a WHEP session ended ({@code junction_whep_event_streams_closed_total{reason}}). */
    static final int STREAM_CLIENT_CLOSED = 0;
    static final int STREAM_SESSION_ENDED = 1;
    static final int STREAM_SLOW_READER = 2;
    private static final String[] STREAM_REASONS = {"client_closed", "session_ended", "slow_reader"};

    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray layerRequests = new AtomicLongArray(600);
    private final AtomicLongArray streamsClosed = new AtomicLongArray(STREAM_REASONS.length);
    private final java.util.concurrent.atomic.AtomicLong streamsOpened = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicLongArray closed = new AtomicLongArray(CLOSED_REASONS.length);

    void closed(int reason) {
        closed.incrementAndGet(reason);
    }

    long closedCount(int reason) {
        return closed.get(reason);
    }

    /** A response to a WHEP layer request (POST .../layer), by its status: the request's outcome. */
    void layerRequest(int status) {
        if (status >= 100 && status < 600) layerRequests.incrementAndGet(status);
    }

    long layerRequests(int status) {
        return layerRequests.get(status);
    }

    void streamOpened() {
        streamsOpened.incrementAndGet();
    }

    void streamClosed(int reason) {
        streamsClosed.incrementAndGet(reason);
    }

    /** Event streams open now. */
    long streamsOpen() {
        long closedNow = 0;
        for (int i = 0; i < STREAM_REASONS.length; i++) closedNow += streamsClosed.get(i);
        return streamsOpened.get() - closedNow;
    }

    long streamsClosed(int reason) {
        return streamsClosed.get(reason);
    }

    void count(int status) {
        if (status >= 100 && status < 600) byStatus.incrementAndGet(status);
    }

    void appendMetrics(StringBuilder out) {
        out.append("# HELP junction_http_responses_total HTTP responses sent by the control plane, by status code.\n")
                .append("# TYPE junction_http_responses_total counter\n");
        appendByStatus(out, "junction_http_responses_total", byStatus);
        out.append("# HELP junction_http_connections_closed_total Connections the control plane closed itself, by reason.\n")
                .append("# TYPE junction_http_connections_closed_total counter\n");
        for (int i = 0; i < CLOSED_REASONS.length; i++) {
            out.append("junction_http_connections_closed_total{reason=\"").append(CLOSED_REASONS[i]).append("\"} ").append(closed.get(i)).append('\n');
        }
        out.append("# HELP junction_whep_layer_requests_total Requests to WHEP sessions' layer endpoints, by the status they got.\n")
                .append("# TYPE junction_whep_layer_requests_total counter\n");
        appendByStatus(out, "junction_whep_layer_requests_total", layerRequests);
        out.append("# HELP junction_whep_event_streams WHEP sessions' server-sent event streams open now.\n")
                .append("# TYPE junction_whep_event_streams gauge\n")
                .append("junction_whep_event_streams ").append(streamsOpen()).append('\n');
        out.append("# HELP junction_whep_event_streams_closed_total WHEP event streams ended, by why.\n")
                .append("# TYPE junction_whep_event_streams_closed_total counter\n");
        for (int i = 0; i < STREAM_REASONS.length; i++) {
            out.append("junction_whep_event_streams_closed_total{reason=\"").append(STREAM_REASONS[i]).append("\"} ").append(streamsClosed.get(i)).append('\n');
        }
    }

    private static void appendByStatus(StringBuilder out, String name, AtomicLongArray counts) {
        for (int status = 100; status < 600; status++) {
            long count = counts.get(status);
            if (count != 0) out.append(name).append("{code=\"").append(status).append("\"} ").append(count).append('\n');
        }
    }
}
