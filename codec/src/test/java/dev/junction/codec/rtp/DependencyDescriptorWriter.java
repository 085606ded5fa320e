package dev.junction.codec.rtp;

import java.io.ByteArrayOutputStream;

/**
 * Writes dependency descriptors (AV1 RTP specification, appendix A) bit by bit, field by field as the spec names
 * them: the test side of {@link DependencyDescriptor}, for spec-derived examples and generated streams (the gateway's
 * property tests use it through the codec test-jar). Not for production: it allocates freely.
 */
public final class DependencyDescriptorWriter {
    /** One frame template: its layers come from the {@code next_layer_idc} written after it. */
    public record Template(int spatialId, int temporalId, int[] dtis, int[] fdiffs, int[] chainFdiffs) {
    }

    /**
     * A template dependency structure.
     *
     * @param templateIdOffset  the id of template 0
     * @param decodeTargetCount DtCnt
     * @param templates         in order (spatial, then temporal ids never decreasing within a spatial layer)
     * @param chainCount        0 for none
     * @param protectedBy       per decode target, its chain (with chains)
     * @param resolutions       width, height per spatial layer, or null
     */
    public record Structure(int templateIdOffset, int decodeTargetCount, Template[] templates, int chainCount, int[] protectedBy,
            int[] resolutions) {
    }

    /**
     * libwebrtc's L1T3 (one spatial layer, three temporal layers; {@code ScalabilityStructureL1T3}): decode targets
     * T0, T0+T1, T0+T1+T2, one chain protecting them all over the T0 frames. Templates: the keyframe; T0 (refers 4
     * frames back); T1 (2 back); T2 after T0 and T2 after T1 (1 back).
     */
    public static Structure l1t3(int templateIdOffset) {
        return new Structure(templateIdOffset, 3, new Template[] {
            new Template(0, 0, new int[] {2, 2, 2}, new int[0], new int[] {0}),
            new Template(0, 0, new int[] {2, 2, 2}, new int[] {4}, new int[] {4}),
            new Template(0, 1, new int[] {0, 1, 2}, new int[] {2}, new int[] {2}),
            new Template(0, 2, new int[] {0, 0, 1}, new int[] {1}, new int[] {1}),
            new Template(0, 2, new int[] {0, 0, 1}, new int[] {1}, new int[] {3}),
        }, 1, new int[] {0, 0, 0}, null);
    }

    /** The template index of each frame of the L1T3 cycle T0 T2 T1 T2 (after the keyframe: 1, 3, 2, 4). */
    public static int l1t3Template(int positionInCycle) {
        return switch (positionInCycle & 3) {
            case 0 -> 1;
            case 1 -> 3;
            case 2 -> 2;
            default -> 4;
        };
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int current;
    private int used;

    /** {@code f(n)}. */
    public DependencyDescriptorWriter bits(long value, int n) {
        for (int i = n - 1; i >= 0; i--) {
            current = (current << 1) | (int) ((value >>> i) & 1);
            if (++used == 8) {
                out.write(current);
                current = 0;
                used = 0;
            }
        }
        return this;
    }

    /** {@code ns(n)} (A.8.4). */
    public DependencyDescriptorWriter ns(int value, int n) {
        int w = 32 - Integer.numberOfLeadingZeros(n);
        int m = (1 << w) - n;
        if (value < m) return bits(value, w - 1);
        int v = value + m;
        return bits(v >>> 1, w - 1).bits(v & 1, 1);
    }

    /** The bytes written, zero-padded to a whole byte. */
    public byte[] toBytes() {
        if (used > 0) bits(0, 8 - used);
        return out.toByteArray();
    }

    /** The mandatory fields alone: a 3-byte descriptor. */
    public static byte[] mandatory(boolean start, boolean end, int templateId, int frameNumber) {
        return new DependencyDescriptorWriter().mandatoryFields(start, end, templateId, frameNumber).toBytes();
    }

    /** A keyframe's first packet: the structure attached, template {@code template} of it. */
    public static byte[] withStructure(boolean end, int template, int frameNumber, Structure s) {
        DependencyDescriptorWriter w = new DependencyDescriptorWriter()
                .mandatoryFields(true, end, (s.templateIdOffset() + template) % 64, frameNumber)
                .bits(1, 1).bits(0, 1).bits(0, 1).bits(0, 1).bits(0, 1);
        w.structure(s);
        return w.toBytes();
    }

    /** A frame of template {@code template} that also sends the active decode targets. */
    public static byte[] withActiveDecodeTargets(boolean start, boolean end, int template, int frameNumber, Structure s, int mask) {
        return new DependencyDescriptorWriter()
                .mandatoryFields(start, end, (s.templateIdOffset() + template) % 64, frameNumber)
                .bits(0, 1).bits(1, 1).bits(0, 1).bits(0, 1).bits(0, 1)
                .bits(mask, s.decodeTargetCount()).toBytes();
    }

    public DependencyDescriptorWriter mandatoryFields(boolean start, boolean end, int templateId, int frameNumber) {
        return bits(start ? 1 : 0, 1).bits(end ? 1 : 0, 1).bits(templateId, 6).bits(frameNumber, 16);
    }

    /** {@code template_dependency_structure()}. */
    public DependencyDescriptorWriter structure(Structure s) {
        bits(s.templateIdOffset(), 6).bits(s.decodeTargetCount() - 1, 5);
        Template[] t = s.templates();
        for (int i = 0; i < t.length; i++) {
            int idc = i == t.length - 1 ? 3
                    : t[i + 1].spatialId() > t[i].spatialId() ? 2
                    : t[i + 1].temporalId() > t[i].temporalId() ? 1 : 0;
            bits(idc, 2);
        }
        for (Template x : t) {
            for (int dt = 0; dt < s.decodeTargetCount(); dt++) bits(x.dtis()[dt], 2);
        }
        for (Template x : t) {
            for (int f : x.fdiffs()) bits(1, 1).bits(f - 1, 4);
            bits(0, 1);
        }
        ns(s.chainCount(), s.decodeTargetCount() + 1);
        if (s.chainCount() > 0) {
            for (int dt = 0; dt < s.decodeTargetCount(); dt++) ns(s.protectedBy()[dt], s.chainCount());
            for (Template x : t) {
                for (int c = 0; c < s.chainCount(); c++) bits(x.chainFdiffs()[c], 4);
            }
        }
        if (s.resolutions() == null) return bits(0, 1);
        bits(1, 1);
        for (int i = 0; i < s.resolutions().length; i++) bits(s.resolutions()[i] - 1, 16);
        return this;
    }
}
