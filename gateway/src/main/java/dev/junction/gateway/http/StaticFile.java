package dev.junction.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * A page or asset served from the classpath (the demo page, the dashboard, uPlot from its webjar): read once at
 * construction (not on the event loop) and then served from memory. When the resource is missing every request
 * gets 500 saying so.
 */
final class StaticFile {

    static final String DEMO_PAGE = "/web/index.html";
    static final String DASHBOARD_PAGE = "/web/dashboard.html";
    /** uPlot (MIT), from the {@code org.webjars.npm:uplot} jar, whichever version the pom put on the classpath. */
    static final String UPLOT_JS = "dist/uPlot.iife.min.js";
    static final String UPLOT_CSS = "dist/uPlot.min.css";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final byte[] content;
    private final String contentType;
    private final String missingReason;

    StaticFile(String resource, String contentType) {
        this.contentType = contentType;
        byte[] loaded = null;
        String reason = null;
        try (InputStream in = StaticFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                reason = "page missing: classpath resource " + resource + " not found";
            } else {
                loaded = in.readAllBytes();
            }
        } catch (IOException e) {
            reason = "page unreadable: classpath resource " + resource + ": " + e.getMessage();
        }
        this.content = loaded;
        this.missingReason = reason;
    }

    /** A file of the uPlot webjar, say {@link #UPLOT_JS}: its path under the version the webjar's pom.properties names. */
    static StaticFile uplot(String file, String contentType) {
        String version = null;
        try (InputStream in = StaticFile.class.getResourceAsStream(UPLOT_POM)) {
            if (in != null) {
                java.util.Properties pom = new java.util.Properties();
                pom.load(in);
                version = pom.getProperty("version");
            }
        } catch (IOException e) {
            version = null;
        }
        // Without the webjar the pom.properties path itself is what is missing, and the 500 says so.
        return new StaticFile(version == null ? UPLOT_POM : "/META-INF/resources/webjars/uplot/" + version + "/" + file, contentType);
    }

    void serve(HttpServerRequest request) {
        if (content == null) {
            Reply.error(request, 500, missingReason);
            return;
        }
        request.response()
                .putHeader("Content-Type", contentType)
                .putHeader("Cache-Control", "no-cache")
                .end(Buffer.buffer(content));
    }
}
