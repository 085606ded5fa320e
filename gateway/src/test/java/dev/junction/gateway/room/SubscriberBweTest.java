package dev.junction.gateway.room;

import static dev.junction.gateway.room.RoomFixtures.extensionId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a subscriber's layer follows its network. A three-layer simulcast publisher (150, 500 and 1,500 kbit/s)
 * feeds a room whose subscriber negotiated transport-cc; what the room sends it goes through a simulated bottleneck
 * (a rate, a FIFO queue of at most 300 ms, 20 ms of delay), and the subscriber's feedback is written from what the
 * link delivered, as a browser would, every 100 ms. All on a fake clock, faster than real time.
 */
class SubscriberBweTest {
    private static final long MS = 1_000_000L;
    private static final long UNIX_OFFSET_NS = 1_700_000_000_000_000_000L - 1_000_000_000_000L;
    private static final String[] RIDS = {"q", "h", "f"};
    private static final long[] LAYER_BPS = {150_000, 500_000, 1_500_000};

    private long nowNs = 1_000_000_000_000L;
    private final Room room = new Room("bwe", PooledByteBufAllocator.DEFAULT, r -> { }, new SplittableRandom(11), UNIX_OFFSET_NS);
    private final RecordingSender pubSender = new RecordingSender();
    private final RecordingSender subSender = new RecordingSender();
    private final Publisher publisher;
    private final Subscriber subscriber;
    private final NegotiatedMedia pubVideo;
    private final int subTransportCcId;

    // The encoder, per layer.
    private final long[] ssrc = {0x1111_0000L, 0x2222_0000L, 0x3333_0000L};
    private final int[] seq = {100, 20_000, 40_000};
    private final long[] ts = {0, 0, 0};
    private final int[] framesToKeyframe = {0, 0, 0};
    private final boolean[] layerOn = {true, true, true};
    private int publisherTransportSeq;
    private int plisSeen;

    // The link toward the subscriber.
    private long capacityBps = 5_000_000;
    private static final long DELAY_NS = 20 * MS;
    private static final long QUEUE_LIMIT_NS = 300 * MS;
    private long linkFreeNs;
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // {transport seq, arrivalNs or -1 when lost}
    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
    private int feedbackCount;
    private int nextUnreported = -1;
    private long nextFeedbackNs;
    private final List<Integer> transportSeqs = new ArrayList<>();
    private long paddingPackets;
    private boolean feedbackOn = true;

    SubscriberBweTest() {
        NegotiatedSession pub = RoomFixtures.publisher("chromium-publisher-vp8-simulcast.sdp");
        publisher = room.addPublisher(pub, pubSender, nowNs);
        pubVideo = RoomFixtures.media(pub, MediaKind.VIDEO);
        NegotiatedSession sub = RoomFixtures.subscriber("chromium-subscriber.sdp");
        subscriber = room.addSubscriber(sub, subSender, nowNs);
        subTransportCcId = extensionId(RoomFixtures.media(sub, MediaKind.VIDEO), HeaderExtensionUri.TRANSPORT_CC);
        nextFeedbackNs = nowNs + 100 * MS;
    }

    @AfterEach
    void release() {
        pubSender.close();
        subSender.close();
        room.close(nowNs);
    }

    private Consumer video() {
        return subscriber.slots().stream().filter(s -> s.kind() == MediaKind.VIDEO).findFirst().orElseThrow().consumer();
    }

    /** Runs the world for {@code ms} in 10 ms ticks; returns the switches of the video Consumer's target seen. */
    private int run(long ms) {
        int switches = 0;
        int target = video().targetLayer();
        for (long t = 0; t < ms; t += 10) {
            nowNs += 10 * MS;
            if (room.nextTimeoutNs() - nowNs <= 0) room.handleTimeout(nowNs);
            answerKeyframeRequests();
            if ((nowNs / MS) % 33 < 10) {
                for (int l = 0; l < 3; l++) if (layerOn[l]) sendFrame(l);
            }
            transmit();
            if (feedbackOn && nowNs - nextFeedbackNs >= 0) {
                feedback();
                nextFeedbackNs = nowNs + 100 * MS;
            }
            if (video().targetLayer() != target) {
                switches++;
                target = video().targetLayer();
            }
        }
        return switches;
    }

