package dev.junction.gateway.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A WHEP session's viewer controls (issue 11), in the shape of the WHEP drafts' extensions that Broadcast Box's player
 * uses: the layer endpoint ({@code POST /whep/{room}/{id}/layer}, {@code application/json}, see {@link LayerRequest})
 * and the server-sent events ({@code GET /whep/{room}/{id}/sse}, see {@link EventStream}), both advertised by
 * {@link #links} on the 201 and on the session's OPTIONS. Both sit under the session's URL and need what its PATCH and
 * DELETE need: the URL (an unguessable id, RFC 9725 §7) and the bearer token when one is configured.
 *
 * <p>Threading: every method runs on the request's Vert.x loop and returns without waiting.
 */
final class ViewerResource {

    static final String LAYER_REL = "urn:ietf:params:whep:ext:core:layer";
    static final String EVENTS_REL = "urn:ietf:params:whep:ext:core:server-sent-events";

    private final SessionService service;
    private final BearerAuth auth;
    private final int maxBodyBytes;
    private final long bodyTimeoutMs;
    private final long serviceTimeoutMs;
    private final HttpCounters counters;

    ViewerResource(SessionService service, BearerAuth auth, int maxBodyBytes, long bodyTimeoutMs, long serviceTimeoutMs, HttpCounters counters) {
        this.service = service;
        this.auth = auth;
        this.maxBodyBytes = Math.min(maxBodyBytes, LayerRequest.MAX_BODY_BYTES);
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.serviceTimeoutMs = serviceTimeoutMs;
        this.counters = counters;
    }

    /** The {@code Link} headers naming a WHEP session's layer endpoint and event stream (relative, as {@code Location} is). */
    static List<String> links(String room, String id) {
        return List.of(
                "<" + Route.sessionSubPath(room, id, Route.LAYER) + ">; rel=\"" + LAYER_REL + "\"",
                "<" + Route.sessionSubPath(room, id, Route.EVENTS) + ">; rel=\"" + EVENTS_REL + "\"; events=\""
                        + String.join(",", ViewerEvents.NAMES) + "\"");
    }

    /** POST on the layer endpoint: 200 with the resulting choice as JSON, or a 4xx with the one thing wrong. */
    void selectLayer(HttpServerRequest request, Route route, Context context) {
        SessionException denied = auth.check(request.getHeader("Authorization"));
        if (denied != null) {
            Reply.error(request, denied);
            return;
        }
        if (!SessionResource.isMediaType(request.getHeader("Content-Type"), Cors.JSON)) {
            Reply.error(request, 415, "Content-Type must be " + Cors.JSON, Map.of("Accept-Post", Cors.JSON));
            return;
        }
        BodyReader.read(request, maxBodyBytes, bodyTimeoutMs).onComplete(body -> {
            if (body.failed()) {
                Reply.error(request, body.cause() instanceof SessionException e ? e
                        : SessionException.badRequest("cannot read the request body: " + body.cause().getMessage()));
                return;
            }
            if (body.result().length == 0) {
                Reply.error(request, 400, "empty body: expected a JSON object such as {\"mediaId\":\"1\",\"encodingId\":\"h\"}");
                return;
            }
            LayerRequest layer;
            try {
                layer = LayerRequest.parse(body.result());
            } catch (SessionException e) {
                Reply.error(request, e);
                return;
            }
            ServiceCall.run(request, context, serviceTimeoutMs, () -> service.selectLayer(route.room(), route.id(), layer),
                    json -> request.response().putHeader("Content-Type", Cors.JSON).putHeader("Cache-Control", "no-store").end(Buffer.buffer(json)));
        });
    }

    /**
     * GET on the event stream: {@code text/event-stream} until the session ends. {@code ?events=a,b} keeps only those
     * events. 429 when the session has its most streams already.
     */
    void events(HttpServerRequest request, Route route, Context context) {
        SessionException denied = auth.check(request.getHeader("Authorization"));
        if (denied != null) {
            Reply.error(request, denied);
            return;
        }
        Set<String> wanted;
        try {
            wanted = wantedEvents(request.getParam("events"));
        } catch (SessionException e) {
            Reply.error(request, e);
            return;
        }
        EventStream stream = new EventStream(request, context, wanted, counters);
        ViewerEvents.Subscription subscription;
        try {
            subscription = service.watch(route.room(), route.id(), stream);
        } catch (SessionException e) {
            Reply.error(request, e);
            return;
        }
        stream.start(subscription);
    }

    /** The events named by an {@code events} parameter (comma-separated), all of them without one. */
    static Set<String> wantedEvents(String param) {
        if (param == null) return Set.copyOf(ViewerEvents.NAMES);
        Set<String> out = new LinkedHashSet<>();
        for (String name : param.split(",", -1)) {
            String n = name.strip();
            if (!ViewerEvents.NAMES.contains(n)) {
                throw SessionException.badRequest("unknown event \"" + (n.length() > 20 ? n.substring(0, 20) + "..." : n) + "\"; events: "
                        + String.join(",", ViewerEvents.NAMES));
            }
            out.add(n);
        }
        return Set.copyOf(out);
    }
}
