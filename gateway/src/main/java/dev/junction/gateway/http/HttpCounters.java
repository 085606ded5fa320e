package dev.junction.gateway.http;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Responses sent, by status code, for {@code /metrics} as {@code junction_http_responses_total{code="…"}}.
 * Thread-safe: any event loop counts, any scrape reads.
 */
final class HttpCounters {

    /** Why the control plane closed a connection itself ({@code junction_http_connections_closed_total{reason}}). */
    static final int CLOSED_PER_SOURCE_LIMIT = 0;
    static final int CLOSED_HEADER_TIMEOUT = 1;
    static final int CLOSED_BODY_TIMEOUT = 2;
    private static final String[] CLOSED_REASONS = {"per_source_limit", "header_timeout", "body_timeout"};

    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final AtomicLongArray closed = new AtomicLongArray(CLOSED_REASONS.length);

    void closed(int reason) {
        closed.incrementAndGet(reason);
    }

    long closedCount(int reason) {
        return closed.get(reason);
    }

    void count(int status) {
        if (status >= 100 && status < 600) byStatus.incrementAndGet(status);
    }

    void appendMetrics(StringBuilder out) {
        out.append("# HELP junction_http_responses_total HTTP responses sent by the control plane, by status code.\n")
                .append("# TYPE junction_http_responses_total counter\n");
        for (int status = 100; status < 600; status++) {
            long count = byStatus.get(status);
            if (count != 0) out.append("junction_http_responses_total{code=\"").append(status).append("\"} ").append(count).append('\n');
        }
        out.append("# HELP junction_http_connections_closed_total Connections the control plane closed itself, by reason.\n")
                .append("# TYPE junction_http_connections_closed_total counter\n");
        for (int i = 0; i < CLOSED_REASONS.length; i++) {
            out.append("junction_http_connections_closed_total{reason=\"").append(CLOSED_REASONS[i]).append("\"} ").append(closed.get(i)).append('\n');
        }
    }
}
