package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.SerialNumber;
import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: deterministic replay tests of simulcast layer switching, as property tests with seeds. A generated
 * three-layer VP8 simulcast publisher (30 frames per second per layer, 1-3 packets per frame, keyframes every few
 * seconds and soon after a PLI) goes through an impaired link (loss, reordering, duplicates) into a room whose
 * subscriber's layer cap moves up and down at random. On the way: the middle layer stops and comes back, the top
 * layer's encoder restarts with a new SSRC, sequence numbers and timestamps start just below their wrap, and the top
 * layer never sends a Sender Report. Whatever the seed, what the subscriber receives must be one plausible stream:
 * <ul>
 *   <li>across every switch, the first packet of the new source continues the numbering (the highest sequence
 *       number so far + 1): no gap a decoder would freeze on;</li>
 *   <li>no sequence number ever names two different source packets (a late packet of the new source from before
 *       the switch must not take a number the old source already used);</li>
 *   <li>within a source, the rewrite is one fixed offset;</li>
 *   <li>in sequence order, timestamps never run backwards;</li>
 *   <li>after every switch from one layer to another, and after a restart of the layer's encoder, the first packet
 *       is the start of a keyframe.</li>
 * </ul>
 * Each seed must also really switch, up and down, or the properties prove nothing.
 */
