package dev.junction.gateway.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Map;

/**
 * Error responses: a status and a one-line {@code text/plain; charset=utf-8} reason ending in {@code \n}
 * (DESIGN §4). Called on the request's event loop.
 */
final class Reply {

    static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    /** Reasons can quote client input (a path); keep them short. */
    private static final int MAX_REASON_CHARS = 300;

    private Reply() {
    }

    static void error(HttpServerRequest request, SessionException e) {
        error(request, e.status(), e.reason(), e.headers());
    }

    static void error(HttpServerRequest request, int status, String reason) {
        error(request, status, reason, Map.of());
    }

    static void error(HttpServerRequest request, int status, String reason, Map<String, String> headers) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) return;
        response.setStatusCode(status).putHeader("Content-Type", TEXT_PLAIN);
        headers.forEach(response::putHeader);
        if (status == 413 && request.version() == HttpVersion.HTTP_2) {
            // RFC 9113 §8.1: a complete response, then RST_STREAM(NO_ERROR) tells the client to stop sending.
            response.end(oneLine(reason)).onComplete(done -> response.reset(0));
        } else if (status == 413 || status == 408) {
            // NOTE: the rest of the body is still on its way and we will not read it; the connection cannot
            // carry another request, so say so and close it once the reply is out.
            response.putHeader("Connection", "close");
            response.end(oneLine(reason)).onComplete(done -> request.connection().close());
        } else {
            response.end(oneLine(reason));
        }
    }

    /**
     * {@code 307 Temporary Redirect} to the same path (and query) on another node (RFC 9725 §4.5): a WHIP/WHEP client
     * re-sends its POST, body and all, to {@code Location}; 307, unlike 302, forbids turning it into a GET.
     */
    static void redirect(HttpServerRequest request, SessionRedirect redirect) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) return;
        String location = redirect.baseUrl() + request.path() + (request.query() == null ? "" : "?" + request.query());
        response.setStatusCode(307).putHeader("Location", location).putHeader("Content-Type", TEXT_PLAIN)
                .end(oneLine("room served by node " + redirect.node() + ": POST it to " + location));
    }

    /** The reason flattened to one printable line, capped, with the final line feed. */
    static String oneLine(String reason) {
        String text = reason == null || reason.isBlank() ? "error" : reason.strip();
        StringBuilder line = new StringBuilder(Math.min(text.length(), MAX_REASON_CHARS) + 1);
        for (int i = 0; i < text.length() && line.length() < MAX_REASON_CHARS; i++) {
            char c = text.charAt(i);
            line.append(Character.isISOControl(c) ? ' ' : c);
        }
        return line.append('\n').toString();
    }
}
