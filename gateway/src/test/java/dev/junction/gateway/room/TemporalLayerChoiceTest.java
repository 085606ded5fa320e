package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.Vp8Descriptor;
import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a Consumer picks its VP8 temporal layer from its share of the estimate when even its lowest spatial layer
 * is too much, with the same hysteresis as its spatial layer, and then forwards only that layer's frames. One layer
 * (rid q) of a VP8 publisher with the L1T3 pattern at 30 fps: temporal layer 0 carries 60 kbit/s of payload, 0-1
 * 90 kbit/s, all 120 kbit/s (plus headers), measured by the Producer over 1 s.
 */
class TemporalLayerChoiceTest {
    private static final long MS = 1_000_000L;
    private static final int[] FRAME_BYTES = {1000, 250, 500, 250}; // TL0, TL2, TL1, TL2
    private static final int[] TIDS = {0, 2, 1, 2};

    private final List<Room> emptied = new ArrayList<>();
    private final Room room = new Room("temporal-choice", PooledByteBufAllocator.DEFAULT, emptied::add, new SplittableRandom(7),
            1_700_000_000_000_000_000L - 1_000_000_000_000L);
    private final RecordingSender pubSender = new RecordingSender();
    private final RecordingSender subSender = new RecordingSender();
    private long nowNs = 1_000_000_000_000L;
    private final Publisher publisher;
    private final Subscriber subscriber;
    private final int midId;
    private final int ridId;
    private int seq = 100;
    private long ts = 5000;
    private int frame;
    private int picture = 10;

    TemporalLayerChoiceTest() {
        RoomFixtures.SimulcastPair pair = RoomFixtures.simulcastPair(room, pubSender, subSender, nowNs);
        publisher = pair.publisher();
        subscriber = pair.subscriber();
        midId = pair.midId();
        ridId = pair.ridId();
    }

    @AfterEach
    void close() {
        room.close(nowNs);
        pubSender.close();
        subSender.close();
    }

    @Test
    void shouldDropToTheTemporalLayersItsShareCarriesAndComeBackWithHeadroom() {
        sendFrames(75); // 2.5 s: two whole bitrate windows
        Consumer c = videoSlot().consumer();
        assertEquals(2, publisher.producers().stream().filter(p -> p.kind() == MediaKind.VIDEO).findFirst().orElseThrow().highestTemporalLayer(0, nowNs), "the Producer saw three temporal layers");
        assertEquals(LayerReason.BEST, c.temporalReason());

        c.setBudget(80_000, nowNs);
        assertEquals(0, c.targetTemporalLayer(), "80 kbit/s carries layer 0 (~63 kbit/s with headers), not 0-1 (~95)");
        assertEquals(LayerReason.BANDWIDTH, c.temporalReason());
        int sentBefore = subSender.rtpWithSsrc(videoSlot().ssrc()).size();
        sendFrames(8);
        List<RtpPacket> after = subSender.rtpWithSsrc(videoSlot().ssrc());
        Vp8Descriptor d = new Vp8Descriptor();
        for (RtpPacket p : after.subList(sentBefore, after.size())) {
            assertTrue(d.parse(p.buffer(), p.payloadOffset(), p.payloadLength()));
            assertEquals(0, d.temporalLayer(), "only layer 0 frames once the budget fell");
        }
        assertEquals(2, after.size() - sentBefore, "the two TL0 frames of eight");
        assertTrue(room.counters().dropped(RoomDrop.TEMPORAL_LAYER) >= 6);

        c.setBudget(100_000, nowNs);
        assertEquals(0, c.targetTemporalLayer(), "100 kbit/s fits 0-1 but without 1.15x to spare: no step up");
        c.setBudget(112_000, nowNs);
        assertEquals(1, c.targetTemporalLayer(), "with headroom over 0-1");
        c.setBudget(200_000, nowNs);
        assertEquals(Consumer.MAX_TEMPORAL_LAYER, c.targetTemporalLayer(), "everything fits");
        assertEquals(LayerReason.BEST, c.temporalReason());
    }

    @Test
    void shouldTakeTheViewersTemporalCapAsAPreference() {
        sendFrames(45);
        videoSlot().setPreference(new ViewerPreference(ViewerPreference.NONE, null, 1, ViewerPreference.NONE), nowNs);
        Consumer c = videoSlot().consumer();
        assertEquals(1, c.targetTemporalLayer());
        assertEquals(LayerReason.PREFERENCE, c.temporalReason());
        int sentBefore = subSender.rtpWithSsrc(videoSlot().ssrc()).size();
        sendFrames(8);
        List<RtpPacket> after = subSender.rtpWithSsrc(videoSlot().ssrc());
        assertEquals(4, after.size() - sentBefore, "TL0 and TL1 frames: two of each in eight");
    }

    private Slot videoSlot() {
        return subscriber.slots().stream().filter(x -> x.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
    }

    /** {@code n} single-packet frames of layer q, 33 ms apart, the first a keyframe. */
    private void sendFrames(int n) {
        for (int i = 0; i < n; i++) {
            nowNs += 33 * MS;
            if (room.nextTimeoutNs() - nowNs <= 0) room.handleTimeout(nowNs);
            int position = frame % 4;
            int payload = FRAME_BYTES[position];
            ByteBuf p = RoomFixtures.rtpWithText(96, seq, ts, 0x1234_5678L, payload, new int[] {midId, ridId}, new String[] {"1", "q"});
            int at = p.writerIndex() - payload;
            p.setByte(at, 0x90); // X, S, PID 0
            p.setByte(at + 1, 0xE0);
            p.setByte(at + 2, 0x80 | (picture >>> 8));
            p.setByte(at + 3, picture & 0xFF);
            p.setByte(at + 4, frame / 4);
            p.setByte(at + 5, (TIDS[position] << 6) | 0x20); // every frame a layer-sync frame here
            p.setByte(at + 6, frame == 0 ? 0x00 : 0x01);
            try {
                publisher.handleRtp(p, nowNs);
            } finally {
                p.release();
            }
            seq = (seq + 1) & 0xFFFF;
            ts += 3000;
            picture = (picture + 1) & 0x7FFF;
            frame++;
        }
    }
}
