package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the dependency descriptor reader: any bytes, read against a stream whose structure is
 * libwebrtc's L1T3 or whatever the fuzzer attached before, never throw, and what reads as {@link DependencyDescriptor#OK}
 * is within the format's bounds (the template a frame names exists, its indications are 2-bit values, its frame diffs
 * 1 to 4096) and reads the same again. A structure that did not parse is never taken. In the default test run Jazzer
 * replays the seeds in {@code DependencyDescriptorFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class DependencyDescriptorFuzzTest {
    private final DependencyDescriptor dd = new DependencyDescriptor();
    private final DependencyDescriptor again = new DependencyDescriptor();

    @FuzzTest(maxDuration = "60s")
    void readsAnyDescriptors(FuzzedDataProvider data) {
        DependencyStream stream = new DependencyStream();
        if (data.consumeBoolean()) {
            byte[] l1t3 = DependencyDescriptorWriter.withStructure(true, 0, 0, DependencyDescriptorWriter.l1t3(data.consumeInt(0, 63)));
            assertEquals(DependencyDescriptor.OK, dd.parse(Unpooled.wrappedBuffer(l1t3), 0, l1t3.length, stream));
            stream.adopt(dd);
        }
        while (data.remainingBytes() > 0) {
            byte[] bytes = data.consumeBytes(data.consumeInt(0, 64));
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            DependencyStructure before = stream.structure();
            int r = dd.parse(buf, 0, bytes.length, stream);
            assertTrue(r >= DependencyDescriptor.OK && r <= DependencyDescriptor.OVER_LIMIT, "result " + r);
            if (r > DependencyDescriptor.NO_STRUCTURE) {
                assertEquals(-1, dd.frameNumber(), "nothing is reported of a descriptor that failed");
                assertEquals(before, stream.structure(), "a failed descriptor changes nothing");
                continue;
            }
            assertEquals(bytes[1] & 0xFF, dd.frameNumber() >>> 8);
            if (r == DependencyDescriptor.NO_STRUCTURE) continue;
            DependencyStructure s = dd.structure();
            assertTrue(s.templateCount() >= 1 && s.templateCount() <= DependencyStructure.MAX_TEMPLATES);
            assertTrue(s.decodeTargetCount() >= 1 && s.decodeTargetCount() <= DependencyStructure.MAX_DECODE_TARGETS);
            assertTrue(s.chainCount() <= s.decodeTargetCount());
            assertTrue(dd.temporalId() >= 0 && dd.temporalId() <= s.maxTemporalId());
            for (int dt = 0; dt < dd.decodeTargetCount(); dt++) assertTrue(dd.dti(dt) >= 0 && dd.dti(dt) <= 3);
            for (int i = 0; i < dd.fdiffCount(); i++) assertTrue(dd.fdiff(i) >= 1 && dd.fdiff(i) <= 4096);
            int frameNumber = dd.frameNumber();
            int temporal = dd.temporalId();
            if (!dd.hasStructure()) {
                assertEquals(DependencyDescriptor.OK, again.parse(buf, 0, bytes.length, stream), "the same bytes read the same");
                assertEquals(frameNumber, again.frameNumber());
                assertEquals(temporal, again.temporalId());
            }
            stream.adopt(dd);
        }
    }
}
