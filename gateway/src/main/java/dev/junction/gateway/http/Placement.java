package dev.junction.gateway.http;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a WHIP or WHEP POST is served (RFC 9725 §4.5, load balancing and redirections): here, or on another node,
 * which the client is sent to with {@code 307 Temporary Redirect}. A single node is always {@link #LOCAL}; a
 * cluster member asks the cluster's room directory (issue 14).
 *
 * <p>Threading: called on a Vert.x event loop; must return at once. A stage that completes elsewhere is resumed on
 * the request's loop by the HTTP layer. A stage failed with a {@link SessionException} answers with it.
 */
public interface Placement {

    /** Always here: one node, today's behaviour. */
    Placement LOCAL = new Placement() {
        private final CompletionStage<Decision> here = CompletableFuture.completedFuture(Decision.HERE);

        @Override
        public CompletionStage<Decision> place(SessionKind kind, String room) {
            return here;
        }
    };

    /** Decides where a new {@code kind} session in {@code room} (already validated) is served. */
    CompletionStage<Decision> place(SessionKind kind, String room);

    /** The answer: {@link #HERE}, or {@link Elsewhere}. */
    sealed interface Decision permits Here, Elsewhere {
        Decision HERE = new Here();
    }

    /** Serve it on this node. */
    record Here() implements Decision {
    }

    /**
     * Send the client to another node.
     *
     * @param node    its name (for the reason line and logs)
     * @param baseUrl its public URL without a trailing slash; the request's path is appended
     */
    record Elsewhere(String node, String baseUrl) implements Decision {
        public Elsewhere {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(baseUrl, "baseUrl");
        }
    }
}
