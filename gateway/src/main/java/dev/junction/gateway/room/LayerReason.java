package dev.junction.gateway.room;

/**
 * Why a {@link Consumer} receives the layer it does (issue 11: explainable decisions), shown per Consumer in
 * stats and, as the cause of each layer switch, counted on {@code /metrics}.
 */
public enum LayerReason {
    /** No layer chosen yet (its Producer has sent nothing). */
    NONE,
    /** The best layer there is: the highest active one, with nothing holding it back. */
    BEST,
    /** The subscriber's bandwidth estimate, shared among its video slots, does not fit a higher active layer. */
    BANDWIDTH,
    /** The subscriber's preference caps it (its maximum layer). */
    PREFERENCE,
    /** A higher layer it would take is inactive (no packet for a second), or its own went quiet. */
    LAYER_INACTIVE,
    /** It has chosen another layer and waits for a keyframe of it before switching. */
    AWAITING_KEYFRAME;

    /** The label on /metrics and in JSON: lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
