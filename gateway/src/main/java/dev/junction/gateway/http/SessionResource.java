package dev.junction.gateway.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The WHIP/WHEP endpoint ({@code POST /whip/{room}}) and session ({@code PATCH}/{@code DELETE
 * /whip/{room}/{id}}) resources of RFC 9725 §4, for both kinds: checks the token, the content type and the
 * body size, then asks the {@link SessionService} and writes its answer.
 *
 * <p>Threading: every method runs on the request's Vert.x event loop and returns without waiting; the
 * service's answer is written from the same loop by {@link ServiceCall}.
 */
final class SessionResource {

    private final SessionService service;
    private final BearerAuth auth;
    private final int maxBodyBytes;
    private final long bodyTimeoutMs;
    private final long serviceTimeoutMs;
    private final IceServerSource iceServers;
    private final java.util.function.Supplier<Placement> placement;

    SessionResource(SessionService service, BearerAuth auth, int maxBodyBytes, long bodyTimeoutMs, long serviceTimeoutMs,
            IceServerSource iceServers, java.util.function.Supplier<Placement> placement) {
        this.iceServers = iceServers;
        this.placement = placement;
        this.service = service;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.serviceTimeoutMs = serviceTimeoutMs;
    }

    /**
     * POST on the endpoint: an SDP offer in, {@code 201 Created} with the answer out (RFC 9725 §4.2). A session
     * created after the client got its 500 (timeout) or hung up is deleted again: nobody holds its URL.
     */
    void post(HttpServerRequest request, Route route, Context context) {
        if (!admit(request, Cors.SDP, "Accept-Post")) return;
        BodyReader.read(request, maxBodyBytes, bodyTimeoutMs).onComplete(body -> withBody(request, body, "an SDP offer", offer -> create(request, route, context, offer)));
    }

    private void create(HttpServerRequest request, Route route, Context context, byte[] offer) {
        ServiceCall.run(request, context, serviceTimeoutMs,
                () -> placed(route, context, () -> route.kind() == SessionKind.WHIP ? service.publish(route.room(), offer) : service.subscribe(route.room(), offer)),
                created -> withViewerControls(withIceServers(request.response()), route, created.id())
                        .setStatusCode(201)
                        .putHeader("Location", Route.sessionPath(route.kind(), route.room(), created.id()))
                        .putHeader("ETag", EntityTags.quote(created.etag()))
                        .putHeader("Accept-Patch", Cors.SDP_FRAG)
                        .putHeader("Content-Type", Cors.SDP)
                        .end(Buffer.buffer(created.answer())),
                false,
                orphan -> service.delete(route.kind(), route.room(), orphan.id()));
    }

    /**
     * Asks the {@link Placement} first (RFC 9725 §4.5): when the room is served elsewhere the stage fails with a
     * {@link SessionRedirect} (answered 307), else {@code create} runs on the request's loop. A decision that is
     * already made (a single node) calls {@code create} at once, exactly as before there were clusters.
     */
    private CompletionStage<Created> placed(Route route, Context context, java.util.function.Supplier<CompletionStage<Created>> create) {
        CompletableFuture<Placement.Decision> decided = placement.get().place(route.kind(), route.room()).toCompletableFuture();
        if (decided.isDone() && !decided.isCompletedExceptionally() && decided.join() instanceof Placement.Here) return create.get();
        // NOTE: the decision completes on a cluster thread; the session service is called on the request's loop only.
        return decided.thenComposeAsync(decision -> switch (decision) {
            case Placement.Here here -> create.get();
            case Placement.Elsewhere there -> CompletableFuture.failedFuture(new SessionRedirect(there.node(), there.baseUrl()));
        }, task -> context.runOnContext(v -> task.run()));
    }

    /** A WHEP session's layer endpoint and event stream (the WHEP drafts' extensions), as {@code Link} headers. */
    private static io.vertx.core.http.HttpServerResponse withViewerControls(io.vertx.core.http.HttpServerResponse response, Route route, String id) {
        if (route.kind() != SessionKind.WHEP) return response;
        java.util.List<String> links = new java.util.ArrayList<>(response.headers().getAll("Link"));
        links.addAll(ViewerResource.links(route.room(), id));
        response.putHeader("Link", links);
        return response;
    }

