package dev.junction.gateway.http;

import dev.junction.config.HttpSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Vert.x server with an {@link HttpApi} on 127.0.0.1, port 0, and a {@code java.net.http} client.
 * Every request has a timeout, so a hanging connection fails the test instead of stalling it.
 */
final class TestApi implements AutoCloseable {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    final RecordingSessionService service = new RecordingSessionService();
    final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    final HttpApi api;

    TestApi(String bearerToken, int maxBodyBytes, Duration serviceTimeout, String demoPageResource, MetricsSource metrics) throws Exception {
        this(new HttpSettings("127.0.0.1", 0, maxBodyBytes, bearerToken), serviceTimeout, demoPageResource, metrics);
    }

    TestApi(HttpSettings settings, Duration serviceTimeout, String demoPageResource, MetricsSource metrics) throws Exception {
        api = new HttpApi(settings, service, metrics, serviceTimeout, demoPageResource);
        server = api.attach(vertx, vertx.createHttpServer(HttpApi.serverOptions(settings))).listen().await(10, TimeUnit.SECONDS);
    }

    /** The default settings but for these connection limits. */
    static TestApi withLimits(int headerTimeoutMs, int bodyTimeoutMs, int maxConnectionsPerSource) throws Exception {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 16_384, "", headerTimeoutMs, bodyTimeoutMs,
                HttpSettings.DEFAULT_IDLE_TIMEOUT_MS, maxConnectionsPerSource);
        return new TestApi(settings, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, MetricsSource.NONE);
    }

    static TestApi open() throws Exception {
        return new TestApi("", 16_384, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, MetricsSource.NONE);
    }

    static TestApi withToken(String token) throws Exception {
        return new TestApi(token, 16_384, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, MetricsSource.NONE);
    }

    int port() {
        return server.actualPort();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).timeout(REQUEST_TIMEOUT);
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> postSdp(String path, String body) throws IOException, InterruptedException {
        return post(path, "application/sdp", body);
    }

    HttpResponse<String> patch(String path, String ifMatch, String body) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).header("Content-Type", "application/trickle-ice-sdpfrag")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) builder.header("If-Match", ifMatch);
        return send(builder.build());
    }

    HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    @Override
    public void close() {
        client.close();
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Vert.x did not close", e);
        }
    }
}
