package dev.junction.gateway.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Cross-origin access for browser WHIP/WHEP clients (RFC 9725 §4.2, Fetch standard): any origin may call the
 * API; credentials travel as a bearer token, never as cookies, so {@code *} is safe.
 */
final class Cors {

    static final String ALLOW_HEADERS = "Authorization, Content-Type, If-Match";
    /** Headers a script must be able to read: the session URL, ICE session tag, ICE servers, retry hints, reasons. */
    static final String EXPOSE_HEADERS = "Location, ETag, Link, Accept-Patch, Accept-Post, Retry-After, WWW-Authenticate";
    static final String SDP = "application/sdp";
    static final String SDP_FRAG = "application/trickle-ice-sdpfrag";
    static final String JSON = "application/json";
    private static final String MAX_AGE_SECONDS = "86400";

    private Cors() {
    }

    /** On every response, errors included, so a page can read the status and reason. */
    static void decorate(HttpServerResponse response) {
        response.putHeader("Access-Control-Allow-Origin", "*")
                .putHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }

    /**
     * Answers OPTIONS on an endpoint or session: 200 with the allowed methods and headers. RFC 9725 §4.2 asks for
     * {@code Accept-Post: application/sdp} on the endpoint; the session advertises what PATCH accepts.
     * No bearer token is checked: a preflight never carries one. On an endpoint it also carries the ICE servers'
     * {@code Link} headers (RFC 9725 §4.6); on a WHEP session, its viewer controls' ({@link ViewerResource#links}).
     */
    static void preflight(HttpServerRequest request, Route.Resource resource, java.util.List<String> links) {
        HttpServerResponse response = request.response()
                .setStatusCode(200)
                .putHeader("Allow", resource.allowHeader())
                .putHeader("Access-Control-Allow-Methods", resource.allowHeader())
                .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
                .putHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
        if (resource == Route.Resource.ENDPOINT) response.putHeader("Accept-Post", SDP);
        if (resource == Route.Resource.SESSION) response.putHeader("Accept-Patch", SDP_FRAG);
        if (resource == Route.Resource.SESSION_LAYER) response.putHeader("Accept-Post", JSON);
        // RFC 9725 §4.6: a client may ask for the ICE servers with OPTIONS before it makes its offer.
        if (!links.isEmpty()) response.putHeader("Link", links);
        response.end();
    }
}