    /** RFC 9725 §4.6: the ICE servers (fresh TURN credentials) as {@code Link} headers, when there are any. */
    private io.vertx.core.http.HttpServerResponse withIceServers(io.vertx.core.http.HttpServerResponse response) {
        java.util.List<String> links = iceServers.links();
        if (!links.isEmpty()) response.putHeader("Link", links);
        return response;
    }

    /**
     * PATCH on a session: trickled candidates get {@code 204} without ETag, an ICE restart ({@code If-Match: *})
     * {@code 200} with the new ETag and sdpfrag; a missing If-Match is {@code 428} (RFC 9725 §4.3.1, §4.3.2).
     */
    void patch(HttpServerRequest request, Route route, Context context) {
        if (!admit(request, Cors.SDP_FRAG, "Accept-Patch")) return;
        String ifMatch;
        try {
            ifMatch = EntityTags.parseIfMatch(request.getHeader("If-Match"));
        } catch (SessionException e) {
            Reply.error(request, e);
            return;
        }
        BodyReader.read(request, maxBodyBytes, bodyTimeoutMs).onComplete(body -> withBody(request, body, "an SDP fragment", fragment ->
                ServiceCall.run(request, context, serviceTimeoutMs,
                        () -> service.patch(route.kind(), route.room(), route.id(), ifMatch, fragment),
                        patched -> sendPatched(request, patched))));
    }

    private static void sendPatched(HttpServerRequest request, Patched patched) {
        if (patched.isRestart()) {
            request.response()
                    .setStatusCode(200)
                    .putHeader("ETag", EntityTags.quote(patched.etag()))
                    .putHeader("Content-Type", Cors.SDP_FRAG)
                    .end(Buffer.buffer(patched.answerSdpFrag()));
        } else {
            request.response().setStatusCode(204).end();
        }
    }

    /**
     * DELETE on a session: {@code 200 OK} as RFC 9725 Figure 1 shows (not 204: some clients test for 200), 404 once
     * it is gone. If-Match is ignored here, as RFC 9725 §4.3.1 requires.
     */
    void delete(HttpServerRequest request, Route route, Context context) {
        SessionException denied = auth.check(request.getHeader("Authorization"));
        if (denied != null) {
            Reply.error(request, denied);
            return;
        }
        ServiceCall.run(request, context, serviceTimeoutMs,
                () -> service.delete(route.kind(), route.room(), route.id()),
                // A Void stage: null is the success answer.
                ignored -> request.response().setStatusCode(200).end(),
                true, null);
    }

    /** Token first (so an anonymous client learns nothing else), then the media type (415 names the accepted one). */
    private boolean admit(HttpServerRequest request, String mediaType, String acceptHeader) {
        SessionException denied = auth.check(request.getHeader("Authorization"));
        if (denied != null) {
            Reply.error(request, denied);
            return false;
        }
        if (!isMediaType(request.getHeader("Content-Type"), mediaType)) {
            Reply.error(request, 415, "Content-Type must be " + mediaType, Map.of(acceptHeader, mediaType));
            return false;
        }
        return true;
    }

    private static void withBody(HttpServerRequest request, AsyncResult<byte[]> body, String what, Consumer<byte[]> then) {
        if (body.failed()) {
            if (body.cause() instanceof SessionException refusal) {
                Reply.error(request, refusal);
            } else {
                // The connection failed while the body was arriving; usually nobody is left to read this.
                Reply.error(request, 400, "cannot read the request body: " + body.cause().getMessage());
            }
        } else if (body.result().length == 0) {
            Reply.error(request, 400, "empty body: expected " + what);
        } else {
            then.accept(body.result());
        }
    }

    /** Whether a Content-Type value names {@code expected}, ignoring case and parameters ({@code ;charset=…}). */
    static boolean isMediaType(String contentType, String expected) {
        if (contentType == null) return false;
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.equalsIgnoreCase(expected);
    }
}
