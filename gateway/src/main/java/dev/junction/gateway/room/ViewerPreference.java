package dev.junction.gateway.room;

/**
 * What a WHEP viewer asked for one video {@link Slot} through the layer endpoint (issue 11, viewer control): caps
 * that its {@link Consumer}'s own layer choice respects, never a layer forced past the bandwidth estimate. A slot
 * keeps its preference across the Producers that fill it.
 *
 * <p>Immutable; made on the control plane, read on the room's loop.
 *
 * @param maxSpatialLayer the highest simulcast layer index it may receive, {@link #NONE} for no cap
 * @param maxSpatialRid   the same cap named by its rid (resolved against the slot's Producer), or null
 * @param maxTemporalLayer the highest VP8 temporal layer id (0-3) it may receive, {@link #NONE} for no cap (a stream
 *                         without temporal layers is not affected)
 * @param maxBitrateBps   a cap on its share of the subscriber's estimate, bps, {@link #NONE} for no cap
 */
public record ViewerPreference(int maxSpatialLayer, String maxSpatialRid, int maxTemporalLayer, long maxBitrateBps) {

    public static final int NONE = -1;
    /** No preference: the Consumer chooses from the estimate and the active layers alone. */
    public static final ViewerPreference AUTO = new ViewerPreference(NONE, null, NONE, NONE);

    /** Whether it constrains nothing. */
    public boolean isAuto() {
        return maxSpatialLayer == NONE && maxSpatialRid == null && maxTemporalLayer == NONE && maxBitrateBps == NONE;
    }

    /** The same with the spatial cap at layer index {@code max} ({@link Integer#MAX_VALUE} or less than 0: none). */
    ViewerPreference withMaxSpatialLayer(int max) {
        return new ViewerPreference(max < 0 || max == Integer.MAX_VALUE ? NONE : max, null, maxTemporalLayer, maxBitrateBps);
    }

    /**
     * The highest layer index of {@code producer} this allows: the rid's index when the rid is one of its layers, the
     * index cap, or {@link Integer#MAX_VALUE}. A rid the Producer does not have caps nothing (another track may fill
     * the slot later; {@link #spatialApplies} says so).
     */
    int spatialCap(Producer producer) {
        if (maxSpatialRid != null) {
            int i = producer.layerOfRid(maxSpatialRid);
            return i < 0 ? Integer.MAX_VALUE : i;
        }
        return maxSpatialLayer == NONE ? Integer.MAX_VALUE : maxSpatialLayer;
    }

    /** Whether its spatial cap, if any, names a layer {@code producer} has. */
    public boolean spatialApplies(Producer producer) {
        if (maxSpatialRid != null) return producer != null && producer.layerOfRid(maxSpatialRid) >= 0;
        return maxSpatialLayer != NONE && producer != null && maxSpatialLayer < producer.layerCount();
    }
}