class LayerSwitchPropertyTest {
    private static final long MS = 1_000_000L;
    private static final long UNIX_OFFSET_NS = 1_700_000_000_000_000_000L - 1_000_000_000_000L;
    private static final int LAYERS = 3;
    private static final String[] RIDS = {"q", "h", "f"};
    /** Marker bytes after the VP8 descriptor and header: layer, generation, frame (4), packet index. */
    private static final int PAYLOAD = 16;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 32);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldKeepOneContinuousDecodableStreamAcrossEverySwitch(long seed) {
        Scenario s = new Scenario(seed);
        try {
            s.run();
            s.check();
            // Keyframe requests by cause: the cap moves every 1.5 s, and every switch waits for its layer's keyframe.
            assertTrue(s.room.counters().keyframeRequests(KeyframeCause.SWITCH) > 0, "switches asked for keyframes");
        } finally {
            s.close();
        }
    }

    /** One source packet, as the payload marker names it. */
    private record Source(int layer, int generation, int frame, int index, boolean keyframeStart) {
        long identity() {
            return ((long) layer << 56) | ((long) generation << 48) | ((long) frame << 8) | index;
        }
    }

    private static final class Scenario {
        final long seed;
        final SplittableRandom random;
        long nowNs = 1_000_000_000_000L;
        final List<Room> emptied = new ArrayList<>();
        final Room room;
        final RecordingSender pubSender = new RecordingSender();
        final RecordingSender subSender = new RecordingSender();
        final Publisher publisher;
        final Subscriber subscriber;
        final int midId;
        final int ridId;
        final Deque<ByteBuf> network = new ArrayDeque<>();
        // Per layer: the encoder's state.
        final long[] ssrc = new long[LAYERS];
        final int[] seq = new int[LAYERS];
        final long[] ts = new long[LAYERS];
        final int[] generation = new int[LAYERS];
        final int[] frame = new int[LAYERS];
        final int[] framesToKeyframe = new int[LAYERS];
        int plisSeen;
        final double loss;
        final double reorder;
        final double duplicate;

        Scenario(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            room = new Room("switch-" + seed, PooledByteBufAllocator.DEFAULT, emptied::add, new SplittableRandom(seed), UNIX_OFFSET_NS);
            RoomFixtures.SimulcastPair pair = RoomFixtures.simulcastPair(room, pubSender, subSender, nowNs);
            publisher = pair.publisher();
            subscriber = pair.subscriber();
            midId = pair.midId();
            ridId = pair.ridId();
            loss = random.nextDouble() * 0.05;
            reorder = random.nextDouble() * 0.05;
            duplicate = random.nextDouble() * 0.03;
            for (int l = 0; l < LAYERS; l++) {
                ssrc[l] = 0x1000_0000L * (l + 1) + random.nextInt(1 << 20);
                // Half the seeds start just below the wraps, so the switches cross them.
                seq[l] = random.nextBoolean() ? 0xFFFF - random.nextInt(200) : random.nextInt(0x10000);
                ts[l] = random.nextBoolean() ? 0xFFFF_FFFFL - random.nextInt(300_000) : random.nextLong(1L << 32);
                framesToKeyframe[l] = 0;
            }
        }

        Slot videoSlot() {
            return subscriber.slots().stream().filter(x -> x.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
        }

        void run() {
            int ticks = 600; // 20 s at 30 fps
            int middleStops = 150 + random.nextInt(100);
            int middleReturns = middleStops + 60 + random.nextInt(120);
            int topRestarts = 200 + random.nextInt(250);
            for (int tick = 0; tick < ticks; tick++) {
                nowNs += 33 * MS;
                if (room.nextTimeoutNs() - nowNs <= 0) room.handleTimeout(nowNs);
                if (tick % 45 == 0 && tick > 0) {
                    // The viewer's cap moves: all layers, or down to one of them.
                    int cap = random.nextInt(LAYERS + 1);
                    Consumer c = videoSlot().consumer();
                    if (c != null) c.setMaxLayer(cap == LAYERS ? Integer.MAX_VALUE : cap, nowNs);
                }
                if (tick == topRestarts) restart(2);
                answerKeyframeRequests();
                for (int l = 0; l < LAYERS; l++) {
                    if (l == 1 && tick >= middleStops && tick < middleReturns) continue;
                    sendFrame(l);
                }
                if (tick % 30 == 0) {
                    // Sender Reports for q and h only: f's mapping stays unknown.
                    for (int l = 0; l < 2; l++) senderReport(l);
                }
                deliver(random.nextInt(4) == 0 ? network.size() : network.size() / 2);
            }
            deliver(network.size());
        }

        /** A restarted encoder: a new SSRC, new numbering, and a keyframe first. */
        void restart(int layer) {
            ssrc[layer] += 0x10;
            generation[layer]++;
            seq[layer] = random.nextInt(0x10000);
            ts[layer] = random.nextLong(1L << 32);
            framesToKeyframe[layer] = 0;
        }

        /** A PLI to the publisher makes that layer send a keyframe within 1-3 frames, as a browser does. */
        void answerKeyframeRequests() {
            // Only the RTCP sent since the last look: the whole list each tick made the test quadratic.
            for (long asked : pubSender.pliMediaSsrcs(plisSeen)) {
                for (int l = 0; l < LAYERS; l++) {
                    if (asked == ssrc[l] && framesToKeyframe[l] > 3) framesToKeyframe[l] = 1 + random.nextInt(3);
                }
            }
            plisSeen = pubSender.rtcp.size();
        }

        void sendFrame(int layer) {
            boolean keyframe = framesToKeyframe[layer] <= 0;
            framesToKeyframe[layer] = keyframe ? 60 + random.nextInt(90) : framesToKeyframe[layer] - 1;
            int packets = layer + 1;
            for (int i = 0; i < packets; i++) {
                ByteBuf p = RoomFixtures.rtpWithText(96, seq[layer], ts[layer], ssrc[layer], PAYLOAD, new int[] {midId, ridId},
                        new String[] {"1", RIDS[layer]});
                int start = p.writerIndex() - PAYLOAD;
                // VP8 descriptor: S=1 on a frame's first packet (RFC 7741 §4.2); then P=0 for a keyframe (§4.3).
                p.setByte(start, i == 0 ? 0x10 : 0x00);
                p.setByte(start + 1, keyframe ? 0x00 : 0x01);
                p.setByte(start + 2, layer);
                p.setByte(start + 3, generation[layer]);
                p.setInt(start + 4, frame[layer]);
                p.setByte(start + 8, i);
                network.add(p);
                seq[layer] = (seq[layer] + 1) & 0xFFFF;
            }
            frame[layer]++;
            ts[layer] = (ts[layer] + 3000) & 0xFFFF_FFFFL;
        }

        void senderReport(int layer) {
            ByteBuf sr = Unpooled.buffer();
            SenderReport.write(sr, ssrc[layer], room.ntpTimestamp(nowNs), ts[layer], frame[layer], frame[layer] * 100L, 0);
            try {
                publisher.handleRtcp(sr, nowNs);
            } finally {
                sr.release();
            }
        }

        /** Moves {@code n} packets from the network into the room: some lost, some swapped with the next, some twice. */
        void deliver(int n) {
            for (int i = 0; i < n && !network.isEmpty(); i++) {
                ByteBuf p = network.poll();
                if (random.nextDouble() < reorder && !network.isEmpty()) {
                    ByteBuf next = network.poll();
                    network.addFirst(p);
                    p = next;
                }
                if (random.nextDouble() < loss) {
                    p.release();
                    continue;
                }
                if (random.nextDouble() < duplicate) feed(p.copy());
                feed(p);
            }
        }

        void feed(ByteBuf packet) {
            try {
                publisher.handleRtp(packet, nowNs);
            } finally {
                packet.release();
            }
        }

        void check() {
            List<RtpPacket> out = subSender.rtpWithSsrc(videoSlot().ssrc());
            assertTrue(out.size() > 500, "seed " + seed + ": the subscriber got video: " + out.size());
            Map<Integer, Long> identityOfSeq = new HashMap<>();
            Map<Long, Integer> offsetOfSource = new HashMap<>();
            int highestSeq = -1;
            long highestTs = -1;
            Source previous = null;
            int ups = 0;
            int downs = 0;
            for (int i = 0; i < out.size(); i++) {
                RtpPacket p = out.get(i);
                Source s = source(p);
                String where = "seed " + seed + ", packet " + i + " " + s + " seq " + p.sequenceNumber() + " ts " + p.timestamp();
                Long known = identityOfSeq.putIfAbsent(p.sequenceNumber(), s.identity());
                if (known != null && known != s.identity()) {
                    fail(where + ": sequence number already used for another source packet (" + Long.toHexString(known) + ")");
                }
                long sourceKey = ((long) s.layer << 8) | s.generation;
                int offset = (p.sequenceNumber() - ordinal(s)) & 0xFFFF;
                boolean newSource = previous == null || previous.layer != s.layer || previous.generation != s.generation;
                if (newSource && previous != null) {
                    assertEquals((highestSeq + 1) & 0xFFFF, p.sequenceNumber(), where + ": the new source continues the numbering");
                    // A switch of layer, or the same layer's restarted encoder: either way a new stream for the decoder.
                    assertTrue(s.keyframeStart, where + ": the new source after layer " + previous.layer + " generation "
                            + previous.generation + " starts with a keyframe");
                    if (s.layer > previous.layer) ups++;
                    else if (s.layer < previous.layer) downs++;
                    offsetOfSource.put(sourceKey, offset);
                } else {
                    Integer expected = offsetOfSource.putIfAbsent(sourceKey, offset);
                    if (expected != null && !newSource) {
                        assertEquals((int) expected, offset, where + ": one fixed sequence offset per source");
                    }
                }
                if (highestSeq < 0 || SerialNumber.isNewer16(p.sequenceNumber(), highestSeq)) {
                    if (highestTs >= 0) {
                        long delta = (p.timestamp() - highestTs) & 0xFFFF_FFFFL;
                        assertTrue(delta < 0x8000_0000L, where + ": timestamp ran backwards from " + highestTs);
                    }
                    highestSeq = p.sequenceNumber();
                    highestTs = p.timestamp();
                }
                previous = s;
            }
            assertTrue(ups >= 2 && downs >= 2, "seed " + seed + ": the scenario switched up " + ups + " and down " + downs + " times");
        }

        /**
         * The generator numbers each layer's packets consecutively ({@code layer + 1} per frame), so within one source
         * the source sequence number is a constant plus this ordinal.
         */
        static int ordinal(Source s) {
            return (s.frame * (s.layer + 1) + s.index) & 0xFFFF;
        }

        static Source source(RtpPacket p) {
            int at = p.payloadOffset();
            ByteBuf b = p.buffer();
            boolean start = (b.getByte(at) & 0x10) != 0;
            boolean key = start && (b.getByte(at + 1) & 0x01) == 0;
            return new Source(b.getByte(at + 2), b.getByte(at + 3), b.getInt(at + 4), b.getByte(at + 8), key);
        }

        void close() {
            room.close(nowNs);
            while (!network.isEmpty()) network.poll().release();
            pubSender.close();
            subSender.close();
        }
    }
}