    /** One 30 fps frame of layer {@code l}: its bitrate's share in packets of at most 1,000 bytes of payload. */
    private void sendFrame(int l) {
        boolean keyframe = framesToKeyframe[l] <= 0;
        framesToKeyframe[l] = keyframe ? 90 : framesToKeyframe[l] - 1;
        int bytes = (int) (LAYER_BPS[l] / 8 / 30);
        int packets = (bytes + 999) / 1000;
        int mid = extensionId(pubVideo, HeaderExtensionUri.MID);
        int rid = extensionId(pubVideo, HeaderExtensionUri.RID);
        int tcc = extensionId(pubVideo, HeaderExtensionUri.TRANSPORT_CC);
        for (int i = 0; i < packets; i++) {
            int payload = bytes / packets - 40;
            ByteBuf p = Unpooled.buffer(64 + payload);
            RtpHeaderWriter w = new RtpHeaderWriter();
            w.start(p, 96, i == packets - 1, seq[l], ts[l], ssrc[l]);
            w.startExtensions(false, 0);
            w.addExtension(mid, "1".getBytes(StandardCharsets.US_ASCII), 0, 1);
            w.addExtension(rid, RIDS[l].getBytes(StandardCharsets.US_ASCII), 0, 1);
            w.addExtension(tcc, publisherTransportSeq++ & 0xFFFF, 2);
            w.endExtensions();
            p.writeByte(i == 0 ? 0x10 : 0x00).writeByte(keyframe ? 0x00 : 0x01).writeZero(payload - 2);
            seq[l] = (seq[l] + 1) & 0xFFFF;
            try {
                publisher.handleRtp(p, nowNs);
            } finally {
                p.release();
            }
        }
        ts[l] = (ts[l] + 3000) & 0xFFFF_FFFFL;
    }

    /** A PLI makes its layer's next frame a keyframe, as a browser's encoder does. */
    private void answerKeyframeRequests() {
        RtcpCompound compound = new RtcpCompound();
        PictureLossIndication pli = new PictureLossIndication();
        for (; plisSeen < pubSender.rtcp.size(); plisSeen++) {
            ByteBuf b = pubSender.rtcp.get(plisSeen);
            compound.wrap(b, b.readerIndex(), b.readableBytes());
            while (compound.next()) {
                if (compound.packetType() != RtcpType.PSFB || compound.format() != RtcpType.FMT_PLI) continue;
                assertTrue(pli.wrap(b, compound.offset(), compound.length()));
                for (int l = 0; l < 3; l++) if (pli.mediaSsrc() == ssrc[l]) framesToKeyframe[l] = 0;
            }
        }
    }

    /** Puts what the room sent the subscriber since the last tick on the link; a packet without our number fails. */
    private void transmit() {
        RtpPacket p = new RtpPacket();
        for (ByteBuf b : subSender.rtp) {
            assertTrue(p.wrap(b, b.readerIndex(), b.readableBytes()));
            long found = p.findExtension(subTransportCcId);
            assertTrue(found != RtpPacket.NOT_FOUND, "every packet to the subscriber carries a transport-wide number");
            int tseq = b.getUnsignedShort(RtpPacket.foundOffset(found));
            transportSeqs.add(tseq);
            if (p.ssrc() == video().slot().rtxSsrc() && p.payloadLength() == 0) paddingPackets++;
            int size = b.readableBytes() + Room.SRTP_TAIL_ROOM + 28; // SRTP tag, IP and UDP
            long start = Math.max(nowNs, linkFreeNs);
            if (start - nowNs > QUEUE_LIMIT_NS) {
                inFlight.add(new long[] {tseq, -1});
            } else {
                linkFreeNs = start + size * 8_000_000_000L / capacityBps;
                inFlight.add(new long[] {tseq, linkFreeNs + DELAY_NS});
            }
        }
        subSender.clear();
    }

    /** The subscriber's transport-cc feedback for every packet whose fate is known by now, as a browser sends it. */
    private void feedback() {
        writer.reset();
        boolean any = false;
        while (!inFlight.isEmpty()) {
            long[] head = inFlight.peek();
            if (head[1] >= 0 && head[1] - nowNs > 0) break; // still on its way
            inFlight.poll();
            if (nextUnreported < 0) nextUnreported = (int) head[0];
            if (writer.isEmpty()) writer.startAt(nextUnreported);
            if (head[1] < 0) continue; // lost: reported as not received once a later one is
            long arrivalUs = head[1] / 1_000;
            if (!writer.addReceived((int) head[0], arrivalUs)) {
                send();
                writer.startAt((int) head[0]);
                writer.addReceived((int) head[0], arrivalUs);
            }
            nextUnreported = ((int) head[0] + 1) & 0xFFFF;
            any = true;
        }
        if (any && !writer.isEmpty()) send();
    }

