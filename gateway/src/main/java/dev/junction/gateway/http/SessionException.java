package dev.junction.gateway.http;

import java.util.Map;

/**
 * A session-layer refusal that the HTTP layer turns into a response: {@code status}, a one-line plain-text
 * {@code reason} as the body, and extra response {@code headers} (e.g. {@code Retry-After} with 503).
 *
 * <p>Complete a {@link SessionService} stage exceptionally with one of these (or throw it from the call);
 * any other failure becomes {@code 500}. It carries no stack trace: it is an answer, not a bug.
 */
public final class SessionException extends RuntimeException {

    private final int status;
    private final Map<String, String> headers;

    /**
     * @param status  an HTTP status in 400..599
     * @param reason  one line for the client; line breaks are flattened when sent
     * @param headers extra response headers, copied
     */
    public SessionException(int status, String reason, Map<String, String> headers) {
        super(reason, null, false, false);
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    public SessionException(int status, String reason) {
        this(status, reason, Map.of());
    }

    /** 400: malformed or unanswerable SDP (the negotiator's reason). */
    public static SessionException badRequest(String reason) {
        return new SessionException(400, reason);
    }

    /** 404: no such session in that room. */
    public static SessionException notFound(String reason) {
        return new SessionException(404, reason);
    }

    /** 412: the PATCH's If-Match names an ICE session that is no longer current (RFC 9725 §4.3.1). */
    public static SessionException preconditionFailed(String reason) {
        return new SessionException(412, reason);
    }

    /** 503 with {@code Retry-After}: at capacity (RFC 9725 §4.6). */
    public static SessionException unavailable(String reason, int retryAfterSeconds) {
        return new SessionException(503, reason, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }
}
