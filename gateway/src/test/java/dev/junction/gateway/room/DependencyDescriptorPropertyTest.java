package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.junction.codec.rtp.DependencyDescriptor;
import dev.junction.codec.rtp.DependencyDescriptorWriter;
import dev.junction.codec.rtp.DependencyStream;
import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: temporal layers through the dependency descriptor (AV1 RTP specification, appendix A), as property tests
 * with seeds, on the scaffolding of {@link TemporalLayerPropertyTest} ({@link LayeredStreamScenario}). A generated
 * three-layer simulcast publisher sends VP8 the way Chromium does once the descriptor is negotiated: no picture id or
 * temporal layer index in the VP8 payload descriptor, and a dependency descriptor on every packet with libwebrtc's
 * L1T3 templates. Each keyframe attaches the structure, half of them a new one (its template ids moved past the old
 * ones, as libwebrtc does); frame numbers
 * start anywhere, half the seeds just below their wrap; some temporal layer 0 frames also send the active decode
 * targets. The subscriber negotiated the descriptor too, and reads it as libwebrtc's receiver does: the structure
 * from the keyframe, and each frame's references as its frame number minus the template's frame diffs.
 *
 * <p>On a clean link (duplicates only) the subscriber must get one stream a decoder plays without a stall:
 * <ul>
 *   <li>sequence numbers without a gap, across temporal drops and simulcast switches;</li>
 *   <li>frame numbers that only go forward, across switches too (a structure from an older frame is dropped);</li>
 *   <li>every frame's references, in its own frame numbers, name frames it got whole before (so frames left out keep
 *       their numbers as gaps, and it switches up only at a keyframe or a Switch indication);</li>
 *   <li>no frame above the temporal cap in force when the frame arrived, and no active decode target above it, in
 *       the bitmasks it gets or in what it believes active after each packet (a cap change is told at once, in a
 *       bitmask added to the descriptors that had none).</li>
 * </ul>
 * On an impaired link (loss, reordering, duplicates) it must still never give one sequence number to two packets or
 * one frame number to two frames.
 */
