package dev.junction.gateway.http;

/** The outcome of matching a request path: a {@link Route}, or a {@link Miss} to answer as it says. */
sealed interface PathMatch permits Route, PathMatch.Miss {

    /** No resource: answer {@code status} (404, or 400 for a malformed room name) with {@code reason}. */
    record Miss(int status, String reason) implements PathMatch {
    }
}
