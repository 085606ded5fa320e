package dev.junction.codec.rtp;

/**
 * What one incoming stream's dependency descriptors say across packets: the template dependency structure in force
 * (the newest one attached to a keyframe) and the active decode targets (AV1 RTP specification, appendix A.8.2:
 * {@code active_decode_targets_bitmask} holds until a packet sends another, and a new structure makes every decode
 * target active).
 *
 * <p>{@link DependencyDescriptor#parse} reads a packet with {@link #structure()} and puts an attached structure in
 * the spare; {@link #adopt} then takes it in, swapping the two, so nothing is allocated per packet. As libwebrtc's
 * receiver does, a structure attached to a frame older than the one in force (a late or resent keyframe packet) is
 * not taken.
 *
 * <p>Threading: the owner's loop only.
 */
public final class DependencyStream {
    private DependencyStructure structure = new DependencyStructure();
    private DependencyStructure spare = new DependencyStructure();
    private boolean hasStructure;
    /** The frame number the structure in force came with. */
    private int structureFrame;
    private int activeDecodeTargets;

    /** The structure in force, or null before the first. */
    public DependencyStructure structure() {
        return hasStructure ? structure : null;
    }

    /** Where {@link DependencyDescriptor#parse} reads a packet's attached structure into. */
    DependencyStructure spare() {
        return spare;
    }

    /** The active decode targets, bit {@code dt} for decode target {@code dt}; 0 before the first structure. */
    public int activeDecodeTargets() {
        return activeDecodeTargets;
    }

    /** Takes in what {@code dd}, just parsed successfully against this stream, changes: a newer structure, an active set. */
    public void adopt(DependencyDescriptor dd) {
        if (dd.hasStructure() && dd.structure() == spare
                && (!hasStructure || !SerialNumber.isNewer16(structureFrame, dd.frameNumber()))) {
            DependencyStructure old = structure;
            structure = spare;
            spare = old;
            hasStructure = true;
            structureFrame = dd.frameNumber();
            activeDecodeTargets = dd.decodeTargetCount() == 32 ? -1 : (1 << dd.decodeTargetCount()) - 1;
        }
        if (dd.hasActiveDecodeTargets() && dd.structure() == structure) activeDecodeTargets = dd.activeDecodeTargets();
    }

    /** Forgets the structure (the stream restarted with a new SSRC). */
    public void clear() {
        hasStructure = false;
        activeDecodeTargets = 0;
    }
}
