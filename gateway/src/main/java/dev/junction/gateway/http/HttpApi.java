package dev.junction.gateway.http;

import dev.junction.config.HttpSettings;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP control plane (DESIGN §4): mount it with {@code api.attach(vertx,
 * vertx.createHttpServer(HttpApi.serverOptions(s)))}. It matches the path to a resource ({@link Route}), answers 404 for unknown ones and
 * 405 with {@code Allow} for a wrong method, then hands the request to the resource:
 * <ul>
 *   <li>{@code POST /whip/{room}}, {@code POST /whep/{room}}, {@code PATCH}/{@code DELETE} on
 *       {@code /whip|whep/{room}/{id}}: {@link SessionResource} over the {@link SessionService};</li>
 *   <li>{@code POST /whep/{room}/{id}/layer} and {@code GET /whep/{room}/{id}/sse}: a WHEP viewer's layer preference
 *       and event stream ({@link ViewerResource});</li>
 *   <li>{@code OPTIONS} on those: CORS preflight with {@code Accept-Post}/{@code Accept-Patch} ({@link Cors});</li>
 *   <li>{@code GET /}: the demo page; {@code GET /health}: {@code ok} ({@code ?verbose}: the connectivity
 *       self-check); {@code GET /metrics}: Prometheus text.</li>
 *   <li>{@code GET /dashboard}: the live dashboard's page and uPlot ({@code /dashboard/uplot.js|css}); its data,
 *       {@code /dashboard/api/series?since=ms}, {@code /dashboard/api/rooms} and {@code /dashboard/api/rooms/{room}},
 *       is JSON behind the admin token ({@link DashboardSource}); {@code POST /admin/drain}: drain mode;
 *       {@code GET /admin/cluster}: the cluster's room directory and node loads ({@link DirectorySource}).</li>
 * </ul>
 * Every response carries the CORS headers, and every error a one-line plain-text reason.
 *
 * <p>Threading: {@link #handle} runs on a Vert.x event loop and never blocks: bodies are collected as they
 * stream in (bounded by {@code maxBodyBytes}), the session service answers through a {@code CompletionStage}
 * that is resumed on the same loop, and a service that does not answer within the timeout gets 500. One
 * instance may serve several server instances and loops at once: it holds no per-request state.
 * The constructor reads the demo page from the classpath, so build it before the server starts, off the loop.
 */
public final class HttpApi implements Handler<HttpServerRequest> {

    /** How long a request waits for the session service before it is answered with 500. */
    public static final Duration DEFAULT_SERVICE_TIMEOUT = Duration.ofSeconds(10);

    private final SessionResource sessions;
    private final ViewerResource viewers;
    private final MetricsSource metrics;
    private volatile HealthSource health = HealthSource.NONE;
    private volatile AdminSource admin = AdminSource.NONE;
    private final BearerAuth adminAuth;
    private final StaticFile demoPage;
    private final StaticFile dashboardPage = new StaticFile(StaticFile.DASHBOARD_PAGE, "text/html; charset=utf-8");
    private final StaticFile uplotJs = StaticFile.uplot(StaticFile.UPLOT_JS, "text/javascript; charset=utf-8");
    private final StaticFile uplotCss = StaticFile.uplot(StaticFile.UPLOT_CSS, "text/css; charset=utf-8");
    private volatile DashboardSource dashboard = DashboardSource.NONE;
    private volatile IceServerSource iceServers = IceServerSource.NONE;
    private volatile Placement placement = Placement.LOCAL;
    private volatile DirectorySource directory = DirectorySource.NONE;
    private final HttpSettings settings;
    private final HttpCounters counters = new HttpCounters();
    /** Set by {@link #attach}: the slow-client and per-source limits of the server this API serves. */
    private volatile ConnectionGuard guard;

    public HttpApi(HttpSettings settings, SessionService sessions, MetricsSource metrics) {
        this(settings, sessions, metrics, DEFAULT_SERVICE_TIMEOUT);
    }

    public HttpApi(HttpSettings settings, SessionService sessions, MetricsSource metrics, Duration serviceTimeout) {
        this(settings, sessions, metrics, serviceTimeout, StaticFile.DEMO_PAGE);
    }

    /** Tests: another classpath resource (or a missing one) as the demo page. */
    HttpApi(HttpSettings settings, SessionService sessions, MetricsSource metrics, Duration serviceTimeout, String demoPageResource) {
        this.settings = Objects.requireNonNull(settings, "settings");
        long timeoutMs = serviceTimeout.toMillis();
        if (timeoutMs < 1) throw new IllegalArgumentException("service timeout must be at least 1 ms: " + serviceTimeout);
        this.sessions = new SessionResource(Objects.requireNonNull(sessions, "sessions"), new BearerAuth(settings.bearerToken()),
                settings.maxBodyBytes(), settings.bodyTimeoutMs(), timeoutMs, () -> iceServers.links(), () -> placement);
        this.viewers = new ViewerResource(sessions, new BearerAuth(settings.bearerToken()), settings.maxBodyBytes(), settings.bodyTimeoutMs(),
                timeoutMs, counters);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.demoPage = new StaticFile(demoPageResource, "text/html; charset=utf-8");
        this.adminAuth = new BearerAuth(settings.adminToken());
    }

    /**
     * Server options for these settings: bind address and port, the idle timeout, and HTTP/1.1 only: WHIP/WHEP
     * clients and browsers never speak cleartext HTTP/2, so the h2c upgrade is only attack surface.
     */
    public static HttpServerOptions serverOptions(HttpSettings settings) {
        return new HttpServerOptions()
                .setHost(settings.bindAddress())
                .setPort(settings.port())
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(settings.idleTimeoutMs())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }

    /**
     * Mounts this API on {@code server}: its requests, the requests Vert.x could not decode (they get a status and
     * a one-line reason too, issue 12 defect 6), and the connection limits ({@link ConnectionGuard}, shared by every
     * server this API is attached to). Returns the server, not yet listening. Attach on one thread.
     */
    public HttpServer attach(Vertx vertx, HttpServer server) {
        // A second server (one-port mode's HTTPS listener) shares the first's guard: one client's connections to
        // either count against the same per-source limit.
        ConnectionGuard g = guard != null ? guard : new ConnectionGuard(vertx, settings, counters);
        this.guard = g;
        return server.connectionHandler(g).requestHandler(this).invalidRequestHandler(this::invalidRequest);
    }

    /**
     * A request Netty's decoder refused (a request line or headers over the limits, a malformed Content-Length):
     * 414, 431 or 400 with the reason in one plain-text line, then the connection is closed, as Vert.x's own
     * handler does, but with the reason every other error carries.
     */
    void invalidRequest(HttpServerRequest request) {
        ConnectionGuard g = guard;
        if (g != null) g.onRequest(request);
        HttpServerResponse response = request.response();
        Cors.decorate(response);
        response.headersEndHandler(headers -> counters.count(response.getStatusCode()));
        Throwable cause = request.decoderResult().cause();
        int status;
        String reason;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            reason = "request line longer than " + serverOptions(settings).getMaxInitialLineLength() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            reason = "request header fields larger than " + serverOptions(settings).getMaxHeaderSize() + " bytes";
        } else {
            status = 400;
            reason = "malformed HTTP request" + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        response.putHeader("Connection", "close");
        response.setStatusCode(status).putHeader("Content-Type", Reply.TEXT_PLAIN)
                .end(Reply.oneLine(reason)).onComplete(done -> request.connection().close());
    }

    /** What {@code GET /health?verbose} reports (the connectivity self-check); plain {@code /health} stays {@code ok}. */
    public HttpApi health(HealthSource source) {
        this.health = Objects.requireNonNull(source, "source");
        return this;
    }

    /** What {@code POST /admin/drain} drains, and what {@code /health} reports as draining. */
    public HttpApi admin(AdminSource source) {
        this.admin = Objects.requireNonNull(source, "source");
        return this;
    }

    /** The ICE servers (the embedded TURN server) advertised in {@code Link} headers on 201 and OPTIONS. */
    public HttpApi iceServers(IceServerSource source) {
        this.iceServers = Objects.requireNonNull(source, "source");
        return this;
    }

    /** Where WHIP/WHEP POSTs are served: {@link Placement#LOCAL} (here) unless this node is in a cluster. */
    public HttpApi placement(Placement source) {
        this.placement = Objects.requireNonNull(source, "source");
        return this;
    }

    /** What {@code GET /admin/cluster} shows: the cluster's room directory; 404 when not clustered. */
    public HttpApi directory(DirectorySource source) {
        this.directory = Objects.requireNonNull(source, "source");
        return this;
    }

    /** What {@code /dashboard} plots and lists. */
    public HttpApi dashboard(DashboardSource source) {
        this.dashboard = Objects.requireNonNull(source, "source");
        return this;
    }

    /** The guard {@link #attach} mounted (tests). */
    ConnectionGuard connectionGuard() {
        return guard;
    }

    HttpCounters counters() {
        return counters;
    }

    @Override
    public void handle(HttpServerRequest request) {
        ConnectionGuard g = guard;
        if (g != null) g.onRequest(request);
        HttpServerResponse response = request.response();
        Cors.decorate(response);
        String path = request.path() == null ? "" : request.path();
        PathMatch match = Route.match(path);
        boolean layerRequest = match instanceof Route r && r.resource() == Route.Resource.SESSION_LAYER && request.method() == io.vertx.core.http.HttpMethod.POST;
        response.headersEndHandler(headers -> {
            counters.count(response.getStatusCode());
            if (layerRequest) counters.layerRequest(response.getStatusCode());
            if (response.getStatusCode() == 408) counters.closed(HttpCounters.CLOSED_BODY_TIMEOUT);
        });
        switch (match) {
            case PathMatch.Miss miss -> Reply.error(request, miss.status(), miss.reason());
            case Route route when !route.resource().allows(request.method()) -> {
                response.putHeader("Allow", route.resource().allowHeader());
                Reply.error(request, 405, request.method().name() + " not allowed on " + path + "; allowed: " + route.resource().allowHeader());
            }
            case Route route -> dispatch(request, route);
        }
    }

    private void dispatch(HttpServerRequest request, Route route) {
        switch (route.resource()) {
            case DEMO_PAGE -> demoPage.serve(request);
            case HEALTH -> serveHealth(request);
            case METRICS -> serveMetrics(request);
            case ADMIN_DRAIN -> drain(request);
            case ADMIN_CLUSTER -> {
                if (admitAdmin(request)) serveDirectory(request);
            }
            case DASHBOARD -> dashboardPage.serve(request);
            case DASHBOARD_ASSET -> (route.id().endsWith(".js") ? uplotJs : uplotCss).serve(request);
            case DASHBOARD_SERIES -> {
                if (admitAdmin(request)) serveSeries(request);
            }
            case DASHBOARD_ROOMS -> {
                if (admitAdmin(request)) json(request, dashboard.rooms());
            }
            case DASHBOARD_ROOM -> {
                if (admitAdmin(request)) serveRoom(request, route.room());
            }
            case STATS -> {
                if (admitAdmin(request)) serveStats(request);
            }
            case ENDPOINT, SESSION, SESSION_LAYER, SESSION_EVENTS -> dispatchSession(request, route);
        }
    }

    private void dispatchSession(HttpServerRequest request, Route route) {
        Context context = Vertx.currentContext();
        switch (request.method().name()) {
            case "OPTIONS" -> Cors.preflight(request, route.resource(), preflightLinks(route));
            case "GET" -> viewers.events(request, route, context);
            case "POST" -> {
                if (route.resource() == Route.Resource.SESSION_LAYER) viewers.selectLayer(request, route, context);
                else sessions.post(request, route, context);
            }
            case "PATCH" -> sessions.patch(request, route, context);
            case "DELETE" -> sessions.delete(request, route, context);
            default -> throw new IllegalStateException("Route.Resource allowed " + request.method() + " on " + route);
        }
    }

    /** The {@code Link} headers an OPTIONS carries: the ICE servers on an endpoint, the viewer controls on a WHEP session. */
    private List<String> preflightLinks(Route route) {
        if (route.resource() == Route.Resource.ENDPOINT) return iceServers.links();
        if (route.resource() == Route.Resource.SESSION && route.kind() == SessionKind.WHEP) return ViewerResource.links(route.room(), route.id());
        return List.of();
    }

    /**
     * Whether the request carries the admin token; answers it (403 without a configured token, 401 with a wrong or
     * missing one) when not. The admin endpoints and the dashboard's data are closed until an operator sets a token.
     */
    private boolean admitAdmin(HttpServerRequest request) {
        if (settings.adminToken().isEmpty()) {
            Reply.error(request, 403, "no admin token is configured (http.admin-token, --admin-token)");
            return false;
        }
        SessionException refused = adminAuth.check(request.getHeader("Authorization"));
        if (refused != null) {
            refused.headers().forEach(request.response()::putHeader);
            Reply.error(request, 401, "the admin endpoints need Authorization: Bearer <admin token>");
            return false;
        }
        return true;
    }

    private void serveSeries(HttpServerRequest request) {
        String since = request.getParam("since");
        long sinceMs = 0;
        if (since != null) {
            try {
                sinceMs = Long.parseLong(since);
            } catch (NumberFormatException e) {
                Reply.error(request, 400, "since must be Unix milliseconds, not " + since);
                return;
            }
        }
        json(request, dashboard.series(sinceMs));
    }

    private void serveRoom(HttpServerRequest request, String room) {
        Context context = Vertx.currentContext();
        dashboard.room(room).whenComplete((json, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                Reply.error(request, 503, "the media loops did not answer: " + failure);
            } else if (json == null) {
                Reply.error(request, 404, "no such room: " + room);
            } else {
                json(request, json);
            }
        }));
    }

    private void serveDirectory(HttpServerRequest request) {
        Context context = Vertx.currentContext();
        directory.directoryJson().whenComplete((json, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                Reply.error(request, 503, "the cluster did not answer: " + failure.getMessage());
            } else if (json == null) {
                Reply.error(request, 404, "this node is not in a cluster (start it with --cluster)");
            } else {
                json(request, json);
            }
        }));
    }

    private void serveStats(HttpServerRequest request) {
        Context context = Vertx.currentContext();
        dashboard.stats().whenComplete((json, failure) -> context.runOnContext(v -> {
            if (failure != null) Reply.error(request, 503, "the media loops did not answer: " + failure);
            else json(request, json);
        }));
    }

    private static void json(HttpServerRequest request, String body) {
        request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body);
    }

    private void drain(HttpServerRequest request) {
        if (!admitAdmin(request)) return;
        int remaining = admin.drain();
        request.response().putHeader("Content-Type", Reply.TEXT_PLAIN)
                .end("draining: no new sessions; " + remaining + " session(s) continue\n");
    }

    private void serveHealth(HttpServerRequest request) {
        if (!request.params().contains("verbose")) {
            // A load balancer stops sending clients to a draining server.
            if (admin.draining()) {
                request.response().setStatusCode(503).putHeader("Content-Type", Reply.TEXT_PLAIN).putHeader("Retry-After", "30").end("draining\n");
            } else {
                request.response().putHeader("Content-Type", Reply.TEXT_PLAIN).end("ok\n");
            }
            return;
        }
        Context context = Vertx.currentContext();
        health.verboseReport().whenComplete((text, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                Reply.error(request, 500, "self-check failed: " + failure.getMessage());
            } else {
                request.response().putHeader("Content-Type", Reply.TEXT_PLAIN).end(text);
            }
        }));
    }

    private void serveMetrics(HttpServerRequest request) {
        StringBuilder text = new StringBuilder(4096);
        try {
            metrics.appendMetrics(text);
        } catch (RuntimeException e) {
            System.getLogger(HttpApi.class.getName()).log(System.Logger.Level.WARNING, "metrics source failed", e);
            Reply.error(request, 500, "metrics source failed; see the server log");
            return;
        }
        counters.appendMetrics(text);
        request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text.toString());
    }
}
