package dev.junction.gateway.http;

/**
 * The outcome of a PATCH (RFC 9725 §4.3): trickled candidates give {@code 204 No Content} with no ETag;
 * an ICE restart gives {@code 200 OK}, the new {@code ETag} and an {@code application/trickle-ice-sdpfrag}
 * body with the new ufrag/pwd.
 *
 * @param etag         the new entity-tag without quotes, or {@code null} when no restart happened
 * @param answerSdpFrag the restart answer, or {@code null} when no restart happened
 */
public record Patched(String etag, byte[] answerSdpFrag) {

    private static final Patched TRICKLED = new Patched(null, null);

    public Patched {
        if ((etag == null) != (answerSdpFrag == null)) {
            throw new IllegalArgumentException("an ICE restart needs both an etag and an answer; trickle needs neither");
        }
        if (etag != null) EntityTags.requireOpaque(etag);
    }

    /** Candidates were added; no ICE restart. */
    public static Patched trickled() {
        return TRICKLED;
    }

    /** The ICE session was restarted: {@code etag} names the new one. */
    public static Patched restarted(String etag, byte[] answerSdpFrag) {
        return new Patched(etag, answerSdpFrag);
    }

    public boolean isRestart() {
        return etag != null;
    }
}
