package dev.junction.gateway.http;

/**
 * Whatever feeds {@code GET /metrics}: appends samples in the Prometheus text exposition format 0.0.4,
 * one {@code name{label="value"} number} per line, each line ending in {@code \n}, optionally preceded by
 * {@code # HELP} and {@code # TYPE} lines. Label values escape {@code \}, {@code "} and line feeds.
 *
 * <p>Threading: called on a Vert.x event loop for each scrape; it must only read counters (atomics, volatile
 * fields) and never block or wait on a room's event loop.
 */
@FunctionalInterface
public interface MetricsSource {

    /** No metrics beyond what the HTTP layer itself reports. */
    MetricsSource NONE = out -> { };

    void appendMetrics(StringBuilder out);
}
