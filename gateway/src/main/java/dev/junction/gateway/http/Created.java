package dev.junction.gateway.http;

import java.util.Objects;

/**
 * A new WHIP or WHEP session: answered with {@code 201 Created}, {@code Location: /{kind}/{room}/{id}},
 * {@code ETag: "{etag}"} and the SDP answer (RFC 9725 §4.2).
 *
 * @param id     the session id, {@code [A-Za-z0-9_-]{1,64}}; unguessable (RFC 9725 §7, IDOR)
 * @param etag   the opaque entity-tag of the current ICE session, without quotes; no {@code "} or {@code \}
 * @param answer the SDP answer, UTF-8
 */
public record Created(String id, String etag, byte[] answer) {

    public Created {
        if (!Route.isValidName(id)) throw new IllegalArgumentException("session id must match " + Route.NAME_PATTERN + ": " + id);
        EntityTags.requireOpaque(etag);
        Objects.requireNonNull(answer, "answer");
    }
}
