package dev.junction.gateway;

import dev.junction.config.JunctionConfig;
import dev.junction.gateway.http.HttpApi;
import dev.junction.gateway.session.ConnectivityCheck;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * One running Junction: the media loops and their sessions ({@link MediaSessions}) and the Vert.x HTTP
 * control plane ({@link HttpApi}) in front of them. Vert.x runs its own event loops, separate from the
 * media loops (DESIGN §8). {@link #close()} ends every session and frees everything.
 */
public final class JunctionServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer http;
    private final MediaSessions sessions;
    private final String bindAddress;

    private JunctionServer(Vertx vertx, HttpServer http, MediaSessions sessions, String bindAddress) {
        this.bindAddress = bindAddress;
        this.vertx = vertx;
        this.http = http;
        this.sessions = sessions;
    }

    /** Starts the server and blocks until the HTTP and media ports are bound. */
    public static JunctionServer start(JunctionConfig config) {
        return start(config, new WebRtcTransport.Options(config.media().consentTimeoutMs(), DtlsSettings.DEFAULT));
    }

    /** As {@link #start(JunctionConfig)}, with other per-session transport options. */
    public static JunctionServer start(JunctionConfig config, WebRtcTransport.Options options) {
        MediaSessions sessions = MediaSessions.start(config, options);
        Vertx vertx = Vertx.vertx();
        try {
            HttpApi api = new HttpApi(config.http(), sessions.service(), sessions.metrics());
            java.util.concurrent.atomic.AtomicReference<String> url = new java.util.concurrent.atomic.AtomicReference<>();
            api.health(() -> sessions.connectivity().runAsync(url.get()).thenApply(ConnectivityCheck.Report::text));
            HttpServer http = api.attach(vertx, vertx.createHttpServer(HttpApi.serverOptions(config.http())))
                    .listen()
                    .await(10, TimeUnit.SECONDS);
            url.set(httpUrl(config.http().bindAddress(), http.actualPort()));
            return new JunctionServer(vertx, http, sessions, config.http().bindAddress());
        } catch (Exception e) {
            vertx.close();
            sessions.close();
            throw new IllegalStateException("cannot start the HTTP server on " + config.http().bindAddress() + ":"
                    + config.http().port() + ": " + e.getMessage(), e);
        }
    }

    /** The bound HTTP port (useful when the config asked for port 0). */
    public int httpPort() {
        return http.actualPort();
    }

    /** The URL of the HTTP API as bound. */
    public String httpUrl() {
        return httpUrl(bindAddress, http.actualPort());
    }

    static String httpUrl(String bindIp, int port) {
        return "http://" + (bindIp.indexOf(':') >= 0 ? "[" + bindIp + "]" : bindIp) + ":" + port + "/";
    }

    /** The session layer, for tests and the load tool's in-process runs. */
    public MediaSessions sessions() {
        return sessions;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Keep going: the media side must still be freed.
        }
        sessions.close();
    }
}
