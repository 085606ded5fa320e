package dev.junction.gateway.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * A body POSTed to a WHEP session's layer URL (the layer extension of the WHEP drafts, {@code
 * urn:ietf:params:whep:ext:core:layer}), parsed and checked for what can be checked without the session: JSON syntax,
 * known fields, their types and ranges. Each POST replaces the preference of the slots it names, so a body with no
 * constraint ({@code {"mediaId":"1"}} or {@code {}}) returns them to automatic, as the draft says.
 *
 * <p>Fields (all optional):
 * <ul>
 *   <li>{@code mediaId}: the video m-section's mid (or, failing that, its index, as the draft counts); absent: every
 *       video slot;</li>
 *   <li>{@code encodingId} (Broadcast Box) or {@code rid} (the draft): the highest simulcast layer, by rid;</li>
 *   <li>{@code spatialLayerId} or {@code maxSpatialLayerId}: the same by index, 0 the lowest;</li>
 *   <li>{@code temporalLayerId} or {@code maxTemporalLayerId}: the highest temporal layer, 0-3 (VP8 temporal
 *       layers; a stream without them is not affected);</li>
 *   <li>{@code maxBitrate}: bits per second, 1,000 to 10,000,000,000.</li>
 * </ul>
 * A layer named here is a cap: the bandwidth estimate may still choose a lower one. A field set to {@code null} is
 * absent. Anything else (an unknown field, a wrong type, two names for one cap, a value out of range) is refused with
 * the reason.
 *
 * @param mediaId          null for every video slot
 * @param rid              null for none
 * @param spatialLayer     -1 for none
 * @param temporalLayer    -1 for none
 * @param maxBitrateBps    -1 for none
 */
public record LayerRequest(String mediaId, String rid, int spatialLayer, int temporalLayer, long maxBitrateBps) {

    /** Bodies are a few dozen bytes; this is plenty and keeps a client from making us parse megabytes. */
    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_SPATIAL_LAYER = 15;
    /** VP8's TID is two bits (RFC 7741 §4.2); VP9 and AV1 allow 8, but Junction reads only VP8's. */
    static final int MAX_TEMPORAL_LAYER = 3;
    static final long MIN_BITRATE_BPS = 1_000;
    static final long MAX_BITRATE_BPS = 10_000_000_000L;
    private static final Set<String> FIELDS = Set.of("mediaId", "encodingId", "rid", "spatialLayerId", "maxSpatialLayerId",
            "temporalLayerId", "maxTemporalLayerId", "maxBitrate");
    /** Draft fields Junction cannot honour: it does not know its layers' resolutions. */
    private static final Set<String> UNSUPPORTED = Set.of("maxWidth", "maxHeight");

    /** Whether it leaves the named slots to automatic choice. */
    public boolean isAuto() {
        return rid == null && spatialLayer < 0 && temporalLayer < 0 && maxBitrateBps < 0;
    }

    /** Parses {@code body}; a {@link SessionException} (400) names the first thing wrong. */
    static LayerRequest parse(byte[] body) {
        JsonObject json;
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(new String(body, StandardCharsets.UTF_8));
            if (!(parsed instanceof JsonObject o)) throw SessionException.badRequest("the body must be a JSON object");
            json = o;
        } catch (DecodeException e) {
            throw SessionException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        for (Map.Entry<String, Object> field : json) {
            String name = field.getKey();
            if (UNSUPPORTED.contains(name)) throw SessionException.badRequest(name + " is not supported: Junction does not know its layers' resolutions");
            if (!FIELDS.contains(name)) throw SessionException.badRequest("unknown field " + quoted(name) + "; known: " + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        String mediaId = string(json, "mediaId");
        if (mediaId != null && (mediaId.isEmpty() || mediaId.length() > 32)) throw SessionException.badRequest("mediaId must be 1 to 32 characters");
        String rid = oneOf(string(json, "encodingId"), "encodingId", string(json, "rid"), "rid");
        if (rid != null && !rid.matches("[A-Za-z0-9_-]{1,16}")) throw SessionException.badRequest("a rid is 1 to 16 letters, digits, _ or - (RFC 8851), not " + quoted(rid));
        Long spatialIndex = oneOf(integer(json, "spatialLayerId", 0, MAX_SPATIAL_LAYER), "spatialLayerId",
                integer(json, "maxSpatialLayerId", 0, MAX_SPATIAL_LAYER), "maxSpatialLayerId");
        if (rid != null && spatialIndex != null) throw SessionException.badRequest("name the spatial layer once: by rid/encodingId or by spatialLayerId, not both");
        Long temporal = oneOf(integer(json, "temporalLayerId", 0, MAX_TEMPORAL_LAYER), "temporalLayerId",
                integer(json, "maxTemporalLayerId", 0, MAX_TEMPORAL_LAYER), "maxTemporalLayerId");
        Long bitrate = integer(json, "maxBitrate", MIN_BITRATE_BPS, MAX_BITRATE_BPS);
        return new LayerRequest(mediaId, rid, spatialIndex == null ? -1 : spatialIndex.intValue(), temporal == null ? -1 : temporal.intValue(),
                bitrate == null ? -1 : bitrate);
    }

    private static <T> T oneOf(T a, String aName, T b, String bName) {
        if (a != null && b != null) throw SessionException.badRequest("give " + aName + " or " + bName + ", not both");
        return a != null ? a : b;
    }

    private static String string(JsonObject json, String name) {
        Object v = json.getValue(name);
        if (v == null) return null;
        if (!(v instanceof String s)) throw SessionException.badRequest(name + " must be a string");
        return s;
    }

    /** An integral JSON number in {@code [min, max]} (1.0 counts, 1.5 does not), or null when absent. */
    private static Long integer(JsonObject json, String name, long min, long max) {
        Object v = json.getValue(name);
        if (v == null) return null;
        if (!(v instanceof Number n)) throw SessionException.badRequest(name + " must be a number");
        BigDecimal d = new BigDecimal(n.toString());
        BigInteger whole;
        try {
            whole = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw SessionException.badRequest(name + " must be a whole number, not " + n);
        }
        if (whole.compareTo(BigInteger.valueOf(min)) < 0 || whole.compareTo(BigInteger.valueOf(max)) > 0) {
            throw SessionException.badRequest(name + " must be " + min + " to " + max + ", not " + n);
        }
        return whole.longValueExact();
    }

    private static String quoted(String s) {
        return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }

    private static String firstLine(String message) {
        if (message == null) return "cannot parse";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
