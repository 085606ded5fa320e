package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtp.DependencyDescriptor;
import dev.junction.codec.rtp.DependencyDescriptorWriter;
import dev.junction.codec.rtp.DependencyStream;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a room does with a publisher's dependency descriptors that it cannot use (issue 11): one that does not parse
 * drops its packet, counted, as libwebrtc's receiver would; one that arrives before its layer's structure is forwarded
 * as it is, and the structure's keyframe is asked for, at most every 500 ms. And what it tells a capped subscriber
 * of the active decode targets (A.8.2), packet by packet.
 */
class DependencyDescriptorRoomTest {
    private static final long MS = 1_000_000L;
    private static final long SSRC = 0x1234_5678L;

    private long nowNs = 1_000_000_000_000L;
    private final List<Room> emptied = new ArrayList<>();
    private final Room room = new Room("dd", PooledByteBufAllocator.DEFAULT, emptied::add, new SplittableRandom(1),
            LayeredStreamScenario.UNIX_OFFSET_NS);
    private final RecordingSender pubSender = new RecordingSender();
    private final RecordingSender subSender = new RecordingSender();
    private final RoomFixtures.SimulcastPair pair = RoomFixtures.simulcastPair(room, pubSender, subSender, nowNs, true);
    private int seq = 100;

    @AfterEach
    void close() {
        room.close(nowNs);
        pubSender.close();
        subSender.close();
    }

    private void send(byte[] dd) {
        seq++;
        ByteBuf p = RoomFixtures.dependencyDescriptorPacket(pair, seq - 1, 9000L * seq, SSRC, dd, 8);
        try {
            pair.publisher().handleRtp(p, nowNs);
        } finally {
            p.release();
        }
    }

