package dev.junction.gateway.http;

import java.util.concurrent.CompletionStage;

/**
 * The session layer as the HTTP API sees it: create, patch and end WHIP/WHEP sessions.
 *
 * <p>Threading: every method is called on a Vert.x event loop and must return at once, without blocking
 * (no locks shared with media loops, no I/O, no waiting on a room). Work that belongs to a room is handed to
 * the room's event loop and the stage is completed from there; the HTTP layer hops back to its own loop.
 *
 * <p>Failures: complete the stage exceptionally with a {@link SessionException} (or throw one) to answer
 * with its status, one-line reason and headers, e.g. 400 with the negotiator's reason for unanswerable SDP,
 * 404 for an unknown session, 412 for a stale If-Match, 503 with {@code Retry-After} at capacity. Anything
 * else, a {@code null} result, or no answer within the API's service timeout becomes {@code 500}.
 *
 * <p>Buffers: the byte arrays passed in are fresh copies owned by the callee; arrays returned are sent as they are.
 * Room and id arguments are already validated against {@link Route#NAME_PATTERN}, and the bearer token checked.
 */
public interface SessionService {

    /** WHIP: {@code offer} is the publisher's SDP offer (UTF-8, non-empty, at most maxBodyBytes). */
    CompletionStage<Created> publish(String room, byte[] offer);

    /** WHEP: {@code offer} is the subscriber's recvonly SDP offer. */
    CompletionStage<Created> subscribe(String room, byte[] offer);

    /**
     * Trickle ICE or ICE restart (RFC 9725 §4.3).
     *
     * @param ifMatch  {@code "*"} when the client asks for an ICE restart, else the entity-tag it holds,
     *                 without quotes; compare it with the current one and fail with 412 when they differ
     * @param sdpFrag  the {@code application/trickle-ice-sdpfrag} body (RFC 8840), non-empty
     */
    CompletionStage<Patched> patch(SessionKind kind, String room, String id, String ifMatch, byte[] sdpFrag);

    /** Ends the session; fail with 404 when there is no such session (for instance on a second DELETE). */
    CompletionStage<Void> delete(SessionKind kind, String room, String id);

    /**
     * WHEP viewer control (issue 11): applies {@code request} to the session's video slots and completes with the
     * resulting choice as JSON (the {@code selection} event's data). Fail with 404 for an unknown session and with 400
     * (and the reason) for a mediaId, rid or layer the session's tracks do not have.
     */
    default CompletionStage<String> selectLayer(String room, String id, LayerRequest request) {
        return java.util.concurrent.CompletableFuture.failedFuture(SessionException.notFound("no whep session " + id + " in room " + room));
    }

    /**
     * Subscribes {@code sink} to the session's events (its layers, its choice, whether a track is active) until the
     * session ends or the subscription is closed. Throws a {@link SessionException}: 404 for an unknown session, 429
     * when the session already has its most streams.
     */
    default ViewerEvents.Subscription watch(String room, String id, ViewerEvents sink) {
        throw SessionException.notFound("no whep session " + id + " in room " + room);
    }
}