class DependencyDescriptorPropertyTest {
    /** The VP8 payload descriptor without X (1 byte), the VP8 payload header byte, then the marker. */
    private static final int PAYLOAD = 12;
    /** Marker: layer, generation, frame (4), index, count. */
    private static final int MARKER = 2;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 24);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldSendADecodableGaplessStreamOnACleanLink(long seed) {
        new Scenario(seed, false).runAndCheck();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldNeverReuseANumberOnAnImpairedLink(long seed) {
        new Scenario(seed, true).runAndCheck();
    }

    /** One frame as the generator made it: its marker number, its frame number, layers and references. */
    private record Frame(int layer, int generation, int number, int frameNumber, int tid, boolean keyframe, int packets) {
        long key() {
            return LayeredStreamScenario.frameKey(layer, generation, number);
        }
    }

    /** One packet the subscriber got, with its descriptor as the subscriber reads it. */
    private record Out(int seq, int frameNumber, int read, int tid, int[] fdiffs, int activeMask, int knownActive, long frameKey,
            int index) {
        long identity() {
            return (frameKey << 8) | index;
        }
    }

    private static final class Scenario extends LayeredStreamScenario<Out> {
        final Map<Long, Frame> frames = new HashMap<>();
        /** Per layer: frames since its last keyframe, its next frame number, its structure's template id offset. */
        final int[] sinceKeyframe = new int[LAYERS];
        final int[] frameNumber = new int[LAYERS];
        final int[] templateOffset = new int[LAYERS];
        final RtpHeaderWriter header = new RtpHeaderWriter();

        Scenario(long seed, boolean impaired) {
            super(seed, impaired, "dd", true);
            assertTrue(pair.ddId() > 0 && pair.subscriberDdId() > 0, "the descriptor is negotiated on both legs");
            for (int l = 0; l < LAYERS; l++) {
                frameNumber[l] = random.nextBoolean() ? 0xFFFF - random.nextInt(100) : random.nextInt(0x10000);
                templateOffset[l] = random.nextInt(64);
            }
        }

        @Override
        long frameKey(ByteBuf packet) {
            int at = packet.writerIndex() - PAYLOAD + MARKER;
            return LayeredStreamScenario.frameKey(packet.getByte(at), packet.getByte(at + 1), packet.getInt(at + 2));
        }

        /**
         * One frame of L1T3 as libwebrtc sends it: a keyframe (template 0, the structure attached to its first packet),
         * then the cycle T0 T2 T1 T2 (templates 1, 3, 2, 4), with the frame diffs of the templates.
         */
        @Override
        void sendFrame(int layer) {
            boolean keyframe = framesToKeyframe[layer] <= 0;
            framesToKeyframe[layer] = keyframe ? 60 + random.nextInt(90) : framesToKeyframe[layer] - 1;
            if (keyframe) {
                sinceKeyframe[layer] = 0;
                // A new structure at some keyframes; libwebrtc moves its template ids past the old ones then
                // (RtpSenderVideo: the new offset is the old plus its template count), and keeps them otherwise.
                if (random.nextBoolean()) templateOffset[layer] = (templateOffset[layer] + 5) % 64;
            }
            DependencyDescriptorWriter.Structure structure = DependencyDescriptorWriter.l1t3(templateOffset[layer]);
            int template = sinceKeyframe[layer] == 0 ? 0 : DependencyDescriptorWriter.l1t3Template(sinceKeyframe[layer]);
            int tid = structure.templates()[template].temporalId();
            int number = frame[layer]++;
            int packets = 1 + random.nextInt(layer + 2);
            int fn = frameNumber[layer];
            Frame f = new Frame(layer, generation[layer], number, fn, tid, keyframe, packets);
            frames.put(f.key(), f);
            boolean active = tid == 0 && !keyframe && random.nextInt(5) == 0;
            for (int i = 0; i < packets; i++) {
                boolean first = i == 0;
                boolean last = i == packets - 1;
                byte[] dd = keyframe && first ? DependencyDescriptorWriter.withStructure(last, template, fn, structure)
                        : active && first ? DependencyDescriptorWriter.withActiveDecodeTargets(true, last, template, fn, structure, 0b111)
                        : DependencyDescriptorWriter.mandatory(first, last, (templateOffset[layer] + template) % 64, fn);
                ByteBuf p = Unpooled.buffer(64 + dd.length + PAYLOAD);
                header.start(p, 96, last, seq[layer], ts[layer], ssrc[layer]);
                header.startExtensions(true, 0);
                byte[] mid = "1".getBytes(StandardCharsets.US_ASCII);
                byte[] rid = RIDS[layer].getBytes(StandardCharsets.US_ASCII);
                header.addExtension(midId, mid, 0, mid.length);
                header.addExtension(ridId, rid, 0, rid.length);
                header.addExtension(pair.ddId(), dd, 0, dd.length);
                header.endExtensions();
                p.writeByte(first ? 0x10 : 0x00); // S on the first packet, PID 0, no X: no picture id, no TID
                p.writeByte(keyframe ? 0x00 : 0x01); // the VP8 payload header's P bit
                p.writeByte(layer).writeByte(generation[layer]).writeInt(number).writeByte(i).writeByte(packets);
                p.writeZero(PAYLOAD - 10);
                network.add(p);
                seq[layer] = (seq[layer] + 1) & 0xFFFF;
            }
            sinceKeyframe[layer]++;
            frameNumber[layer] = (fn + 1) & 0xFFFF;
            ts[layer] = (ts[layer] + 3000) & 0xFFFF_FFFFL;
        }

        /** What the subscriber got, its descriptors read in the order they were sent, as its receiver reads them. */
        @Override
        List<Out> received() {
            List<Out> out = new ArrayList<>();
            DependencyDescriptor dd = new DependencyDescriptor();
            DependencyStream stream = new DependencyStream();
            for (RtpPacket p : subSender.rtpWithSsrc(videoSlot().ssrc())) {
                long found = p.findExtension(pair.subscriberDdId());
                assertTrue(found != RtpPacket.NOT_FOUND, "seed " + seed + ": the subscriber gets the descriptor");
                int read = dd.parse(p.buffer(), RtpPacket.foundOffset(found), RtpPacket.foundLength(found), stream);
                if (read == DependencyDescriptor.OK) stream.adopt(dd);
                int[] fdiffs = new int[dd.fdiffCount()];
                for (int i = 0; i < fdiffs.length; i++) fdiffs[i] = dd.fdiff(i);
                ByteBuf b = p.buffer();
                int m = p.payloadOffset() + MARKER;
                out.add(new Out(p.sequenceNumber(), dd.frameNumber(), read, dd.temporalId(), fdiffs,
                        dd.hasActiveDecodeTargets() ? dd.activeDecodeTargets() : -1, stream.activeDecodeTargets(),
                        LayeredStreamScenario.frameKey(b.getByte(m), b.getByte(m + 1), b.getInt(m + 2)), b.getByte(m + 6)));
            }
            assertTrue(out.size() > 300, "seed " + seed + ": the subscriber got video: " + out.size());
            return out;
        }

        /** Numbers name one thing each; nothing above the cap, in frames or in active decode targets. */
        @Override
        void checkAlways(List<Out> out) {
            Map<Integer, Long> identityOfSeq = new HashMap<>();
            Map<Integer, Long> frameOfNumber = new HashMap<>();
            for (Out o : out) {
                String where = "seed " + seed + ": " + o;
                Long known = identityOfSeq.putIfAbsent(o.seq, o.identity());
                if (known != null && known != o.identity()) fail(where + ": sequence number already used for another packet");
                Long frameOf = frameOfNumber.putIfAbsent(o.frameNumber, o.frameKey);
                if (frameOf != null && frameOf != o.frameKey) fail(where + ": frame number already used for another frame");
                Frame f = frames.get(o.frameKey);
                if (o.read == DependencyDescriptor.OK) assertEquals(f.tid, o.tid, where);
                int cap = capAtArrival.get(o.frameKey);
                // Until a layer's structure arrives (its keyframe's first packet lost), its frames' layers are unknown.
                if (impaired && o.read != DependencyDescriptor.OK) continue;
                assertTrue(f.tid <= cap, where + ": temporal layer " + f.tid + " above the cap " + cap);
                if (o.activeMask >= 0 && cap < UNCAPPED) {
                    assertEquals(0, o.activeMask & ~((1 << (cap + 1)) - 1), where + ": active decode targets above the cap " + cap);
                }
            }
            assertTrue(room.counters().dropped(RoomDrop.TEMPORAL_LAYER) > 0, "seed " + seed + ": temporal layers were left out");
            // Where a new structure was lost, the packets after it name templates the old one lacks until the next.
            if (!impaired) assertEquals(0, room.counters().dropped(RoomDrop.MALFORMED_DEPENDENCY_DESCRIPTOR), "seed " + seed);
        }

        /** Gapless sequence numbers, frame numbers going forward, references to frames got whole, layers back up. */
        @Override
        void checkClean(List<Out> out) {
            List<Out> bySeq = new ArrayList<>(out);
            int base = out.get(0).seq;
            bySeq.sort(Comparator.comparingInt(o -> (o.seq - base) & 0xFFFF));
            Map<Integer, Long> frameOfNumber = new HashMap<>();
            Set<Long> whole = new HashSet<>();
            Map<Long, Integer> packetsOf = new HashMap<>();
            Out previous = null;
            long previousFrame = -1;
            boolean started = false;
            boolean leftOutBefore = false;
            int topLayerBack = 0;
            for (Out o : bySeq) {
                String where = "seed " + seed + ": " + o;
                Frame f = frames.get(o.frameKey);
                if (previous != null) {
                    int step = (o.seq - previous.seq) & 0xFFFF;
                    assertTrue(step == 0 || step == 1, where + ": a gap after sequence number " + previous.seq);
                    if (step == 0) continue; // a duplicate
                }
                if (o.frameKey != previousFrame) {
                    if (previous != null) {
                        assertTrue(SerialNumber.isNewer16(o.frameNumber, previous.frameNumber),
                                where + ": frame number " + o.frameNumber + " after " + previous.frameNumber);
                        Frame before = frames.get(previousFrame);
                        if (before.layer == f.layer && f.number > before.number + 1) leftOutBefore = true;
                    }
                    started |= f.keyframe;
                    if (started) {
                        assertEquals(DependencyDescriptor.OK, o.read, where + ": the subscriber reads it");
                        for (int fdiff : o.fdiffs) {
                            Long ref = frameOfNumber.get((o.frameNumber - fdiff) & 0xFFFF);
                            assertTrue(ref != null && whole.contains(ref) && frames.get(ref).layer == f.layer,
                                    where + ": refers to frame number " + ((o.frameNumber - fdiff) & 0xFFFF) + ", which it did not get whole");
                        }
                    }
                    if (f.tid == 2 && leftOutBefore) topLayerBack++;
                    previousFrame = o.frameKey;
                    frameOfNumber.put(o.frameNumber, o.frameKey);
                } else {
                    assertEquals(previous.frameNumber, o.frameNumber, where + ": one frame number per frame");
                }
                if (packetsOf.merge(o.frameKey, 1, Integer::sum) == f.packets) whole.add(o.frameKey);
                previous = o;
            }
            assertTrue(topLayerBack > 0, "seed " + seed + ": temporal layer 2 came back after frames were left out");
            // What the subscriber knows of the active decode targets (told as soon as its layer changes) never names a
            // decode target above the cap in force.
            int narrowed = 0;
            for (Out o : out) {
                if (o.read != DependencyDescriptor.OK) continue;
                int cap = capAtArrival.get(o.frameKey);
                if (cap < UNCAPPED) {
                    assertEquals(0, o.knownActive & ~((1 << (cap + 1)) - 1),
                            "seed " + seed + ": " + o + ": the subscriber believes decode targets above the cap " + cap + " active");
                }
                if (o.knownActive != 0b111) narrowed++;
            }
            assertTrue(narrowed > 0, "seed " + seed + ": the subscriber was told of fewer active decode targets");
        }
    }
}