    private Slot videoSlot() {
        return pair.subscriber().slots().stream().filter(s -> s.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
    }

    private int forwarded() {
        return subSender.rtpWithSsrc(videoSlot().ssrc()).size();
    }

    /**
     * Each packet the subscriber got, read in order as its receiver reads it: "frame number: the active decode
     * targets it sends (- for none) / those the receiver then believes active".
     */
    private List<String> toldActive() {
        List<String> told = new ArrayList<>();
        DependencyDescriptor dd = new DependencyDescriptor();
        DependencyStream stream = new DependencyStream();
        for (RtpPacket p : subSender.rtpWithSsrc(videoSlot().ssrc())) {
            long found = p.findExtension(pair.subscriberDdId());
            assertEquals(DependencyDescriptor.OK, dd.parse(p.buffer(), RtpPacket.foundOffset(found), RtpPacket.foundLength(found), stream));
            stream.adopt(dd);
            told.add(dd.frameNumber() + ": " + (dd.hasActiveDecodeTargets() ? Integer.toBinaryString(dd.activeDecodeTargets()) : "-")
                    + "/" + Integer.toBinaryString(stream.activeDecodeTargets()));
        }
        return told;
    }

    @Test
    void shouldTellTheActiveDecodeTargetsInTheNextThreeFramesAndNeverInALatePacketOfAnOlderFrame() {
        DependencyDescriptorWriter.Structure l1t3 = DependencyDescriptorWriter.l1t3(0);
        videoSlot().setPreference(new ViewerPreference(ViewerPreference.NONE, null, 1, ViewerPreference.NONE), nowNs);
        send(DependencyDescriptorWriter.withStructure(true, 0, 10, l1t3)); // the keyframe: T0+T1 of its structure's all
        send(DependencyDescriptorWriter.mandatory(true, true, 3, 11)); // T2: left out
        send(DependencyDescriptorWriter.mandatory(true, false, 2, 12)); // T1, its first packet
        videoSlot().setPreference(new ViewerPreference(ViewerPreference.NONE, null, ViewerPreference.NONE, ViewerPreference.NONE), nowNs);
        send(DependencyDescriptorWriter.mandatory(true, true, 4, 13)); // T2, not a switch for T0+T1+T2: left out
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 14)); // T0, a switch: T2 is received from here
        send(DependencyDescriptorWriter.mandatory(false, true, 2, 12)); // the rest of frame 12, late: decided under T1
        send(DependencyDescriptorWriter.mandatory(true, false, 3, 15)); // two packets of one frame...
        send(DependencyDescriptorWriter.mandatory(false, true, 3, 15));
        send(DependencyDescriptorWriter.mandatory(true, true, 2, 16));
        send(DependencyDescriptorWriter.mandatory(true, true, 4, 17)); // ...the window of three frames is over
        assertEquals(List.of("10: 11/11", "12: 11/11", "14: 111/111", "12: -/111", "15: 111/111", "15: 111/111", "16: 111/111", "17: -/111"),
                toldActive());
        // The keyframe again, late (a duplicate): its structure makes all active again for a receiver, which is what
        // the subscriber has now, so nothing is added to it. Capped again at T0, its duplicate is narrowed to what both
        // its own frame (T1) and today's cap allow, and the next three frames tell T0 alone again.
        send(DependencyDescriptorWriter.withStructure(true, 0, 10, l1t3));
        videoSlot().setPreference(new ViewerPreference(ViewerPreference.NONE, null, 0, ViewerPreference.NONE), nowNs);
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 18)); // T0: the cap is told
        send(DependencyDescriptorWriter.withStructure(true, 0, 10, l1t3));
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 22));
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 26));
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 30));
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 34));
        assertEquals(List.of("10: -/111", "18: 1/1", "10: 1/1", "22: 1/1", "26: 1/1", "30: 1/1", "34: -/1"),
                toldActive().subList(8, 15));
        assertEquals(0, room.counters().activeDecodeTargetsUntold());
        assertTrue(room.counters().dropped(RoomDrop.TEMPORAL_LAYER) == 2, "frames 11 and 13 were left out");
    }

    @Test
    void shouldDropAndCountADescriptorThatDoesNotParse() {
        DependencyDescriptorWriter.Structure l1t3 = DependencyDescriptorWriter.l1t3(0);
        send(DependencyDescriptorWriter.withStructure(true, 0, 1, l1t3));
        assertEquals(1, forwarded());
        send(new byte[] {(byte) 0xC1, 0}); // cut short: two bytes of the three mandatory ones
        byte[] cut = DependencyDescriptorWriter.withStructure(true, 0, 3, l1t3);
        send(java.util.Arrays.copyOf(cut, cut.length - 6)); // a structure cut short
        assertEquals(1, forwarded(), "neither reaches the subscriber");
        assertEquals(2, room.counters().dropped(RoomDrop.MALFORMED_DEPENDENCY_DESCRIPTOR));
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 4));
        assertEquals(2, forwarded(), "the structure in force still reads the next");
    }

    @Test
    void shouldForwardBeforeTheStructureAndAskForItsKeyframe() {
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 7));
        assertEquals(1, forwarded(), "forwarded unfiltered: its temporal layer is unknown");
        assertEquals(1, room.counters().keyframeRequests(KeyframeCause.DEPENDENCY_STRUCTURE));
        nowNs += 100 * MS;
        send(DependencyDescriptorWriter.mandatory(true, true, 1, 8));
        assertEquals(1, room.counters().keyframeRequests(KeyframeCause.DEPENDENCY_STRUCTURE), "not again within 500 ms");
        nowNs += 500 * MS;
        send(DependencyDescriptorWriter.mandatory(true, true, 44, 9)); // a template of a structure it never got
        assertEquals(2, room.counters().keyframeRequests(KeyframeCause.DEPENDENCY_STRUCTURE));
        assertEquals(0, room.counters().dropped(RoomDrop.MALFORMED_DEPENDENCY_DESCRIPTOR), "without a structure nothing names no template");
        assertEquals(3, forwarded());
    }
}
