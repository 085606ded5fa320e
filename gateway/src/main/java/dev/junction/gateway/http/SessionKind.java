package dev.junction.gateway.http;

/** Which protocol a session resource belongs to; also its first path segment ({@code /whip/…}, {@code /whep/…}). */
public enum SessionKind {
    /** A publisher's session (RFC 9725). */
    WHIP("whip"),
    /** A subscriber's session (draft-ietf-wish-whep). */
    WHEP("whep");

    private final String pathSegment;

    SessionKind(String pathSegment) {
        this.pathSegment = pathSegment;
    }

    /** The lower-case path segment, e.g. {@code whip}. */
    public String pathSegment() {
        return pathSegment;
    }

    /** The kind whose path segment is {@code segment}, or {@code null}. */
    static SessionKind ofPathSegment(String segment) {
        for (SessionKind kind : values()) {
            if (kind.pathSegment.equals(segment)) return kind;
        }
        return null;
    }
}
