package dev.junction.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Collects a request body of at most {@code maxBytes}, never more, within {@code timeoutMs}: a larger
 * {@code Content-Length} fails before any byte is read, a running count fails a chunked body the moment it crosses
 * the limit, and a body still incomplete when the time is up fails (a client that stalls halfway holds nothing
 * for long); the bytes that still arrive are dropped, not kept. Failures are {@link SessionException}s (413, 408,
 * 400).
 *
 * <p>Threading: call on the request's event loop, from the request handler itself, before it returns
 * (Vert.x delivers body chunks only to handlers set by then).
 */
final class BodyReader {

    private static final int INITIAL_CAPACITY = 4096;

    private BodyReader() {
    }

    static Future<byte[]> read(HttpServerRequest request, int maxBytes, long timeoutMs) {
        String declared = request.getHeader("Content-Length");
        long declaredBytes = -1;
        if (declared != null) {
            try {
                declaredBytes = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                return Future.failedFuture(SessionException.badRequest("malformed Content-Length"));
            }
            if (declaredBytes > maxBytes) return Future.failedFuture(tooLarge(maxBytes));
        }
        Promise<byte[]> body = Promise.promise();
        Vertx vertx = Vertx.currentContext().owner();
        long timer = vertx.setTimer(timeoutMs, fired -> body.tryFail(
                new SessionException(408, "request body not complete within " + timeoutMs + " ms")));
        body.future().onComplete(done -> vertx.cancelTimer(timer));
        Buffer collected = Buffer.buffer(declaredBytes >= 0 ? (int) declaredBytes : Math.min(maxBytes, INITIAL_CAPACITY));
        request.handler(chunk -> {
            if (body.future().isComplete()) return;
            if (chunk.length() > maxBytes - collected.length()) {
                body.tryFail(tooLarge(maxBytes));
                return;
            }
            collected.appendBuffer(chunk);
        });
        request.endHandler(end -> body.tryComplete(collected.getBytes()));
        request.exceptionHandler(body::tryFail);
        // A client that sent "Expect: 100-continue" waits for this before sending the body.
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) request.response().writeContinue();
        return body.future();
    }

    private static SessionException tooLarge(int maxBytes) {
        return new SessionException(413, "request body larger than " + maxBytes + " bytes");
    }
}
