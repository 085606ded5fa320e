package dev.junction.codec.rtp;

/**
 * The template dependency structure of a dependency descriptor (AV1 RTP specification, appendix A.8.1
 * {@code template_dependency_structure()}): the frame templates (spatial and temporal id, decode target indications,
 * frame diffs, chain diffs), the decode targets (the layers each one needs, and the chain protecting it) and the
 * render resolutions. A sender attaches it to the first packet of a keyframe; every later packet of the stream is
 * read with it, until the next one.
 *
 * <p>Fixed-size arrays, filled by {@link DependencyDescriptor#parse} and reused (one per incoming stream, with a
 * spare, in {@link DependencyStream}): nothing is allocated per packet. The limits are the format's own (64
 * templates, 32 decode targets) and {@link #MAX_FDIFFS} frame diffs per template, more than any encoder refers to
 * (AV1 has 7 reference slots); a structure beyond them is rejected as malformed.
 *
 * <p>Threading: the owner's loop only.
 */
public final class DependencyStructure {
    /** {@code frame_dependency_template_id} has 6 bits. */
    public static final int MAX_TEMPLATES = 64;
    /** {@code dt_cnt_minus_one} has 5 bits. */
    public static final int MAX_DECODE_TARGETS = 32;
    /** Frame diffs kept per template or frame. */
    public static final int MAX_FDIFFS = 16;

    /** Decode target indication (appendix A.8.3, table A.1): the frame is not in the decode target. */
    public static final int NOT_PRESENT = 0;
    /** In it, and no frame of it after this one depends on it. */
    public static final int DISCARDABLE = 1;
    /** In it, and every later frame of it depends only on this frame and later ones: a point to start it at. */
    public static final int SWITCH = 2;
    /** In it, and needed by later frames of it. */
    public static final int REQUIRED = 3;

    int templateIdOffset;
    int templateCount;
    int decodeTargetCount;
    int chainCount;
    int maxSpatialId;
    int maxTemporalId;
    final byte[] spatialId = new byte[MAX_TEMPLATES];
    final byte[] temporalId = new byte[MAX_TEMPLATES];
    /** {@code [template * MAX_DECODE_TARGETS + dt]}. */
    final byte[] dtis = new byte[MAX_TEMPLATES * MAX_DECODE_TARGETS];
    final byte[] fdiffCount = new byte[MAX_TEMPLATES];
    /** {@code [template * MAX_FDIFFS + i]}, 1-16. */
    final byte[] fdiffs = new byte[MAX_TEMPLATES * MAX_FDIFFS];
    /** {@code [template * MAX_DECODE_TARGETS + chain]}, 0-15. */
    final byte[] chainFdiffs = new byte[MAX_TEMPLATES * MAX_DECODE_TARGETS];
    final byte[] protectedBy = new byte[MAX_DECODE_TARGETS];
    final byte[] decodeTargetSpatialId = new byte[MAX_DECODE_TARGETS];
    final byte[] decodeTargetTemporalId = new byte[MAX_DECODE_TARGETS];
    boolean resolutions;
    /** {@code [spatial * 2]}: width, {@code [spatial * 2 + 1]}: height. */
    final int[] resolution = new int[MAX_TEMPLATES * 2];

    /** The 6-bit id of template 0 ({@code template_id_offset}). */
    public int templateIdOffset() {
        return templateIdOffset;
    }

    public int templateCount() {
        return templateCount;
    }

    public int decodeTargetCount() {
        return decodeTargetCount;
    }

    /** Chains ({@code chain_cnt}); 0 when the sender uses none. */
    public int chainCount() {
        return chainCount;
    }

    public int maxSpatialId() {
        return maxSpatialId;
    }

    public int maxTemporalId() {
        return maxTemporalId;
    }

    public int templateSpatialId(int template) {
        return spatialId[template];
    }

    public int templateTemporalId(int template) {
        return temporalId[template];
    }

    /** Template {@code template}'s indication for decode target {@code dt}: {@link #NOT_PRESENT} to {@link #REQUIRED}. */
    public int templateDti(int template, int dt) {
        return dtis[template * MAX_DECODE_TARGETS + dt];
    }

    public int templateFdiffCount(int template) {
        return fdiffCount[template];
    }

    public int templateFdiff(int template, int i) {
        return fdiffs[template * MAX_FDIFFS + i];
    }

    public int templateChainFdiff(int template, int chain) {
        return chainFdiffs[template * MAX_DECODE_TARGETS + chain];
    }

    /** The chain that protects decode target {@code dt} (only with chains). */
    public int decodeTargetProtectedBy(int dt) {
        return protectedBy[dt];
    }

    /** The highest spatial id of the frames decode target {@code dt} needs (appendix A.8.1 {@code decode_target_layers()}). */
    public int decodeTargetSpatialId(int dt) {
        return decodeTargetSpatialId[dt];
    }

    /** The highest temporal id of the frames decode target {@code dt} needs. */
    public int decodeTargetTemporalId(int dt) {
        return decodeTargetTemporalId[dt];
    }

    public boolean hasResolutions() {
        return resolutions;
    }

    /** Render width of spatial layer {@code spatial} (only with resolutions). */
    public int width(int spatial) {
        return resolution[spatial * 2];
    }

    public int height(int spatial) {
        return resolution[spatial * 2 + 1];
    }

    /**
     * The decode target a receiver capped at temporal layer {@code maxTemporal} should follow: among those of the
     * highest spatial layer, the one with the highest temporal id not above the cap (the lowest there is when every
     * one is above it); -1 without decode targets.
     */
    public int decodeTargetFor(int maxTemporal) {
        int best = -1;
        int lowest = -1;
        for (int dt = 0; dt < decodeTargetCount; dt++) {
            if (decodeTargetSpatialId[dt] != maxSpatialId) continue;
            int t = decodeTargetTemporalId[dt];
            if (lowest < 0 || t < decodeTargetTemporalId[lowest]) lowest = dt;
            if (t <= maxTemporal && (best < 0 || t > decodeTargetTemporalId[best])) best = dt;
        }
        return best >= 0 ? best : lowest;
    }

    /** The decode targets whose frames go up to temporal layer {@code maxTemporal} at most, as a bitmask (bit {@code dt}). */
    public int decodeTargetsUpTo(int maxTemporal) {
        int mask = 0;
        for (int dt = 0; dt < decodeTargetCount; dt++) {
            if (decodeTargetTemporalId[dt] <= maxTemporal) mask |= 1 << dt;
        }
        return mask;
    }
}
