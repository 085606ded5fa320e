package dev.junction.gateway.http;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Responses sent, by status code, for {@code /metrics} as {@code junction_http_responses_total{code="…"}}.
 * Thread-safe: any event loop counts, any scrape reads.
 */
final class HttpCounters {

    private final AtomicLongArray byStatus = new AtomicLongArray(600);

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
    }
}
