package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.codec.rtp.DependencyDescriptorWriter;
import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a room does with a publisher's dependency descriptors that it cannot use (issue 11): one that does not parse
 * drops its packet, counted, as libwebrtc's receiver would; one that arrives before its layer's structure is forwarded
 * as it is, and the structure's keyframe is asked for, at most every 500 ms.
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
        ByteBuf p = Unpooled.buffer(128);
        RtpHeaderWriter header = new RtpHeaderWriter();
        header.start(p, 96, true, seq++, 9000L * seq, SSRC);
        header.startExtensions(true, 0);
        byte[] mid = "1".getBytes(StandardCharsets.US_ASCII);
        byte[] rid = "f".getBytes(StandardCharsets.US_ASCII);
        header.addExtension(pair.midId(), mid, 0, mid.length);
        header.addExtension(pair.ridId(), rid, 0, rid.length);
        header.addExtension(pair.ddId(), dd, 0, dd.length);
        header.endExtensions();
        p.writeByte(0x10).writeByte(0x01).writeZero(8); // VP8: S, a delta frame
        try {
            pair.publisher().handleRtp(p, nowNs);
        } finally {
            p.release();
        }
    }

    private int forwarded() {
        long ssrc = pair.subscriber().slots().stream().filter(s -> s.kind() == MediaKind.VIDEO).findFirst().orElseThrow().ssrc();
        return subSender.rtpWithSsrc(ssrc).size();
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
