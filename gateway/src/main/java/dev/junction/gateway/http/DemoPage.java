package dev.junction.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code GET /}: the demo page, read once from the classpath at construction (not on the event loop) and
 * then served from memory. When the resource is missing every request gets 500 saying so.
 */
final class DemoPage {

    static final String RESOURCE = "/web/index.html";

    private final byte[] page;
    private final String missingReason;

    DemoPage(String resource) {
        byte[] loaded = null;
        String reason = null;
        try (InputStream in = DemoPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                reason = "demo page missing: classpath resource " + resource + " not found";
            } else {
                loaded = in.readAllBytes();
            }
        } catch (IOException e) {
            reason = "demo page unreadable: classpath resource " + resource + ": " + e.getMessage();
        }
        this.page = loaded;
        this.missingReason = reason;
    }

    void serve(HttpServerRequest request) {
        if (page == null) {
            Reply.error(request, 500, missingReason);
            return;
        }
        request.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .end(Buffer.buffer(page));
    }
}
