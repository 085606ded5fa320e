package dev.junction.gateway;

import dev.junction.config.JunctionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * One running Junction: the Vert.x control plane (and, as the transport and gateway issues land, the
 * media loops and rooms). {@link #close()} frees everything.
 */
public final class JunctionServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer http;

    private JunctionServer(Vertx vertx, HttpServer http) {
        this.vertx = vertx;
        this.http = http;
    }

    /** Starts the server and blocks until the HTTP port is bound. */
    public static JunctionServer start(JunctionConfig config) {
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer http = vertx.createHttpServer(new HttpServerOptions()
                            .setHost(config.http().bindAddress())
                            .setPort(config.http().port()))
                    .requestHandler(JunctionServer::handle)
                    .listen()
                    .await(10, TimeUnit.SECONDS);
            return new JunctionServer(vertx, http);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot start the HTTP server on " + config.http().bindAddress() + ":" + config.http().port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound HTTP port (useful when the config asked for port 0). */
    public int httpPort() {
        return http.actualPort();
    }

    private static void handle(HttpServerRequest request) {
        if (request.path().equals("/health")) {
            request.response().putHeader("Content-Type", "text/plain; charset=utf-8").end("ok\n");
        } else {
            request.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("no such resource: " + request.path() + "\n");
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
    }
}