    private void send() {
        ByteBuf out = Unpooled.buffer(1300);
        writer.write(out, 0x5EED, subscriber.slots().get(0).ssrc(), feedbackCount++);
        writer.reset();
        try {
            subscriber.handleRtcp(out, nowNs);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldFollowTheLinkDownAndBackUpWithoutFlapping() {
        assertNotNull(subscriber.bwe(), "chromium-subscriber.sdp negotiates transport-cc");
        assertEquals(-1, subscriber.estimateBps(), "no estimate before feedback");

        int switches = run(20_000);
        assertTrue(subscriber.estimateBps() > 2_000_000, "estimate on a 5 Mbit/s link: " + subscriber.estimateBps());
        assertEquals(2, video().layer(), "a 5 Mbit/s link carries the top layer: " + video().layerReason());
        assertEquals(LayerReason.BEST, video().reason());
        assertTrue(switches <= 2, "no flapping on the way up: " + switches);

        capacityBps = 400_000;
        switches = run(5_000);
        assertEquals(0, video().layer(), "within 5 s of a drop to 400 kbit/s, the lowest layer: " + video().layerReason()
                + ", estimate " + subscriber.estimateBps());
        assertEquals(LayerReason.BANDWIDTH, video().reason());
        assertTrue(subscriber.estimateBps() < 500_000, "estimate " + subscriber.estimateBps());
        assertTrue(switches <= 2, "straight down: " + switches);
        switches = run(10_000);
        assertEquals(0, switches, "stays down while the link stays narrow");
        assertTrue(room.counters().layerSwitches(LayerReason.BANDWIDTH) >= 1);

        capacityBps = 5_000_000;
        switches = run(15_000);
        assertEquals(2, video().layer(), "back to the top layer within 15 s of the link's recovery: " + video().layerReason()
                + ", estimate " + subscriber.estimateBps());
        assertTrue(switches <= 2, "up in at most two steps: " + switches);
        assertTrue(paddingPackets > 0, "probes were padded while the slot was held down by bandwidth");

        // Numbering: one transport-wide sequence, no gap, no repeat.
        for (int i = 1; i < transportSeqs.size(); i++) {
            assertEquals((transportSeqs.get(i - 1) + 1) & 0xFFFF, (int) transportSeqs.get(i), "transport-wide numbers at " + i);
        }
        assertTrue(room.counters().transportCcFeedbackIn() > 400);
        assertTrue(room.counters().rtpNumbered() > 0);
    }

    /**
     * The estimator's periodic work (every 25 ms) runs with each feedback when due, and from the room's timer only on
     * the report grid, which a hundred subscribers then share instead of each waking the loop at its own phase. Probing
     * (padding every few milliseconds) is the exception.
     */
    @Test
    void shouldRunTheEstimatorsPeriodicWorkWithFeedbackAndTimeItOnTheReportGrid() {
        int onGrid = 0;
        int feedbackChecked = 0;
        for (int step = 0; step < 1_000; step++) {
            int before = feedbackCount;
            run(10);
            SubscriberBwe bwe = subscriber.bwe();
            if (!bwe.hasEstimate()) continue;
            if (feedbackCount != before) {
                assertTrue(bwe.estimator().nextTimeoutNs() - nowNs > 0, "periodic work up to date after feedback at " + step);
                feedbackChecked++;
            }
            if (bwe.nextTimeoutNs() - nowNs > SubscriberBwe.PROBE_TICK_NS) { // not a probe's padding tick
                assertEquals(0, Math.floorMod(bwe.nextTimeoutNs(), Room.REPORT_GRID_NS), "on the grid at " + step);
                onGrid++;
            }
        }
        assertTrue(feedbackChecked > 50, "feedback seen: " + feedbackChecked);
        assertTrue(onGrid > 500, "steps not probing: " + onGrid);
        assertTrue(room.counters().transportCcFeedbackIn() > 50);
    }

    /**
     * A link a little above the top layer's bitrate, inside the hysteresis band (down below 1,500 kbit/s of share, up
     * only at 1,725 held for 2 s): whatever the estimate's ripples, the layer settles and stays.
     */
    @Test
    void shouldNotSwitchBackAndForthOnALinkNearALayersThreshold() {
        capacityBps = 1_550_000; // the top layer takes about 1,570 kbit/s on the wire
        run(20_000);
        int switches = run(40_000);
        assertTrue(switches <= 1, "at most one switch in 40 s near the threshold: " + switches + ", layer " + video().layer()
                + ", estimate " + subscriber.estimateBps());
    }

    /**
     * The hysteresis itself, with the share set directly: a share that crosses the top layer's bitrate back and forth
     * moves the layer down once; one that crosses the up threshold without holding for {@link Consumer#UP_HOLD_NS}
     * does not move it up; one that holds does, once.
     */
    @Test
    void shouldSwitchDownAtOnceAndUpOnlyAfterTheShareHeldAboveTheThreshold() {
        feedbackOn = false;
        run(3_000); // no feedback: no budget, the top layer, and every layer's bitrate measured
        Consumer c = video();
        assertEquals(2, c.layer());
        assertEquals(-1, c.budgetBps());
        long top = publisherLayerBps(2);
        assertTrue(top > 1_300_000 && top < 1_700_000, "the top layer's measured bitrate: " + top);
        long before = room.counters().layerSwitches(LayerReason.BANDWIDTH);
        int downs = 0;
        int ups = 0;
        int target = 2;
        for (int i = 0; i < 60; i++) {
            run(100); // the publisher keeps sending; no feedback, so only the share set here counts
            c.setBudget(i % 2 == 0 ? top * 95 / 100 : top * 110 / 100, nowNs); // below, then above the bitrate
            if (c.targetLayer() < target) downs++;
            if (c.targetLayer() > target) ups++;
            target = c.targetLayer();
        }
        assertEquals(1, downs, "down once, at the first share below the layer's bitrate");
        assertEquals(0, ups, "1.10x never clears the 1.15x headroom");
        assertEquals(1, target);
        assertEquals(LayerReason.BANDWIDTH, c.reason() == LayerReason.AWAITING_KEYFRAME ? LayerReason.BANDWIDTH : c.reason());
        for (int i = 0; i < 60; i++) {
            run(100); // the publisher keeps sending; no feedback, so only the share set here counts
            c.setBudget(i % 5 == 4 ? top * 110 / 100 : top * 120 / 100, nowNs); // above the threshold, but never 2 s on end
            assertEquals(1, c.targetLayer(), "no switch up without 2 s above the threshold, at " + i);
        }
        for (int i = 0; i < 25; i++) {
            run(100); // the publisher keeps sending; no feedback, so only the share set here counts
            c.setBudget(top * 120 / 100, nowNs);
            if (i < 20) assertEquals(1, c.targetLayer(), "held " + (i * 100) + " ms");
        }
        assertEquals(2, c.targetLayer(), "up after 2 s held above the threshold");
        assertEquals(before + 2, room.counters().layerSwitches(LayerReason.BANDWIDTH), "one down, one up");
    }

    /**
     * Resends come out of the estimate: while the subscriber's send rate over the last half second is above its
     * estimate (the link just collapsed), a NACK is not answered but counted, and a keyframe is asked for instead; once
     * the rate fits again, NACKs are answered.
     */
    @Test
    void shouldWithholdResendsOverTheEstimateAndAskForAKeyframeInstead() {
        run(5_000);
        assertEquals(2, video().layer());
        capacityBps = 300_000;
        for (int i = 0; i < 300 && subscriber.bwe().sendRateBps(nowNs) <= subscriber.estimateBps(); i++) run(10);
        assertTrue(subscriber.bwe().sendRateBps(nowNs) > subscriber.estimateBps(), "sending " + subscriber.bwe().sendRateBps(nowNs)
                + " over the estimate " + subscriber.estimateBps());
        long retransmissions = room.counters().retransmissions();
        long keyframeRequests = room.counters().keyframeRequestsSent() + room.counters().keyframeRequestsCoalesced();
        nack(video().slot().lastSequenceNumber());
        assertEquals(1, room.counters().dropped(RoomDrop.NACK_OVER_BUDGET));
        assertEquals(retransmissions, room.counters().retransmissions(), "nothing resent");
        assertEquals(1, room.counters().keyframesInsteadOfResends());
        assertEquals(1, room.counters().keyframeRequests(KeyframeCause.INSTEAD_OF_RESEND));
        assertTrue(room.counters().keyframeRequestsSent() + room.counters().keyframeRequestsCoalesced() > keyframeRequests,
                "a keyframe asked for instead");

        capacityBps = 5_000_000;
        run(15_000);
        assertTrue(subscriber.bwe().sendRateBps(nowNs) < subscriber.estimateBps());
        nack(video().slot().lastSequenceNumber());
        assertEquals(retransmissions + 1, room.counters().retransmissions(), "answered within the budget");
        assertEquals(1, room.counters().dropped(RoomDrop.NACK_OVER_BUDGET));
    }

    private void nack(int seq) {
        ByteBuf out = Unpooled.buffer();
        GenericNack.write(out, 0x5EED, video().slot().ssrc(), new int[] {seq}, 0, 1, 16);
        try {
            subscriber.handleRtcp(out, nowNs);
        } finally {
            out.release();
        }
    }

    private long publisherLayerBps(int layer) {
        return publisher.producers().stream().filter(p -> p.kind() == MediaKind.VIDEO).findFirst().orElseThrow().layerBitrateBps(layer, nowNs);
    }
}
