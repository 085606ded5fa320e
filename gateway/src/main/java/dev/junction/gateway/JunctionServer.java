package dev.junction.gateway;

import dev.junction.config.JunctionConfig;
import dev.junction.gateway.http.AdminSource;
import dev.junction.gateway.http.HttpApi;
import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.session.ConnectivityCheck;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import dev.junction.transport.socket.PublicPort;
import dev.junction.transport.socket.TlsIdentity;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetSocketAddress;
import java.util.List;
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
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** This node's cluster membership, or null on a single node. */
    private final ClusterMembership cluster;

    private JunctionServer(Vertx vertx, HttpServer http, MediaSessions sessions, String bindAddress, ClusterMembership cluster) {
        this.cluster = cluster;
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
        ClusterMembership cluster;
        try {
            // NOTE: the only reference to the cluster package, reached only with --cluster (issue 14).
            cluster = config.cluster().enabled() ? dev.junction.gateway.cluster.ClusterNode.join(config, sessions) : null;
        } catch (RuntimeException e) {
            sessions.close();
            throw e;
        }
        Vertx vertx = cluster == null ? singleNodeVertx() : cluster.vertx();
        try {
            MetricsSource metrics = cluster == null ? sessions.metrics() : out -> {
                sessions.metrics().appendMetrics(out);
                cluster.metrics().appendMetrics(out);
            };
            HttpApi api = new HttpApi(config.http(), sessions.service(), metrics);
            java.util.concurrent.atomic.AtomicReference<String> url = new java.util.concurrent.atomic.AtomicReference<>();
            api.health(() -> sessions.connectivity().runAsync(url.get()).thenApply(ConnectivityCheck.Report::text));
            api.dashboard(sessions.dashboard());
            api.iceServers(sessions.iceServers());
            if (cluster != null) api.placement(cluster.placement()).directory(cluster.directory());
            api.admin(new AdminSource() {
                @Override
                public int drain() {
                    return sessions.drain();
                }

                @Override
                public boolean draining() {
                    return sessions.draining();
                }
            });
            HttpServer http = api.attach(vertx, vertx.createHttpServer(HttpApi.serverOptions(config.http())))
                    .listen()
                    .await(10, TimeUnit.SECONDS);
            url.set(httpUrl(config.http().bindAddress(), http.actualPort()));
            if (sessions.publicPort() != null) startPublicBackends(vertx, api, config, sessions);
            if (cluster != null) cluster.serving();
            return new JunctionServer(vertx, http, sessions, config.http().bindAddress(), cluster);
        } catch (Exception e) {
            if (cluster != null) cluster.close();
            vertx.close();
            sessions.close();
            throw new IllegalStateException("cannot start the HTTP server on " + config.http().bindAddress() + ":"
                    + config.http().port() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Vert.x for a node on its own, without the service-loaded providers that {@code Vertx.vertx()} instantiates:
     * vertx-hazelcast registers its cluster manager as one, and a single node must not load Hazelcast at all
     * (issue 14; {@code SingleNodeClassLoadingTest}). Nothing else on our classpath provides one.
     * NOTE: {@code VertxBootstrap} is Vert.x's internal bootstrap (what {@code Vertx.builder()} runs); the test
     * catches a Vert.x upgrade that changes it.
     */
    private static Vertx singleNodeVertx() {
        return io.vertx.core.internal.VertxBootstrap.create().serviceProviders(java.util.List.of()).init().vertx();
    }

    /**
     * One-port mode's backends on loopback, which the public port splices HTTP connections to after a PROXY protocol
     * line (so both see the client's own address): the same API over TLS, with the public port's certificate, and a
     * plain listener that redirects to HTTPS on the same host and port (a browser allows the camera only on a secure
     * origin, so plain HTTP there is only ever a mistyped URL). HTTP/1.1 only on both, as on the main port.
     */
    private static void startPublicBackends(Vertx vertx, HttpApi api, JunctionConfig config, MediaSessions sessions) throws Exception {
        TlsIdentity identity = sessions.publicIdentity();
        HttpServerOptions tls = HttpApi.serverOptions(config.http())
                .setHost("127.0.0.1")
                .setPort(0)
                .setUseProxyProtocol(true)
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(identity.certificateChainPem()))
                        .setKeyValue(Buffer.buffer(identity.privateKeyPem())))
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1));
        HttpServer https = api.attach(vertx, vertx.createHttpServer(tls)).listen().await(10, TimeUnit.SECONDS);
        HttpServerOptions plain = new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setUseProxyProtocol(true)
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(config.http().idleTimeoutMs())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        HttpServer redirect = vertx.createHttpServer(plain).requestHandler(JunctionServer::redirectToHttps).listen().await(10, TimeUnit.SECONDS);
        sessions.publicPort().backends(new PublicPort.Backends(new InetSocketAddress("127.0.0.1", https.actualPort()),
                new InetSocketAddress("127.0.0.1", redirect.actualPort())));
    }

    /** 308 (method and body kept, RFC 9110 §15.4.9) to the same authority and path over HTTPS; 400 without a Host. */
    private static void redirectToHttps(HttpServerRequest request) {
        var authority = request.authority();
        if (authority == null) {
            request.response().setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("a Host header is needed to redirect to HTTPS\n");
            return;
        }
        String host = authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
        request.response().setStatusCode(308).putHeader("Location", "https://" + host + request.uri())
                .putHeader("Content-Type", "text/plain; charset=utf-8").end("use HTTPS on this port\n");
    }

    /** One-port mode's port, or 0 when it is off. */
    public int publicPort() {
        return sessions.publicPort() == null ? 0 : sessions.publicPort().localAddress().getPort();
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

    /**
     * Graceful stop (SIGTERM): new sessions get 503 at once, every session is closed (DTLS close_notify to its
     * peer), then HTTP stops; within about 5 s.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        // Out of the directory first, so that other nodes stop sending clients here while the sessions close.
        if (cluster != null) cluster.close();
        sessions.close();
        try {
            vertx.close().await(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Stopping anyway: the process is exiting or the test is over.
        }
    }
}
