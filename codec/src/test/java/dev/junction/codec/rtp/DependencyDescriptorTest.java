package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtp.DependencyDescriptorWriter.Structure;
import dev.junction.codec.rtp.DependencyDescriptorWriter.Template;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * The dependency descriptor reader against spec-derived examples (AV1 RTP specification, appendix A, written field by
 * field with {@link DependencyDescriptorWriter}) and against descriptors captured from Chromium 156
 * ({@link DependencyDescriptorCaptures}).
 */
class DependencyDescriptorTest {
    private final DependencyDescriptor dd = new DependencyDescriptor();
    private final DependencyStream stream = new DependencyStream();

    private int parse(byte[] bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length + 4);
        buf.writeZero(2); // the descriptor need not start at index 0
        buf.writeBytes(bytes);
        int r = dd.parse(buf, 2, bytes.length, stream);
        assertEquals(2, dd.dataOffset());
        if (r == DependencyDescriptor.OK) stream.adopt(dd);
        return r;
    }

    @Test
    void shouldReadTheMandatoryFields() {
        // S=1 E=0 template id 5 | frame number 0xBEEF
        assertEquals(DependencyDescriptor.NO_STRUCTURE, parse(new byte[] {(byte) 0x85, (byte) 0xBE, (byte) 0xEF}));
        assertTrue(dd.startOfFrame());
        assertFalse(dd.endOfFrame());
        assertEquals(5, dd.templateId());
        assertEquals(0xBEEF, dd.frameNumber());
        assertEquals(-1, dd.temporalId(), "no structure: the template names nothing yet");
        assertNull(dd.structure());
    }

    @Test
    void shouldReadLibwebrtcsL1T3StructureAndEveryFrameOfTheCycle() {
        Structure l1t3 = DependencyDescriptorWriter.l1t3(9);
        assertEquals(DependencyDescriptor.OK, parse(DependencyDescriptorWriter.withStructure(false, 0, 100, l1t3)));
        assertTrue(dd.hasStructure());
        DependencyStructure s = stream.structure();
        assertEquals(9, s.templateIdOffset());
        assertEquals(5, s.templateCount());
        assertEquals(3, s.decodeTargetCount());
        assertEquals(1, s.chainCount());
        assertEquals(0, s.maxSpatialId());
        assertEquals(2, s.maxTemporalId());
        int[] temporal = {0, 0, 1, 2, 2};
        for (int t = 0; t < 5; t++) {
            assertEquals(temporal[t], s.templateTemporalId(t));
            for (int dt = 0; dt < 3; dt++) assertEquals(l1t3.templates()[t].dtis()[dt], s.templateDti(t, dt), "template " + t + " dt " + dt);
            assertEquals(l1t3.templates()[t].fdiffs().length, s.templateFdiffCount(t));
            assertEquals(l1t3.templates()[t].chainFdiffs()[0], s.templateChainFdiff(t, 0));
        }
        for (int dt = 0; dt < 3; dt++) {
            assertEquals(dt, s.decodeTargetTemporalId(dt), "decode target " + dt + " goes up to temporal layer " + dt);
            assertEquals(0, s.decodeTargetProtectedBy(dt));
        }
        assertEquals(0b111, stream.activeDecodeTargets(), "a new structure makes every decode target active");
        assertEquals(0, dd.temporalId());
        assertEquals(0, dd.fdiffCount(), "the keyframe refers to nothing");

        int[] tids = {0, 2, 1, 2};
        int[] fdiffs = {4, 1, 2, 1};
        for (int i = 0; i < 8; i++) {
            int template = DependencyDescriptorWriter.l1t3Template(i);
            assertEquals(DependencyDescriptor.OK, parse(DependencyDescriptorWriter.mandatory(true, true, (9 + template) % 64, 101 + i)));
            assertEquals(tids[i & 3], dd.temporalId(), "frame " + i);
            assertEquals(1, dd.fdiffCount());
            assertEquals(fdiffs[i & 3], dd.fdiff(0));
            assertEquals(101 + i, dd.frameNumber());
        }
        // A T1 frame: in decode targets 1 (discardable) and 2 (a switch point), not in 0.
        parse(DependencyDescriptorWriter.mandatory(true, true, 9 + 2, 200));
        assertEquals(DependencyStructure.NOT_PRESENT, dd.dti(0));
        assertEquals(DependencyStructure.DISCARDABLE, dd.dti(1));
        assertEquals(DependencyStructure.SWITCH, dd.dti(2));
        assertEquals(1, s.decodeTargetFor(1));
        assertEquals(2, s.decodeTargetFor(3));
        assertEquals(0, s.decodeTargetFor(0));
        assertEquals(0b011, s.decodeTargetsUpTo(1));
    }

    @Test
    void shouldReadTwoSpatialLayersWithResolutionsAndNsCodedChains() {
        // L2T1 with two chains: ns(3) for chain_cnt 2 takes 2 bits, ns(2) for each protected_by 1 bit.
        Structure l2t1 = new Structure(0, 2, new Template[] {
            new Template(0, 0, new int[] {3, 3}, new int[0], new int[] {0, 0}),
            new Template(1, 0, new int[] {0, 2}, new int[] {1}, new int[] {1, 1}),
        }, 2, new int[] {0, 1}, new int[] {320, 180, 640, 360});
        assertEquals(DependencyDescriptor.OK, parse(DependencyDescriptorWriter.withStructure(true, 1, 7, l2t1)));
        DependencyStructure s = stream.structure();
        assertEquals(1, s.maxSpatialId());
        assertEquals(1, dd.spatialId());
        assertEquals(2, s.chainCount());
        assertEquals(1, s.decodeTargetProtectedBy(1));
        assertTrue(s.hasResolutions());
        assertEquals(640, s.width(1));
        assertEquals(180, s.height(0));
        assertEquals(1, s.decodeTargetSpatialId(1));
        assertEquals(1, s.decodeTargetFor(3), "the top spatial layer's decode target");
    }

    @Test
    void shouldReadCustomDtisFdiffsAndChains() {
        Structure l1t3 = DependencyDescriptorWriter.l1t3(0);
        parse(DependencyDescriptorWriter.withStructure(true, 0, 1, l1t3));
        byte[] custom = new DependencyDescriptorWriter().mandatoryFields(true, true, 3, 2)
                .bits(0, 1).bits(0, 1).bits(1, 1).bits(1, 1).bits(1, 1) // D, F, C
                .bits(3, 2).bits(3, 2).bits(1, 2) // custom dtis R R D
                .bits(1, 2).bits(6, 4).bits(3, 2).bits(299, 12).bits(0, 2) // fdiffs 7 and 300
                .bits(200, 8) // chain diff
                .toBytes();
        assertEquals(DependencyDescriptor.OK, parse(custom));
        assertEquals(2, dd.temporalId(), "the template still gives the layers");
        assertEquals(DependencyStructure.REQUIRED, dd.dti(0));
        assertEquals(DependencyStructure.DISCARDABLE, dd.dti(2));
        assertEquals(2, dd.fdiffCount());
        assertEquals(7, dd.fdiff(0));
        assertEquals(300, dd.fdiff(1));
        assertEquals(200, dd.chainFdiff(0));
    }

    @Test
    void shouldTrackAndRewriteTheActiveDecodeTargets() {
        Structure l1t3 = DependencyDescriptorWriter.l1t3(0);
        parse(DependencyDescriptorWriter.withStructure(true, 0, 1, l1t3));
        byte[] bytes = DependencyDescriptorWriter.withActiveDecodeTargets(true, true, 1, 2, l1t3, 0b011);
        assertEquals(DependencyDescriptor.OK, parse(bytes));
        assertTrue(dd.hasActiveDecodeTargets());
        assertEquals(0b011, dd.activeDecodeTargets());
        assertEquals(0b011, stream.activeDecodeTargets(), "held until the next");
        parse(DependencyDescriptorWriter.mandatory(true, true, 3, 3));
        assertEquals(0b011, stream.activeDecodeTargets());

        ByteBuf copy = Unpooled.wrappedBuffer(bytes.clone());
        dd.parse(copy, 0, bytes.length, stream);
        dd.writeActiveDecodeTargets(copy, 0, 0b001);
        DependencyDescriptor.writeFrameNumber(copy, 0, 0xFFFF);
        assertArrayEquals(DependencyDescriptorWriter.withActiveDecodeTargets(true, true, 1, 0xFFFF, l1t3, 0b001), copy.array());
    }

    @Test
    void shouldAddTheActiveDecodeTargetsKeepingEveryOtherField() {
        Structure l1t3 = DependencyDescriptorWriter.l1t3(7);
        byte[] keyframe = DependencyDescriptorWriter.withStructure(true, 0, 40, l1t3);
        byte[] mandatory = DependencyDescriptorWriter.mandatory(true, false, 7 + 2, 41);
        byte[] custom = new DependencyDescriptorWriter().mandatoryFields(false, true, 7 + 3, 42)
                .bits(0, 1).bits(0, 1).bits(0, 1).bits(1, 1).bits(0, 1) // F: custom fdiffs
                .bits(2, 2).bits(99, 8).bits(0, 2).toBytes(); // one fdiff of 100
        byte[] active = DependencyDescriptorWriter.withActiveDecodeTargets(true, true, 1, 43, l1t3, 0b111);
        for (byte[] bytes : new byte[][] {keyframe, mandatory, custom, active}) {
            DependencyStream s = new DependencyStream();
            dd.parse(Unpooled.wrappedBuffer(keyframe), 0, keyframe.length, s);
            s.adopt(dd);
            assertEquals(DependencyDescriptor.OK, dd.parse(Unpooled.wrappedBuffer(bytes), 0, bytes.length, s));
            int frame = dd.frameNumber();
            int temporal = dd.temporalId();
            boolean start = dd.startOfFrame();
            boolean end = dd.endOfFrame();
            int[] fdiffs = new int[dd.fdiffCount()];
            for (int i = 0; i < fdiffs.length; i++) fdiffs[i] = dd.fdiff(i);
            boolean structure = dd.hasStructure();
            ByteBuf out = Unpooled.buffer(64).writeZero(5);
            dd.writeWithActiveDecodeTargets(out, 5, 0b001);
            int length = dd.lengthWithActiveDecodeTargets();
            assertEquals(DependencyDescriptor.OK, dd.parse(out, 5, length, s), "it reads back");
            assertTrue(dd.hasActiveDecodeTargets());
            assertEquals(0b001, dd.activeDecodeTargets());
            assertEquals(frame, dd.frameNumber());
            assertEquals(temporal, dd.temporalId());
            assertEquals(start, dd.startOfFrame());
            assertEquals(end, dd.endOfFrame());
            assertEquals(structure, dd.hasStructure());
            assertEquals(fdiffs.length, dd.fdiffCount());
            for (int i = 0; i < fdiffs.length; i++) assertEquals(fdiffs[i], dd.fdiff(i));
            s.adopt(dd);
            assertEquals(0b001, s.activeDecodeTargets(), "a receiver takes it in, a new structure's too");
        }
        // The mandatory fields alone gain one byte: 5 flag bits and 3 decode targets.
        parse(keyframe);
        dd.parse(Unpooled.wrappedBuffer(mandatory), 0, 3, stream);
        assertEquals(4, dd.lengthWithActiveDecodeTargets());
    }

    /**
     * Every descriptor Chromium sent (VP8 simulcast with custom frame diffs and chains, VP9, AV1; structures, active
     * decode targets of its own) still reads field for field with the active decode targets added, as a receiver
     * reads it after the stream's earlier packets.
     */
    @Test
    void shouldAddTheActiveDecodeTargetsToEveryChromiumDescriptor() {
        java.util.Map<String, DependencyStream> streams = new java.util.HashMap<>();
        java.util.Map<String, DependencyStream> rewritten = new java.util.HashMap<>();
        DependencyDescriptor again = new DependencyDescriptor();
        int added = 0;
        for (DependencyDescriptorCaptures.Capture c : DependencyDescriptorCaptures.load()) {
            DependencyStream s = streams.computeIfAbsent(c.stream(), k -> new DependencyStream());
            DependencyStream r = rewritten.computeIfAbsent(c.stream(), k -> new DependencyStream());
            if (dd.parse(Unpooled.wrappedBuffer(c.bytes()), 0, c.bytes().length, s) != DependencyDescriptor.OK) continue;
            int mask = added % 3 == 0 ? 0b001 : added % 3 == 1 ? 0b011 : 0b111;
            ByteBuf out = Unpooled.buffer(64).writeZero(2);
            dd.writeWithActiveDecodeTargets(out, 2, mask);
            int length = dd.lengthWithActiveDecodeTargets();
            assertEquals(DependencyDescriptor.OK, again.parse(out, 2, length, r), c + ": reads back");
            assertEquals(mask, again.activeDecodeTargets(), c.toString());
            assertEquals(dd.frameNumber(), again.frameNumber(), c.toString());
            assertEquals(dd.startOfFrame(), again.startOfFrame(), c.toString());
            assertEquals(dd.endOfFrame(), again.endOfFrame(), c.toString());
            assertEquals(dd.hasStructure(), again.hasStructure(), c.toString());
            assertEquals(dd.spatialId(), again.spatialId(), c.toString());
            assertEquals(dd.temporalId(), again.temporalId(), c.toString());
            for (int dt = 0; dt < dd.decodeTargetCount(); dt++) assertEquals(dd.dti(dt), again.dti(dt), c + ": decode target " + dt);
            assertEquals(dd.fdiffCount(), again.fdiffCount(), c.toString());
            for (int i = 0; i < dd.fdiffCount(); i++) assertEquals(dd.fdiff(i), again.fdiff(i), c.toString());
            assertEquals(dd.chainCount(), again.chainCount(), c.toString());
            for (int i = 0; i < dd.chainCount(); i++) assertEquals(dd.chainFdiff(i), again.chainFdiff(i), c.toString());
            assertTrue(length <= dd.dataLength() + 5, c + ": grows by 5 flag bits and the bitmask at most");
            s.adopt(dd);
            r.adopt(again);
            assertEquals(mask, r.activeDecodeTargets(), c.toString());
            added++;
        }
        assertTrue(added > 150, "descriptors rewritten: " + added);
    }

    @Test
    void shouldKeepTheNewerStructureWhenAnOlderKeyframeArrivesLate() {
        parse(DependencyDescriptorWriter.withStructure(true, 0, 500, DependencyDescriptorWriter.l1t3(0)));
        assertEquals(DependencyDescriptor.OK, parse(DependencyDescriptorWriter.withStructure(true, 0, 499, DependencyDescriptorWriter.l1t3(20))));
        assertEquals(0, stream.structure().templateIdOffset(), "libwebrtc's receiver drops an older keyframe's structure too");
        parse(DependencyDescriptorWriter.withStructure(true, 0, 2, DependencyDescriptorWriter.l1t3(20))); // 2 is before 500 too
        assertEquals(0, stream.structure().templateIdOffset());
        parse(DependencyDescriptorWriter.withStructure(true, 0, 501, DependencyDescriptorWriter.l1t3(20)));
        assertEquals(20, stream.structure().templateIdOffset());
        stream.clear();
        assertNull(stream.structure());
    }

    @Test
    void shouldRejectMalformedDescriptors() {
        assertEquals(DependencyDescriptor.TOO_SHORT, parse(new byte[] {(byte) 0x80, 0}));
        assertEquals(-1, dd.frameNumber());
        byte[] full = DependencyDescriptorWriter.withStructure(true, 0, 1, DependencyDescriptorWriter.l1t3(0));
        for (int cut = 4; cut < full.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(full, cut);
            assertEquals(DependencyDescriptor.OVERRUN, parse(shorter), "cut to " + cut + " bytes");
            assertNull(stream.structure(), "a structure cut short is never taken");
            assertEquals(-1, dd.temporalId());
        }
        assertEquals(DependencyDescriptor.OK, parse(full));
        assertEquals(DependencyDescriptor.UNKNOWN_TEMPLATE, parse(DependencyDescriptorWriter.mandatory(true, true, 5, 2)),
                "template 5 of a structure with 5");
        // 65 templates: template_layers() never says 3.
        DependencyDescriptorWriter many = new DependencyDescriptorWriter().mandatoryFields(true, true, 0, 3)
                .bits(1, 1).bits(0, 4).bits(0, 6).bits(0, 5);
        for (int i = 0; i < 65; i++) many.bits(0, 2);
        assertEquals(DependencyDescriptor.OVER_LIMIT, parse(many.bits(3, 2).toBytes()));
        assertEquals(0, stream.structure().templateIdOffset(), "the structure in force is kept");
        // Active decode targets before any structure: nothing to size them by.
        DependencyStream fresh = new DependencyStream();
        byte[] active = new DependencyDescriptorWriter().mandatoryFields(true, true, 0, 1).bits(0b01000, 5).bits(0b111, 3).toBytes();
        assertEquals(DependencyDescriptor.NO_STRUCTURE, dd.parse(Unpooled.wrappedBuffer(active), 0, active.length, fresh));
        assertEquals(1, dd.frameNumber(), "the mandatory fields are still read");
    }

    /**
     * Chromium's own descriptors for L1T3 (VP8 simulcast, VP9, AV1): every packet after its stream's first structure
     * reads; each structure has three decode targets going up to temporal layers 0, 1 and 2; the frames run the
     * L1T3 cycle 0-2-1-2 from each keyframe on; a frame is in no decode target below its temporal layer; and every
     * frame diff points at a frame of the same stream at or below the frame's own temporal layer, so what a
     * subscriber capped at a layer gets refers only to what it got.
     */
    @Test
    void shouldReadWhatChromiumSent() {
        java.util.Map<String, DependencyStream> streams = new java.util.HashMap<>();
        java.util.Map<String, java.util.Map<Integer, Integer>> temporalOfFrame = new java.util.HashMap<>();
        // Frames since the stream's last keyframe: counted, since Chromium's VP8 simulcast numbers the frames of its
        // encodings from one counter (a stream's own frame numbers step by the number of encodings).
        java.util.Map<String, Integer> framesSinceKeyframe = new java.util.HashMap<>();
        java.util.Map<String, Integer> lastFrame = new java.util.HashMap<>();
        java.util.Set<String> codecs = new java.util.TreeSet<>();
        int read = 0;
        for (DependencyDescriptorCaptures.Capture c : DependencyDescriptorCaptures.load()) {
            DependencyStream s = streams.computeIfAbsent(c.stream(), k -> new DependencyStream());
            int r = dd.parse(Unpooled.wrappedBuffer(c.bytes()), 0, c.bytes().length, s);
            assertEquals(((c.bytes()[1] & 0xFF) << 8) | (c.bytes()[2] & 0xFF), dd.frameNumber(), c.toString());
            assertEquals((c.bytes()[0] & 0x80) != 0, dd.startOfFrame(), c.toString());
            if (s.structure() == null && !dd.hasStructure()) {
                assertEquals(DependencyDescriptor.NO_STRUCTURE, r, c + ": before its stream's first structure");
                continue;
            }
            assertEquals(DependencyDescriptor.OK, r, c.toString());
            s.adopt(dd);
            read++;
            codecs.add(c.codec());
            DependencyStructure structure = dd.structure();
            assertEquals(3, structure.decodeTargetCount(), c.toString());
            for (int dt = 0; dt < 3; dt++) assertEquals(dt, structure.decodeTargetTemporalId(dt), c + ": decode target " + dt);
            int frame = dd.frameNumber();
            int tid = dd.temporalId();
            if (dd.hasStructure()) {
                framesSinceKeyframe.put(c.stream(), 0);
                if (!c.codec().equals("vp8")) assertIsL1T3(structure, c.toString());
            } else if (lastFrame.get(c.stream()) != frame) {
                framesSinceKeyframe.merge(c.stream(), 1, Integer::sum);
            }
            lastFrame.put(c.stream(), frame);
            int sinceKey = framesSinceKeyframe.get(c.stream());
            assertEquals(new int[] {0, 2, 1, 2}[sinceKey & 3], tid, c + ": frame " + sinceKey + " of the L1T3 cycle");
            for (int dt = 0; dt < tid; dt++) assertEquals(DependencyStructure.NOT_PRESENT, dd.dti(dt), c + ": decode target " + dt);
            java.util.Map<Integer, Integer> known = temporalOfFrame.computeIfAbsent(c.stream(), k -> new java.util.HashMap<>());
            known.put(frame, tid);
            for (int i = 0; i < dd.fdiffCount(); i++) {
                Integer referred = known.get((frame - dd.fdiff(i)) & 0xFFFF);
                if (referred != null) assertTrue(referred <= tid, c + ": refers to a frame of temporal layer " + referred);
            }
        }
        assertEquals(java.util.Set.of("av1", "vp8", "vp9"), codecs);
        assertTrue(read > 150, "packets read: " + read);
    }

    /** libwebrtc's L1T3 ({@link DependencyDescriptorWriter#l1t3}), template by template, with its one chain. */
    private static void assertIsL1T3(DependencyStructure s, String where) {
        Structure l1t3 = DependencyDescriptorWriter.l1t3(0);
        assertEquals(l1t3.templates().length, s.templateCount(), where);
        assertEquals(1, s.chainCount(), where);
        for (int t = 0; t < s.templateCount(); t++) {
            Template expected = l1t3.templates()[t];
            assertEquals(expected.temporalId(), s.templateTemporalId(t), where + " template " + t);
            for (int dt = 0; dt < 3; dt++) assertEquals(expected.dtis()[dt], s.templateDti(t, dt), where + " template " + t);
            assertEquals(expected.fdiffs().length, s.templateFdiffCount(t), where + " template " + t);
            for (int i = 0; i < expected.fdiffs().length; i++) assertEquals(expected.fdiffs()[i], s.templateFdiff(t, i), where);
            assertEquals(expected.chainFdiffs()[0], s.templateChainFdiff(t, 0), where + " template " + t);
        }
    }
}
