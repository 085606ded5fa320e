package dev.junction.gateway.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code GET /admin/cluster} shows (issue 14): the cluster's room directory and each node's load, as one JSON
 * document. The HTTP layer serves it behind the admin token and never looks inside.
 *
 * <p>Threading: called on a Vert.x event loop; returns at once, the stage completes on any thread.
 */
public interface DirectorySource {

    /** Not clustered: the stage completes with null, answered 404. */
    DirectorySource NONE = () -> CompletableFuture.completedFuture(null);

    /** The directory as JSON, or null when this node is in no cluster. */
    CompletionStage<String> directoryJson();
}
