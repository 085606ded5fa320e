package dev.junction.gateway.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code GET /health?verbose} shows: the server's self-check as plain text. It may take a while (probes), so
 * it completes off the HTTP loop; plain {@code GET /health} never waits for it.
 */
public interface HealthSource {

    /** Nothing more to say than {@code ok}. */
    HealthSource NONE = () -> CompletableFuture.completedFuture("ok\n");

    CompletionStage<String> verboseReport();
}
