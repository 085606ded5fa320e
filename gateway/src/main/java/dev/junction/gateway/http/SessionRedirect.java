package dev.junction.gateway.http;

/**
 * The answer "this room is served by another node": {@code 307} with {@code Location} = {@code baseUrl} + the
 * request's path (RFC 9725 §4.5). The HTTP layer makes it from a {@link Placement.Elsewhere}; like
 * {@link SessionException} it is an answer, not a bug, and carries no stack trace.
 */
final class SessionRedirect extends RuntimeException {

    private final String node;
    private final String baseUrl;

    SessionRedirect(String node, String baseUrl) {
        super("served by node " + node, null, false, false);
        this.node = node;
        this.baseUrl = baseUrl;
    }

    String node() {
        return node;
    }

    String baseUrl() {
        return baseUrl;
    }
}
