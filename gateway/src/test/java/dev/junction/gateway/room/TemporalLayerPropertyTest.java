package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.Vp8Descriptor;
import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: VP8 temporal layers, as property tests with seeds. A generated three-layer VP8 simulcast publisher sends
 * each layer with three temporal layers (the L1T3 pattern 0-2-1-2, as Chromium's VP8 simulcast does) and a full
 * payload descriptor: 15-bit picture ids and TL0PICIDX starting anywhere (some just below their wraps), layer-sync
 * bits (Y) on some frames only, and a reference structure to match (a frame without Y may refer to the last frame of
 * temporal layer 1). The viewer's spatial and temporal caps move at random.
 *
 * <p>On a clean link (duplicates only), what the subscriber receives must be one stream a decoder plays without a
 * stall:
 * <ul>
 *   <li>sequence numbers without a gap, and picture ids without a gap from frame to frame, across temporal drops and
 *       spatial switches alike;</li>
 *   <li>TL0PICIDX going up by one at each temporal layer 0 frame and staying put otherwise;</li>
 *   <li>every frame it gets can be decoded: everything it refers to was forwarded, whole, before it (so it switches up
 *       a temporal layer only at a layer-sync frame or a keyframe);</li>
 *   <li>no frame above the temporal cap in force when the frame arrived.</li>
 * </ul>
 * On an impaired link (loss, reordering, duplicates) it must still never give one sequence number or one picture id
 * to two different things, and keep each whole frame's packets consecutive.
 */
class TemporalLayerPropertyTest {
    /** Descriptor (6 bytes), the VP8 payload header byte, then a marker: layer, generation, frame (4), index, count. */
    private static final int PAYLOAD = 16;
    private static final int MARKER = 7;

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

    /** One frame as the generator made it. */
    private record Frame(int layer, int generation, int number, int tid, boolean sync, boolean keyframe, int[] refs, int packets) {
        long key() {
            return LayeredStreamScenario.frameKey(layer, generation, number);
        }
    }

    /** One packet the subscriber got: its numbers and, from the marker, which source packet it is. */
    private record Out(int seq, int picture, int tl0, int tid, long frameKey, int index, int count) {
        long identity() {
            return (frameKey << 8) | index;
        }
    }

    private static final class Scenario extends LayeredStreamScenario<Out> {
        final Map<Long, Frame> frames = new HashMap<>();
        final int[] pattern = new int[LAYERS];
        final int[] picture = new int[LAYERS];
        final int[] tl0 = new int[LAYERS];
        final int[] lastTl0 = new int[LAYERS];
        final int[] lastTl1 = new int[LAYERS];
        final double syncShare;

        Scenario(long seed, boolean impaired) {
            super(seed, impaired, "temporal", false);
            syncShare = 0.2 + random.nextDouble() * 0.6;
            for (int l = 0; l < LAYERS; l++) {
                picture[l] = random.nextBoolean() ? 0x7FFF - random.nextInt(100) : random.nextInt(0x8000);
                tl0[l] = random.nextInt(256);
            }
        }

        @Override
        long frameKey(ByteBuf packet) {
            int at = packet.writerIndex() - PAYLOAD + MARKER;
            return LayeredStreamScenario.frameKey(packet.getByte(at), packet.getByte(at + 1), packet.getInt(at + 2));
        }

        /**
         * One frame of the L1T3 pattern: TL0, TL2, TL1, TL2. A TL0 frame refers to the last TL0 frame; the first TL2 and
         * the TL1 frame refer to TL0 only when they carry Y, else also to the last TL1 frame; the second TL2 refers to
         * the TL1 frame before it. A keyframe refers to nothing and starts the pattern again.
         */
        @Override
        void sendFrame(int layer) {
            boolean keyframe = framesToKeyframe[layer] <= 0;
            framesToKeyframe[layer] = keyframe ? 60 + random.nextInt(90) : framesToKeyframe[layer] - 1;
            if (keyframe) pattern[layer] = 0;
            int number = frame[layer]++;
            int tid;
            boolean sync = false;
            int[] refs;
            switch (pattern[layer]) {
                case 0 -> {
                    tid = 0;
                    refs = keyframe ? new int[0] : new int[] {lastTl0[layer]};
                    lastTl0[layer] = number;
                    tl0[layer] = (tl0[layer] + 1) & 0xFF;
                    if (keyframe) lastTl1[layer] = -1;
                }
                case 2 -> {
                    tid = 1;
                    sync = lastTl1[layer] < 0 || random.nextDouble() < syncShare;
                    refs = sync ? new int[] {lastTl0[layer]} : new int[] {lastTl0[layer], lastTl1[layer]};
                    lastTl1[layer] = number;
                }
                case 1 -> {
                    tid = 2;
                    sync = lastTl1[layer] < 0 || random.nextDouble() < syncShare;
                    refs = sync ? new int[] {lastTl0[layer]} : new int[] {lastTl0[layer], lastTl1[layer]};
                }
                default -> {
                    tid = 2;
                    refs = new int[] {lastTl1[layer]};
                }
            }
            pattern[layer] = (pattern[layer] + 1) % 4;
            int packets = 1 + random.nextInt(layer + 2);
            Frame f = new Frame(layer, generation[layer], number, tid, sync, keyframe, refs, packets);
            frames.put(f.key(), f);
            for (int i = 0; i < packets; i++) {
                ByteBuf p = RoomFixtures.rtpWithText(96, seq[layer], ts[layer], ssrc[layer], PAYLOAD, new int[] {midId, ridId},
                        new String[] {"1", RIDS[layer]});
                int at = p.writerIndex() - PAYLOAD;
                p.setByte(at, 0x80 | (i == 0 ? 0x10 : 0)); // X, S on the first packet, PID 0
                p.setByte(at + 1, 0xE0); // I, L, T
                p.setByte(at + 2, 0x80 | (picture[layer] >>> 8));
                p.setByte(at + 3, picture[layer] & 0xFF);
                p.setByte(at + 4, tl0[layer]);
                p.setByte(at + 5, (tid << 6) | (sync ? 0x20 : 0));
                p.setByte(at + 6, keyframe ? 0x00 : 0x01); // the VP8 payload header's P bit
                p.setByte(at + MARKER, layer);
                p.setByte(at + MARKER + 1, generation[layer]);
                p.setInt(at + MARKER + 2, number);
                p.setByte(at + MARKER + 6, i);
                p.setByte(at + MARKER + 7, packets);
                network.add(p);
                seq[layer] = (seq[layer] + 1) & 0xFFFF;
            }
            picture[layer] = (picture[layer] + 1) & 0x7FFF;
            ts[layer] = (ts[layer] + 3000) & 0xFFFF_FFFFL;
        }

        @Override
        List<Out> received() {
            List<Out> out = new ArrayList<>();
            Vp8Descriptor d = new Vp8Descriptor();
            for (RtpPacket p : subSender.rtpWithSsrc(videoSlot().ssrc())) {
                ByteBuf b = p.buffer();
                int at = p.payloadOffset();
                assertTrue(d.parse(b, at, p.payloadLength()), "seed " + seed + ": a descriptor the subscriber can read");
                int m = at + MARKER;
                out.add(new Out(p.sequenceNumber(), d.pictureId(), d.tl0PicIdx(), d.temporalLayer(),
                        LayeredStreamScenario.frameKey(b.getByte(m), b.getByte(m + 1), b.getInt(m + 2)), b.getByte(m + 6), b.getByte(m + 7)));
            }
            assertTrue(out.size() > 300, "seed " + seed + ": the subscriber got video: " + out.size());
            return out;
        }

        /** Numbers name one thing each; a frame that came whole came consecutive; nothing above the cap but late syncs. */
        @Override
        void checkAlways(List<Out> out) {
            Map<Integer, Long> identityOfSeq = new HashMap<>();
            Map<Integer, Long> frameOfPicture = new HashMap<>();
            Map<Long, Map<Integer, Integer>> seqsOfFrame = new HashMap<>();
            for (Out o : out) {
                String where = "seed " + seed + ": " + o;
                Long known = identityOfSeq.putIfAbsent(o.seq, o.identity());
                if (known != null && known != o.identity()) fail(where + ": sequence number already used for another packet");
                Long pictureOf = frameOfPicture.putIfAbsent(o.picture, o.frameKey);
                if (pictureOf != null && pictureOf != o.frameKey) fail(where + ": picture id already used for another frame");
                seqsOfFrame.computeIfAbsent(o.frameKey, k -> new HashMap<>()).put(o.index, o.seq);
                Frame f = frames.get(o.frameKey);
                assertEquals(f.tid, o.tid, where);
                int cap = capAtArrival.get(o.frameKey);
                if (!impaired) assertTrue(f.tid <= cap, where + ": temporal layer " + f.tid + " above the cap " + cap);
                else assertTrue(f.tid <= cap || f.sync, where + ": temporal layer " + f.tid + " above the cap " + cap + " and no sync");
            }
            for (Map.Entry<Long, Map<Integer, Integer>> e : seqsOfFrame.entrySet()) {
                Frame f = frames.get(e.getKey());
                if (e.getValue().size() < f.packets) continue;
                int first = e.getValue().get(0);
                for (int i = 1; i < f.packets; i++) {
                    assertEquals((first + i) & 0xFFFF, (int) e.getValue().get(i), "seed " + seed + ": packet " + i + " of " + f);
                }
            }
            assertTrue(room.counters().dropped(RoomDrop.TEMPORAL_LAYER) > 0, "seed " + seed + ": temporal layers were left out");
        }

        /** Gapless numbers, TL0PICIDX steps, decodable frames, and temporal layers that really came back up. */
        @Override
        void checkClean(List<Out> out) {
            List<Out> bySeq = new ArrayList<>(out);
            int base = out.get(0).seq;
            bySeq.sort(Comparator.comparingInt(o -> (o.seq - base) & 0xFFFF));
            Set<Long> whole = new HashSet<>();
            Map<Long, Integer> packetsOf = new HashMap<>();
            Out previous = null;
            Frame previousFrame = null;
            boolean leftOutBefore = false;
            int topLayerBack = 0;
            // A fresh slot starts at once, before its first keyframe: what it can decode starts there.
            boolean started = false;
            for (Out o : bySeq) {
                String where = "seed " + seed + ": " + o;
                Frame f = frames.get(o.frameKey);
                if (previous != null) {
                    int step = (o.seq - previous.seq) & 0xFFFF;
                    assertTrue(step == 0 || step == 1, where + ": a gap after sequence number " + previous.seq);
                    if (step == 0) continue; // a duplicate
                }
                if (previousFrame == null || o.frameKey != previousFrame.key()) {
                    if (previous != null) {
                        assertEquals((previous.picture + 1) & 0x7FFF, o.picture, where + ": the picture id after " + previous.picture);
                        int tl0Step = (o.tl0 - previous.tl0) & 0xFF;
                        assertEquals(f.tid == 0 ? 1 : 0, tl0Step, where + ": TL0PICIDX after " + previous.tl0);
                        if (previousFrame.layer == f.layer && previousFrame.generation == f.generation && f.number > previousFrame.number + 1) {
                            leftOutBefore = true;
                        }
                    }
                    started |= f.keyframe;
                    for (int r : started ? f.refs : new int[0]) {
                        long ref = LayeredStreamScenario.frameKey(f.layer, f.generation, r);
                        assertTrue(whole.contains(ref), where + ": refers to frame " + r + " of layer " + f.layer
                                + ", which it did not get whole (" + f + ")");
                    }
                    if (f.tid == 2 && leftOutBefore) topLayerBack++;
                    previousFrame = f;
                } else {
                    assertEquals(previous.picture, o.picture, where + ": one picture id per frame");
                }
                int n = packetsOf.merge(o.frameKey, 1, Integer::sum);
                if (n == f.packets) whole.add(o.frameKey);
                previous = o;
            }
            assertTrue(topLayerBack > 0, "seed " + seed + ": temporal layer 2 came back after frames were left out");
        }
    }
}
