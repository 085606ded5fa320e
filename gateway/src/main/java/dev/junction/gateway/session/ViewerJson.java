package dev.junction.gateway.session;

import dev.junction.gateway.room.Figures;
import dev.junction.gateway.room.ViewerPreference;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of a WHEP viewer's events and layer answers (issue 11), in the WHEP drafts' camelCase, from a subscriber's
 * {@link Figures}: {@code layers} (each video slot's track's simulcast layers, keyed by mid, each with Broadcast Box's
 * {@code encodingId} and the draft's {@code rid}, {@code spatialLayerId} and {@code bitrate}), and {@code selection}
 * (the subscriber's estimate, and per video slot its layer, its target, the reason and the viewer's preference).
 * Any thread; no state.
 */
final class ViewerJson {

    private ViewerJson() {
    }

    /** {@code {"<mid>":{"layers":[...]}}} for every video slot with a track. */
    static String layers(Figures.Subscriber s) {
        JsonObject out = new JsonObject();
        for (Figures.Slot slot : s.slots()) {
            if (!isVideo(slot) || slot.producerId() < 0) continue;
            JsonArray layers = new JsonArray();
            for (Figures.Layer l : slot.layers()) {
                JsonObject layer = new JsonObject();
                if (!l.rid().isEmpty()) layer.put("encodingId", l.rid()).put("rid", l.rid());
                layers.add(layer.put("spatialLayerId", l.index()).put("active", l.active()).put("bitrate", l.bitrateBps()));
            }
            out.put(slot.mid(), new JsonObject().put("layers", layers));
        }
        return out.encode();
    }

    /** {@code {"estimateBps":..,"slots":{"<mid>":{...}}}} for every video slot, or only {@code mid}'s when not null. */
    static String selection(Figures.Subscriber s, String onlyMid) {
        JsonObject slots = new JsonObject();
        for (Figures.Slot slot : s.slots()) {
            if (!isVideo(slot) || (onlyMid != null && !onlyMid.equals(slot.mid()))) continue;
            slots.put(slot.mid(), new JsonObject()
                    .put("layer", slot.layer() < 0 ? null : slot.layer())
                    .put("encodingId", rid(slot, slot.layer()))
                    .put("targetLayer", slot.targetLayer() < 0 ? null : slot.targetLayer())
                    .put("targetEncodingId", rid(slot, slot.targetLayer()))
                    .put("reason", slot.reasonLabel())
                    .put("why", slot.reason())
                    .put("budgetBps", slot.budgetBps() < 0 ? null : slot.budgetBps())
                    .put("temporalLayerId", slot.temporalLayer() < 0 ? null : slot.temporalLayer())
                    .put("targetTemporalLayerId", slot.targetTemporalLayer() < 0 ? null : slot.targetTemporalLayer())
                    .put("temporalReason", slot.temporalReason())
                    .put("preference", preference(slot.preference())));
        }
        return new JsonObject().put("estimateBps", s.estimateBps() < 0 ? null : s.estimateBps()).put("slots", slots).encode();
    }

    /** Whether any slot's track has an active layer: the drafts' {@code active} (else {@code inactive}). */
    static boolean active(Figures.Subscriber s) {
        for (Figures.Slot slot : s.slots()) {
            for (Figures.Layer l : slot.layers()) {
                if (l.active()) return true;
            }
        }
        return false;
    }

    /**
     * A preference as the viewer gave it. {@code temporalLayerApplied} (true since the Consumers filter VP8 temporal
     * layers) stays for clients that read it.
     */
    static JsonObject preference(ViewerPreference p) {
        return new JsonObject()
                .put("auto", p.isAuto())
                .put("encodingId", p.maxSpatialRid())
                .put("maxSpatialLayerId", p.maxSpatialLayer() < 0 ? null : p.maxSpatialLayer())
                .put("maxTemporalLayerId", p.maxTemporalLayer() < 0 ? null : p.maxTemporalLayer())
                .put("temporalLayerApplied", true)
                .put("maxBitrate", p.maxBitrateBps() < 0 ? null : p.maxBitrateBps());
    }

    private static String rid(Figures.Slot slot, int layer) {
        if (layer < 0 || layer >= slot.layers().size()) return null;
        String rid = slot.layers().get(layer).rid();
        return rid.isEmpty() ? null : rid;
    }

    private static boolean isVideo(Figures.Slot slot) {
        return slot.kind().equals("video");
    }
}
