package dev.junction.gateway.http;

/**
 * Where a WHEP session's server-sent events go (the WHEP drafts' {@code urn:ietf:params:whep:ext:core:server-sent-events}):
 * the session layer samples the session's layers and choice and calls {@link #onEvent}; the HTTP layer writes them
 * to the client, dropping what did not change.
 *
 * <p>Threading: called from any thread (the session layer's sampler); implementations hop to their own loop.
 */
public interface ViewerEvents {

    /** The events a stream may carry, in the {@code events} parameter of its {@code Link} header. */
    java.util.List<String> NAMES = java.util.List.of("active", "inactive", "layers", "selection");

    /** One event: its name (one of {@link #NAMES}) and its data, one line of JSON. */
    void onEvent(String name, String json);

    /** The session ended (or the server stops): no more events. */
    void onEnd(String reason);

    /** A subscription to one session's events; {@link #close} stops them (the client went away). */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
