package dev.junction.gateway.http;

/**
 * Entity-tags of ICE sessions (RFC 9110 §8.8.3, RFC 9725 §4.3.1): quoting them for {@code ETag} and reading
 * the one a PATCH names in {@code If-Match}.
 */
final class EntityTags {

    private EntityTags() {
    }

    /** Throws if {@code tag} cannot be sent between quotes as an opaque-tag (etagc: visible ASCII but {@code "}). */
    static void requireOpaque(String tag) {
        if (tag == null || tag.isEmpty()) throw new IllegalArgumentException("entity-tag must not be empty");
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c <= 0x20 || c == '"' || c >= 0x7f) throw new IllegalArgumentException("entity-tag has a character RFC 9110 §8.8.3 forbids: " + tag);
        }
    }

    static String quote(String tag) {
        return '"' + tag + '"';
    }

    /**
     * The tag a PATCH's {@code If-Match} names, unquoted, or {@code "*"}.
     *
     * @throws SessionException 428 when absent (RFC 9725 §4.3.1), 412 for a weak tag (If-Match compares
     *                          strongly, RFC 9110 §13.1.1), 400 when it is not one entity-tag or {@code *}
     */
    static String parseIfMatch(String header) {
        if (header == null) throw new SessionException(428, "PATCH needs If-Match with the session's ETag, or * for an ICE restart");
        String value = header.strip();
        if (value.equals("*")) return value;
        if (value.startsWith("W/")) throw SessionException.preconditionFailed("a weak entity-tag never matches If-Match");
        if (value.length() < 3 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            throw SessionException.badRequest("If-Match must be one quoted entity-tag or *");
        }
        String tag = value.substring(1, value.length() - 1);
        try {
            requireOpaque(tag);
        } catch (IllegalArgumentException e) {
            throw SessionException.badRequest("If-Match must be one quoted entity-tag or *");
        }
        return tag;
    }
}
