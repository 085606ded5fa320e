package dev.junction.gateway.session;

import dev.junction.gateway.room.Figures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The dashboard's JSON for a room's sessions ({@link Figures}): field names in snake_case, -1 (unknown) as null.
 * Any thread; no state.
 */
final class DashboardJson {

    private DashboardJson() {
    }

    /** Adds a publisher's loss and tracks, each with its layers, to {@code out}. */
    static void publisher(JsonObject out, Figures.Publisher p) {
        out.put("loss_percent", unknownAsNull(p.lossPercent()));
        JsonArray tracks = new JsonArray();
        for (Figures.Track t : p.tracks()) {
            JsonArray layers = new JsonArray();
            for (Figures.Layer l : t.layers()) {
                layers.add(new JsonObject()
                        .put("index", l.index())
                        .put("rid", l.rid())
                        .put("ssrc", l.ssrc() < 0 ? null : l.ssrc())
                        .put("active", l.active())
                        .put("bitrate_bps", l.bitrateBps()));
            }
            tracks.add(new JsonObject()
                    .put("producer", t.producerId())
                    .put("mid", t.mid())
                    .put("kind", t.kind())
                    .put("packets_in", t.packetsIn())
                    .put("consumers", t.consumers())
                    .put("layers", layers));
        }
        out.put("tracks", tracks);
    }

    /** Adds a subscriber's loss, RTT and slots (each with its layer and the reason for it) to {@code out}. */
    static void subscriber(JsonObject out, Figures.Subscriber s) {
        out.put("loss_percent", unknownAsNull(s.lossPercent()));
        out.put("rtt_ms", unknownAsNull(s.rttMs()));
        out.put("estimate_bps", s.estimateBps() < 0 ? null : s.estimateBps());
        out.put("delivered_bps", s.deliveredBps() < 0 ? null : s.deliveredBps());
        JsonArray slots = new JsonArray();
        for (Figures.Slot slot : s.slots()) {
            slots.add(new JsonObject()
                    .put("mid", slot.mid())
                    .put("kind", slot.kind())
                    .put("producer", slot.producerId() < 0 ? null : slot.producerId())
                    .put("layer", slot.layer() < 0 ? null : slot.layer())
                    .put("target_layer", slot.targetLayer() < 0 ? null : slot.targetLayer())
                    .put("reason", slot.reason())
                    .put("budget_bps", slot.budgetBps() < 0 ? null : slot.budgetBps())
                    .put("reason_label", slot.reasonLabel())
                    .put("temporal_layer", slot.temporalLayer() < 0 ? null : slot.temporalLayer())
                    .put("target_temporal_layer", slot.targetTemporalLayer() < 0 ? null : slot.targetTemporalLayer())
                    .put("temporal_reason", slot.temporalReason())
                    .put("preference", slot.preference().isAuto() ? null : ViewerJson.preference(slot.preference()))
                    .put("packets_sent", slot.packetsSent())
                    .put("retransmissions", slot.retransmissions())
                    .put("packets_dropped", slot.packetsDropped()));
        }
        out.put("slots", slots);
    }

    private static Double unknownAsNull(double value) {
        return value < 0 ? null : Math.round(value * 100) / 100.0;
    }
}
