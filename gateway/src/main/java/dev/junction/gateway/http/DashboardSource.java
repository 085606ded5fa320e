package dev.junction.gateway.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code /dashboard} plots and lists (issue 13), as JSON documents. The HTTP layer serves them behind the
 * admin token and never looks inside.
 *
 * <p>Threading: called on a Vert.x event loop; {@link #series} and {@link #rooms} return at once from what was
 * sampled, {@link #room} answers through a stage (it asks the media loops).
 */
public interface DashboardSource {

    /** No dashboard data: an empty history and no rooms. */
    DashboardSource NONE = new DashboardSource() {
        @Override
        public String series(long sinceMs) {
            return "{\"interval_ms\":1000,\"names\":[],\"t\":[],\"data\":[]}";
        }

        @Override
        public String rooms() {
            return "{\"rooms\":[]}";
        }

        @Override
        public CompletionStage<String> room(String name) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<String> stats() {
            return CompletableFuture.completedFuture("{\"rooms\":[]}");
        }
    };

    /**
     * The sampled series after {@code sinceMs} (Unix milliseconds; 0 for the whole history): {@code names}, the
     * times {@code t} in Unix seconds, and {@code data}, one array per name with a number or null per time.
     */
    String series(long sinceMs);

    /** The rooms now, with their figures: {@code {"rooms":[...]}}. */
    String rooms();

    /** One room's publishers, layers and subscribers with their figures; completes with null when there is no such room. */
    CompletionStage<String> room(String name);

    /**
     * {@code GET /stats}: every room as {@link #room} gives it, in one document ({@code {"rooms":[...]}}, by name):
     * each session's transport (state, path), each publisher's tracks and layers with their bitrates, and each
     * subscriber's slots with their current and target layer and the reason for it, its loss and RTT.
     */
    CompletionStage<String> stats();
}
