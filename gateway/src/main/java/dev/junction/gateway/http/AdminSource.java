package dev.junction.gateway.http;

/**
 * What the admin endpoints act on: drain mode (no new sessions, the existing ones continue) for a load balancer
 * to move clients elsewhere before a restart. Any thread.
 */
public interface AdminSource {

    /** No admin actions: draining is refused. */
    AdminSource NONE = new AdminSource() {
        @Override
        public int drain() {
            throw new UnsupportedOperationException("no admin actions");
        }

        @Override
        public boolean draining() {
            return false;
        }
    };

    /** Stops taking new sessions; returns how many continue. Idempotent. */
    int drain();

    /** Whether {@link #drain} was called (or the server is shutting down): {@code /health} answers 503. */
    boolean draining();
}
