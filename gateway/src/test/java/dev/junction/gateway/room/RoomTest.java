package dev.junction.gateway.room;

import static dev.junction.gateway.room.RoomFixtures.codec;
import static dev.junction.gateway.room.RoomFixtures.extensionId;
import static dev.junction.gateway.room.RoomFixtures.media;
import static dev.junction.gateway.room.RoomFixtures.publisher;
import static dev.junction.gateway.room.RoomFixtures.rtp;
import static dev.junction.gateway.room.RoomFixtures.subscriber;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.SourceDescription;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoomTest {
    private static final long MS = 1_000_000L;
    /** Puts the fake clock's start (nowNs = 10^12) at Unix time 1_700_000_000 s. */
    private static final long UNIX_OFFSET_NS = 1_700_000_000_000_000_000L - 1_000_000_000_000L;
    private static final int AUDIO_LEVEL = 0x85;
    private static final long ABS_SEND_TIME = 0x123456;

    private final List<RecordingSender> senders = new ArrayList<>();
    private final List<Room> emptied = new ArrayList<>();
    private final Room room = new Room("test", PooledByteBufAllocator.DEFAULT, emptied::add, new SplittableRandom(7), UNIX_OFFSET_NS);
    private long nowNs = 1_000_000_000_000L;

    @AfterEach
    void releaseRecordedPackets() {
        room.close(nowNs);
        senders.forEach(RecordingSender::close);
    }

    private RecordingSender sender() {
        RecordingSender s = new RecordingSender();
        senders.add(s);
        return s;
    }

    /** Each media loop has its own Room and may learn of publishers in another order: join order decides. */
    @Test
    void shouldKeepPipedProducersInJoinOrderWhateverOrderTheyArrive() {
        NegotiatedSession session = publisher("chromium-publisher-vp8.sdp");
        NegotiatedMedia audio = media(session, MediaKind.AUDIO);
        NegotiatedMedia video = media(session, MediaKind.VIDEO);
        RecordingUpstream upstream = new RecordingUpstream();
        Object later = new Object();
        Object earlier = new Object();
        Producer laterVideo = room.addPipedProducer(new ProducerInfo(101, later, video, 1, 5_001), upstream, nowNs);
        Producer laterAudio = room.addPipedProducer(new ProducerInfo(100, later, audio, 0, 5_000), upstream, nowNs);
        Producer earlierAudio = room.addPipedProducer(new ProducerInfo(200, earlier, audio, 0, 2_000), upstream, nowNs);
        Producer earlierVideo = room.addPipedProducer(new ProducerInfo(201, earlier, video, 1, 2_001), upstream, nowNs);
        assertEquals(List.of(earlierAudio, earlierVideo, laterAudio, laterVideo), room.producers());
        assertSame(laterVideo, room.producerById(101));
        Sub sub = new Sub("chromium-subscriber.sdp");
        assertSame(earlierVideo, sub.slot(MediaKind.VIDEO).producer(), "slots fill in join order, as on the home loop");
        assertSame(earlierAudio, sub.slot(MediaKind.AUDIO).producer());
        room.removePipedProducer(earlierVideo, nowNs);
        assertSame(laterVideo, sub.slot(MediaKind.VIDEO).producer(), "refilled from the next one");
    }

    /** A publisher with the browser that wrote {@code fixture}, sending from its announced SSRCs. */
    private final class Pub {
        final NegotiatedSession session;
        final RecordingSender sender = sender();
        final Publisher publisher;

        Pub(String fixture) {
            session = publisher(fixture);
            publisher = room.addPublisher(session, sender, nowNs);
        }

        NegotiatedMedia media(MediaKind kind) {
            return RoomFixtures.media(session, kind);
        }

        long ssrc(MediaKind kind) {
            return media(kind).remoteSsrcs().get(0).ssrc();
        }

        /** Sends one packet as the browser would, with its extensions; returns the packet's bytes. */
        byte[] send(MediaKind kind, int seq, long ts, int payloadLength) {
            return send(kind, seq, ts, payloadLength, true);
        }

        /** As {@link #send}, video payloads starting as a keyframe or as a delta frame of their codec. */
        byte[] send(MediaKind kind, int seq, long ts, int payloadLength, boolean keyframe) {
            NegotiatedMedia m = media(kind);
            int pt = m.codecs().get(0).payloadType();
            int mid = extensionId(m, HeaderExtensionUri.MID);
            int tcc = extensionId(m, HeaderExtensionUri.TRANSPORT_CC);
            ByteBuf packet = kind == MediaKind.AUDIO
                    ? rtp(pt, seq, ts, ssrc(kind), payloadLength, extensionId(m, HeaderExtensionUri.AUDIO_LEVEL), AUDIO_LEVEL, 1,
                            tcc, seq, 2, mid, m.mid().charAt(0), 1)
                    : rtp(pt, seq, ts, ssrc(kind), payloadLength, extensionId(m, HeaderExtensionUri.ABS_SEND_TIME), ABS_SEND_TIME, 3,
                            tcc, seq, 2, mid, m.mid().charAt(0), 1);
            if (kind == MediaKind.VIDEO) {
                boolean h264 = m.codecs().get(0).is("H264");
                RoomFixtures.withPayloadStart(packet, payloadLength, h264
                        ? (keyframe ? RoomFixtures.H264_KEYFRAME : RoomFixtures.H264_DELTA)
                        : (keyframe ? RoomFixtures.VP8_KEYFRAME : RoomFixtures.VP8_DELTA));
            }
            return feed(packet);
        }

        byte[] feed(ByteBuf packet) {
            try {
                byte[] before = ByteBufUtil.getBytes(packet);
                publisher.handleRtp(packet, nowNs);
                assertArrayEquals(before, ByteBufUtil.getBytes(packet), "the ingress packet must stay unmodified");
                assertEquals(1, packet.refCnt(), "the room must not retain or release the borrowed packet");
                return before;
            } finally {
                packet.release();
            }
        }
    }

    /** A subscriber with the browser that wrote {@code fixture}. */
    private final class Sub {
        final NegotiatedSession session;
        final RecordingSender sender = sender();
        final Subscriber subscriber;

        Sub(String fixture) {
            session = subscriber(fixture);
            subscriber = room.addSubscriber(session, sender, nowNs);
        }

        Slot slot(MediaKind kind) {
            return subscriber.slots().stream().filter(s -> s.kind() == kind).findFirst().orElseThrow();
        }

        List<RtpPacket> received(MediaKind kind) {
            return sender.rtpWithSsrc(slot(kind).ssrc());
        }

        void sendPli(long mediaSsrc) {
            ByteBuf pli = Unpooled.buffer();
            PictureLossIndication.write(pli, 0x5EED, mediaSsrc);
            handleRtcp(pli);
        }

        void handleRtcp(ByteBuf packet) {
            try {
                subscriber.handleRtcp(packet, nowNs);
            } finally {
                packet.release();
            }
        }
    }

    private static void assertContinuous(List<RtpPacket> packets) {
        for (int i = 1; i < packets.size(); i++) {
            assertEquals((packets.get(i - 1).sequenceNumber() + 1) & 0xFFFF, packets.get(i).sequenceNumber(),
                    "sequence number after " + packets.get(i - 1));
        }
    }

    private static byte[] payload(RtpPacket p) {
        return ByteBufUtil.getBytes(p.buffer(), p.payloadOffset(), p.payloadLength());
    }

    private static byte[] payload(byte[] packet, int payloadLength) {
        byte[] out = new byte[payloadLength];
        System.arraycopy(packet, packet.length - payloadLength, out, 0, payloadLength);
        return out;
    }

    @Test
    void shouldForwardEveryPacketToEverySubscriberWithItsOwnSsrcAndContinuousSequenceNumbers() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        List<Sub> subs = List.of(new Sub("chromium-subscriber.sdp"), new Sub("firefox-subscriber.sdp"),
                new Sub("chromium-subscriber-vp8.sdp"));
        List<byte[]> sentVideo = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            nowNs += 20 * MS;
            // Starts just below the wrap so the rewrite is checked across 65535 -> 0.
            pub.send(MediaKind.AUDIO, (65_520 + i) & 0xFFFF, 960L * i, 40);
            sentVideo.add(pub.send(MediaKind.VIDEO, (65_530 + i) & 0xFFFF, 0xFFFF_FF00L + 3000L * i, 300 + i));
        }

        for (Sub sub : subs) {
            List<RtpPacket> audio = sub.received(MediaKind.AUDIO);
            List<RtpPacket> video = sub.received(MediaKind.VIDEO);
            assertEquals(50, audio.size(), sub.session.toString());
            assertEquals(50, video.size());
            assertEquals(100, sub.sender.rtp.size(), "nothing but the two slots' SSRCs");
            assertContinuous(audio);
            assertContinuous(video);
            assertEquals(codec(media(sub.session, MediaKind.AUDIO), "opus").payloadType(), audio.get(0).payloadType());
            assertEquals(codec(media(sub.session, MediaKind.VIDEO), "VP8").payloadType(), video.get(0).payloadType());
            for (int i = 0; i < 50; i++) {
                assertArrayEquals(payload(sentVideo.get(i), 300 + i), payload(video.get(i)));
                assertEquals((0xFFFF_FF00L + 3000L * i) & 0xFFFF_FFFFL, video.get(i).timestamp(), "a fresh slot keeps the source's timestamps");
            }
            assertSame(pub.publisher.producers().get(1), sub.slot(MediaKind.VIDEO).producer());
        }
        assertTrue(subs.get(0).slot(MediaKind.VIDEO).ssrc() != subs.get(1).slot(MediaKind.VIDEO).ssrc());
        assertEquals(100, room.counters().rtpIn());
        assertEquals(300, room.counters().rtpForwarded());
        for (Sub sub : subs) {
            assertEquals(50, sub.slot(MediaKind.VIDEO).packetsSent());
        }
    }

    @Test
    void shouldMapPayloadTypesAndExtensionIdsFromChromiumPublisherToFirefoxSubscriber() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub firefox = new Sub("firefox-subscriber.sdp");
        byte[] audioIn = pub.send(MediaKind.AUDIO, 100, 48_000, 30);
        byte[] videoIn = pub.send(MediaKind.VIDEO, 200, 90_000, 500);

        // Chromium: opus 111, VP8 96; audio-level 1, abs-send-time 2, transport-cc 3, mid 4.
        // Firefox:  opus 109, VP8 120; audio-level 1, mid 3, abs-send-time 4 (video only), transport-cc 7.
        RtpPacket audio = firefox.received(MediaKind.AUDIO).get(0);
        assertEquals(109, audio.payloadType());
        assertEquals(AUDIO_LEVEL, audio.buffer().getUnsignedByte(RtpPacket.foundOffset(audio.findExtension(1))));
        for (int gone = 2; gone <= 14; gone++) {
            if (gone == 7) continue;
            assertEquals(RtpPacket.NOT_FOUND, audio.findExtension(gone), "id " + gone + " must be blanked");
        }
        // Issue 11: the publisher's transport-cc element now carries the subscriber leg's own number, under Firefox's id.
        assertEquals(0, audio.buffer().getUnsignedShort(RtpPacket.foundOffset(audio.findExtension(7))), "the leg's first number");
        assertEquals(audioIn.length, audio.length(), "ids are rewritten in place, nothing moves");

        RtpPacket video = firefox.received(MediaKind.VIDEO).get(0);
        assertEquals(120, video.payloadType());
        long abs = video.findExtension(4);
        assertEquals(3, RtpPacket.foundLength(abs));
        assertEquals(ABS_SEND_TIME, video.buffer().getUnsignedMedium(RtpPacket.foundOffset(abs)));
        assertEquals(RtpPacket.NOT_FOUND, video.findExtension(3), "the publisher's transport-cc (3) is not Firefox's MID");
        long tcc = video.findExtension(7);
        assertEquals(2, RtpPacket.foundLength(tcc));
        assertEquals(1, video.buffer().getUnsignedShort(RtpPacket.foundOffset(tcc)), "numbered on the subscriber's leg, after the audio");
        assertEquals(videoIn.length, video.length(), "in place of the publisher's own element");
        assertEquals(RtpPacket.NOT_FOUND, video.findExtension(2));
        assertArrayEquals(payload(videoIn, 500), payload(video));
        assertEquals(200, video.sequenceNumber());
        assertEquals(firefox.slot(MediaKind.VIDEO).ssrc(), video.ssrc());
    }

    @Test
    void shouldFillAFreeSlotWhenASecondPublisherJoinsAndRefillWithContinuityWhenTheFirstLeaves() {
        Pub audioOnly = new Pub("chromium-publisher-opus.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        assertSame(audioOnly.publisher.producers().get(0), sub.slot(MediaKind.AUDIO).producer());
        assertNull(sub.slot(MediaKind.VIDEO).producer(), "no video Producer yet");

        for (int i = 0; i < 5; i++) {
            nowNs += 20 * MS;
            audioOnly.send(MediaKind.AUDIO, 7000 + i, 1_000_000L + 960L * i, 20);
        }
        Pub both = new Pub("chromium-publisher-vp8.sdp");
        assertSame(both.publisher.producers().get(1), sub.slot(MediaKind.VIDEO).producer(), "the free video slot takes it");
        assertSame(audioOnly.publisher.producers().get(0), sub.slot(MediaKind.AUDIO).producer(), "a filled slot keeps its Producer");
        nowNs += 20 * MS;
        both.send(MediaKind.AUDIO, 100, 5_000, 20);
        both.send(MediaKind.VIDEO, 300, 9_000, 200);
        assertEquals(5, sub.received(MediaKind.AUDIO).size(), "the second publisher's audio waits for a free slot");
        assertEquals(1, sub.received(MediaKind.VIDEO).size());

        nowNs += 100 * MS;
        room.removePublisher(audioOnly.publisher, nowNs);
        assertSame(both.publisher.producers().get(0), sub.slot(MediaKind.AUDIO).producer(), "refilled from the waiting Producer");
        nowNs += 20 * MS;
        both.send(MediaKind.AUDIO, 101, 5_960, 20);
        both.send(MediaKind.AUDIO, 102, 6_920, 20);

        List<RtpPacket> audio = sub.received(MediaKind.AUDIO);
        assertEquals(7, audio.size());
        assertContinuous(audio);
        assertEquals(7005, audio.get(5).sequenceNumber(), "the new source continues at last + 1");
        // 140 ms of wall clock since the last packet at 48 kHz.
        assertEquals(1_000_000L + 960L * 4 + 140 * 48, audio.get(5).timestamp());
        assertEquals(audio.get(5).timestamp() + 960, audio.get(6).timestamp(), "then the source's own spacing");
        assertTrue(emptied.isEmpty());
    }

    @Test
    void shouldFreeSlotsWhenThePublisherLeavesAndRefillThemLaterWithContinuity() {
        Pub first = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        for (int i = 0; i < 3; i++) {
            nowNs += 33 * MS;
            first.send(MediaKind.VIDEO, 40_000 + i, 3000L * i, 100);
        }
        room.removePublisher(first.publisher, nowNs);
        assertNull(sub.slot(MediaKind.VIDEO).producer());
        assertNull(sub.slot(MediaKind.AUDIO).producer());
        assertEquals(0, first.publisher.producers().get(1).consumerCount());
        assertTrue(emptied.isEmpty(), "the subscriber is still there");

        nowNs += 2_000 * MS;
        Pub second = new Pub("firefox-publisher-vp8.sdp");
        assertSame(second.publisher.producers().get(1), sub.slot(MediaKind.VIDEO).producer());
        nowNs += 10 * MS;
        second.send(MediaKind.VIDEO, 9, 777_777, 100);
        List<RtpPacket> video = sub.received(MediaKind.VIDEO);
        assertEquals(4, video.size());
        assertContinuous(video);
        assertEquals(96, video.get(3).payloadType(), "Firefox's VP8 120 becomes Chromium's 96");
        assertEquals(6000 + 2010 * 90, video.get(3).timestamp(), "2.01 s later at 90 kHz");
    }

    @Test
    void shouldFillTheSlotsOfASubscriberToAnEmptyRoomWhenAPublisherArrives() {
        Sub sub = new Sub("firefox-subscriber.sdp");
        assertNull(sub.slot(MediaKind.AUDIO).producer());
        nowNs += 5_000 * MS;
        Pub pub = new Pub("firefox-publisher-vp8.sdp");
        pub.send(MediaKind.AUDIO, 1, 1, 10);
        pub.send(MediaKind.VIDEO, 1, 1, 10);
        assertEquals(1, sub.received(MediaKind.AUDIO).size());
        assertEquals(1, sub.received(MediaKind.VIDEO).size());

        room.removeSubscriber(sub.subscriber, nowNs);
        assertEquals(0, pub.publisher.producers().get(1).consumerCount());
        assertTrue(emptied.isEmpty());
        room.removePublisher(pub.publisher, nowNs);
        assertEquals(List.of(room), emptied, "reported once, when the last one leaves");
        assertTrue(room.isEmpty());
    }

    @Test
    void shouldRequestAKeyframeUpstreamWhenASubscriberJoinsRateLimitedToOnePerHalfSecond() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        long videoSsrc = pub.ssrc(MediaKind.VIDEO);
        pub.send(MediaKind.VIDEO, 1, 1, 100);
        assertEquals(List.of(), pub.sender.pliMediaSsrcs(), "nobody watches yet");

        new Sub("chromium-subscriber.sdp");
        assertEquals(List.of(videoSsrc), pub.sender.pliMediaSsrcs());
        PictureLossIndication pli = new PictureLossIndication();
        ByteBuf sent = pub.sender.rtcp.get(0);
        assertTrue(pli.wrap(sent, sent.readerIndex(), sent.readableBytes()));
        assertEquals(pub.publisher.feedbackSsrc(), pli.senderSsrc());
        Producer video = pub.publisher.producers().get(1);
        assertEquals(Long.MAX_VALUE, video.nextTimeoutNs());

        long firstNs = nowNs;
        nowNs += 100 * MS;
        room.handleTimeout(nowNs); // the transport-cc feedback for the packet above: nothing left due but the PLI
        new Sub("firefox-subscriber.sdp");
        nowNs += 100 * MS;
        new Sub("chromium-subscriber-vp8.sdp");
        assertEquals(1, pub.sender.pliMediaSsrcs().size(), "inside the 500 ms window");
        assertEquals(firstNs + 500 * MS, room.nextTimeoutNs());
        room.handleTimeout(firstNs + 499 * MS);
        assertEquals(1, pub.sender.pliMediaSsrcs().size());
        room.handleTimeout(firstNs + 500 * MS);
        assertEquals(List.of(videoSsrc, videoSsrc), pub.sender.pliMediaSsrcs(), "the two joins coalesced into one");
        assertEquals(Long.MAX_VALUE, video.nextTimeoutNs());
        assertEquals(2, room.counters().keyframeRequestsSent());
        assertEquals(1, room.counters().keyframeRequestsCoalesced());
        assertEquals(3, room.counters().keyframeRequests(KeyframeCause.JOIN), "three joins asked, by cause, before the limit");
        assertEquals(0, room.counters().keyframeRequests(KeyframeCause.VIEWER));
    }

    @Test
    void shouldForwardPliAndFirFromSubscribersToThePublisherWithItsSsrcRateLimited() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        pub.send(MediaKind.VIDEO, 1, 1, 100);
        Sub sub = new Sub("chromium-subscriber.sdp");
        long videoSsrc = pub.ssrc(MediaKind.VIDEO);
        pub.sender.clear();

        nowNs += 600 * MS;
        sub.sendPli(sub.slot(MediaKind.VIDEO).ssrc());
        assertEquals(List.of(videoSsrc), pub.sender.pliMediaSsrcs(), "PLI with the publisher's SSRC");
        nowNs += 10 * MS;
        sub.sendPli(sub.slot(MediaKind.VIDEO).ssrc());
        ByteBuf fir = Unpooled.buffer();
        FullIntraRequest.write(fir, 0x5EED, sub.slot(MediaKind.VIDEO).ssrc(), 3);
        sub.handleRtcp(fir);
        assertEquals(1, pub.sender.pliMediaSsrcs().size(), "rate limited");
        assertEquals(3, room.counters().keyframeRequestsIn());
        assertEquals(3, room.counters().keyframeRequests(KeyframeCause.VIEWER), "the subscriber's PLI, PLI and FIR");

        nowNs += 490 * MS;
        assertEquals(nowNs, pub.publisher.producers().get(1).nextTimeoutNs());
        room.handleTimeout(nowNs);
        assertEquals(List.of(videoSsrc, videoSsrc), pub.sender.pliMediaSsrcs());

        sub.sendPli(0xBAD);
        assertEquals(1, room.counters().dropped(RoomDrop.FEEDBACK_UNKNOWN_SSRC));
        nowNs += 1_000 * MS;
        sub.sendPli(sub.slot(MediaKind.AUDIO).ssrc());
        assertEquals(2, pub.sender.pliMediaSsrcs().size(), "audio Producers are never asked for keyframes");
    }

    @Test
    void shouldRequestAKeyframeFromTheNewSourceWhenASlotSwitches() {
        Pub first = new Pub("chromium-publisher-vp8.sdp");
        Pub second = new Pub("firefox-publisher-vp8.sdp");
        first.send(MediaKind.VIDEO, 1, 1, 100);
        second.send(MediaKind.VIDEO, 1, 1, 100);
        new Sub("chromium-subscriber.sdp");
        assertEquals(List.of(first.ssrc(MediaKind.VIDEO)), first.sender.pliMediaSsrcs());
        assertEquals(List.of(), second.sender.pliMediaSsrcs(), "its video is not watched");

        nowNs += 2_000 * MS;
        room.removePublisher(first.publisher, nowNs);
        assertEquals(List.of(second.ssrc(MediaKind.VIDEO)), second.sender.pliMediaSsrcs());
    }

    @Test
    void shouldForwardTheHighestActiveSimulcastLayerAndSwitchDownWithContinuityWhenItStops() {
        Pub pub = new Pub("chromium-publisher-vp8-simulcast.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        NegotiatedMedia video = pub.media(MediaKind.VIDEO);
        int mid = extensionId(video, HeaderExtensionUri.MID);
        int rid = extensionId(video, HeaderExtensionUri.RID);
        long[] ssrcs = {0x1111, 0x2222, 0x3333};
        String[] rids = {"q", "h", "f"};
        int[] seqs = {100, 2000, 30000};
        int[] lengths = {10, 20, 30};
        // Layers start one after the other, each sending a packet per 30 ms tick; f stops after tick 9.
        for (int tick = 0; tick < 60; tick++) {
            nowNs += 30 * MS;
            if (room.nextTimeoutNs() - nowNs <= 0) {
                room.handleTimeout(nowNs);
            }
            for (int layer = 0; layer < 3; layer++) {
                if (tick < 3 * layer || (layer == 2 && tick > 9)) {
                    continue;
                }
                ByteBuf packet = tick < 15
                        ? RoomFixtures.rtpWithText(96, seqs[layer]++, 2700L * tick, ssrcs[layer], lengths[layer],
                                new int[] {mid, rid}, new String[] {"1", rids[layer]})
                        : rtp(96, seqs[layer]++, 2700L * tick, ssrcs[layer], lengths[layer]);
                pub.feed(RoomFixtures.withPayloadStart(packet, lengths[layer], RoomFixtures.VP8_KEYFRAME));
            }
        }
        List<RtpPacket> out = sub.received(MediaKind.VIDEO);
        assertContinuous(out);
        List<Integer> lengthsOut = out.stream().map(RtpPacket::payloadLength).toList();
        // q up to tick 3, whose h packet switches up; h up to tick 6, whose f packet switches up; f up to
        // tick 9; nothing while f still counts as active; then h again.
        List<Integer> expected = new ArrayList<>();
        for (int tick = 0; tick < 60; tick++) {
            if (tick <= 3) {
                expected.add(10);
            }
            if (tick >= 3 && tick <= 6) {
                expected.add(20);
            }
            if (tick >= 6 && tick <= 9) {
                expected.add(30);
            }
            if ((tick - 9) * 30 * MS > Producer.LAYER_ACTIVE_NS) {
                expected.add(20);
            }
        }
        assertEquals(expected, lengthsOut);
        assertEquals(1, sub.slot(MediaKind.VIDEO).consumer().layer(), "this subscriber's Consumer chose h");
        // Every packet here starts a keyframe: each switch happens at the target's first packet and asks for nothing.
        assertEquals(List.of(), pub.sender.pliMediaSsrcs());
        assertTrue(room.counters().dropped(RoomDrop.LAYER_NOT_SELECTED) > 0);
        assertEquals(0x3333L, pub.publisher.producers().get(1).layerSsrc(2));
    }

    /**
     * Issue 11: a subscriber forwarding one layer moves to another only at a keyframe of it, so its decoder never
     * gets a delta frame of a stream it has not started; until then it keeps its layer, and the keyframe is asked
     * for once, then again every 500 ms. Numbering stays continuous across the switch.
     */
    @Test
    void shouldSwitchLayersOnlyAtAKeyframeOfTheTarget() {
        Pub pub = new Pub("chromium-publisher-vp8-simulcast.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        NegotiatedMedia video = pub.media(MediaKind.VIDEO);
        int mid = extensionId(video, HeaderExtensionUri.MID);
        int rid = extensionId(video, HeaderExtensionUri.RID);
        int[] seqs = {100, 2000};
        long[] ssrcs = {0x1111, 0x2222};
        int[] lengths = {10, 20};
        String[] rids = {"q", "h"};
        // q sends a keyframe, then deltas; from tick 3 h sends deltas only, until its keyframe at tick 30.
        for (int tick = 0; tick < 40; tick++) {
            nowNs += 30 * MS;
            if (room.nextTimeoutNs() - nowNs <= 0) room.handleTimeout(nowNs);
            for (int layer = 0; layer < 2; layer++) {
                if (layer == 1 && tick < 3) continue;
                boolean keyframe = layer == 0 ? tick == 0 : tick == 30;
                ByteBuf packet = RoomFixtures.rtpWithText(96, seqs[layer]++, 2700L * tick, ssrcs[layer], lengths[layer],
                        new int[] {mid, rid}, new String[] {"1", rids[layer]});
                pub.feed(RoomFixtures.withPayloadStart(packet, lengths[layer], keyframe ? RoomFixtures.VP8_KEYFRAME : RoomFixtures.VP8_DELTA));
            }
        }
        List<RtpPacket> out = sub.received(MediaKind.VIDEO);
        assertContinuous(out);
        List<Integer> lengthsOut = out.stream().map(RtpPacket::payloadLength).toList();
        List<Integer> expected = new ArrayList<>();
        for (int tick = 0; tick < 40; tick++) {
            if (tick <= 30) expected.add(10); // tick 30's q packet comes before h's keyframe
            if (tick >= 30) expected.add(20);
        }
        assertEquals(expected, lengthsOut, "q until h's keyframe at tick 30, then h");
        assertEquals(1, sub.slot(MediaKind.VIDEO).consumer().layer());
        // Nothing was sending at the join, so nothing was asked then. Waiting for h asked at h's first packet
        // (tick 3), then again after 500 ms of waiting (tick 20); the keyframe came at tick 30, before a third.
        assertEquals(List.of(0x2222L, 0x2222L), pub.sender.pliMediaSsrcs());
    }

    /**
     * On a loop other than the publisher's, a piped copy of its Producer gets every packet tagged with its layer
     * (the home loop placed it): no MID or RID is needed here. It forwards to this loop's subscribers, asks its
     * upstream (the pipe back to the home loop) for keyframes and for packets its cache lacks, and sends nothing
     * to the publisher itself.
     */
    @Test
    void shouldForwardTaggedPacketsThroughAPipedProducerAndAskItsUpstream() {
        NegotiatedSession session = publisher("chromium-publisher-vp8-simulcast.sdp");
        RecordingUpstream upstream = new RecordingUpstream();
        Producer video = room.addPipedProducer(new ProducerInfo(7, new Object(), media(session, MediaKind.VIDEO), 1, 1_001),
                upstream, nowNs);
        Sub sub = new Sub("chromium-subscriber.sdp");
        assertSame(video, sub.slot(MediaKind.VIDEO).producer());
        assertEquals(List.of(), upstream.keyframes, "no layer has sent yet: nothing to ask for");
        for (int i = 0; i < 3; i++) {
            // Layer h (1), without MID or RID, as a browser sends once its packets are acknowledged.
            pipe(video, 1, RoomFixtures.withPayloadStart(rtp(96, 10 + i, 2700L * i, 0x2222, 20), 20, RoomFixtures.VP8_KEYFRAME), false);
            nowNs += 30 * MS;
        }
        List<RtpPacket> got = sub.received(MediaKind.VIDEO);
        assertEquals(3, got.size());
        assertContinuous(got);
        assertEquals(0x2222L, video.layerSsrc(1));
        assertEquals(1, sub.slot(MediaKind.VIDEO).consumer().layer());
        assertEquals(3, room.counters().rtpPipedIn());
        assertEquals(0, room.counters().rtpIn(), "counted once, on the publisher's own loop");

        sub.sendPli(sub.slot(MediaKind.VIDEO).ssrc());
        assertEquals(List.of("7/1"), upstream.keyframes, "the PLI goes back through the pipe, for the layer the subscriber gets");

        // Packet 13 never came through the pipe, 14 did: the NACK for 13 is asked of the home loop, whose repair
        // fills the hole.
        pipe(video, 1, RoomFixtures.withPayloadStart(rtp(96, 14, 2700L * 4, 0x2222, 20), 20, RoomFixtures.VP8_DELTA), false);
        int outSeq13 = (got.get(2).sequenceNumber() + 1) & 0xFFFF;
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), outSeq13));
        assertEquals(List.of("7/1/13"), upstream.repairs);
        assertEquals(1, room.counters().repairsRequested());
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), (outSeq13 + 20) & 0xFFFF));
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), (outSeq13 - 2000) & 0xFFFF));
        assertEquals(1, upstream.repairs.size(), "numbers never sent, or long gone, are not asked for");
        pipe(video, 1, RoomFixtures.withPayloadStart(rtp(96, 13, 2700L * 3, 0x2222, 20), 20, RoomFixtures.VP8_DELTA), true);
        assertEquals(outSeq13, sub.received(MediaKind.VIDEO).get(4).sequenceNumber(), "the repair, in the slot's numbering");

        room.handleTimeout(nowNs + 5 * Room.REPORT_INTERVAL_NS);
        room.removePipedProducer(video, nowNs);
        assertNull(sub.slot(MediaKind.VIDEO).producer(), "its publisher left: the slot is free");
    }

    /**
     * A subscriber that joined while the top layer was active waits for it; when that layer goes quiet before its
     * next packet, the subscriber takes the best active one instead of waiting for good.
     */
    @Test
    void shouldRetargetAConsumerWhoseAwaitedLayerWentQuiet() {
        Pub pub = new Pub("chromium-publisher-vp8-simulcast.sdp");
        NegotiatedMedia video = pub.media(MediaKind.VIDEO);
        int mid = extensionId(video, HeaderExtensionUri.MID);
        int rid = extensionId(video, HeaderExtensionUri.RID);
        long[] ssrcs = {0x1111, 0x2222, 0x3333};
        String[] rids = {"q", "h", "f"};
        int[] seqs = {100, 2000, 30000};
        for (int layer = 0; layer < 3; layer++) {
            pub.feed(RoomFixtures.withPayloadStart(RoomFixtures.rtpWithText(96, seqs[layer]++, 0, ssrcs[layer], 10 * (layer + 1),
                    new int[] {mid, rid}, new String[] {"1", rids[layer]}), 10 * (layer + 1), RoomFixtures.VP8_KEYFRAME));
        }
        nowNs += 10 * MS;
        Sub sub = new Sub("chromium-subscriber.sdp");
        Consumer consumer = sub.slot(MediaKind.VIDEO).consumer();
        assertEquals(2, consumer.targetLayer(), "f is active: it waits for f");
        assertEquals(-1, consumer.layer());
        // f stops; q and h go on.
        for (int tick = 1; tick < 60; tick++) {
            nowNs += 30 * MS;
            for (int layer = 0; layer < 2; layer++) {
                pub.feed(RoomFixtures.withPayloadStart(rtp(96, seqs[layer]++, 2700L * tick, ssrcs[layer], 10 * (layer + 1)),
                        10 * (layer + 1), RoomFixtures.VP8_KEYFRAME));
            }
        }
        assertEquals(1, consumer.layer(), "once f counted as inactive, h");
        assertTrue(sub.received(MediaKind.VIDEO).size() > 10);
        assertTrue(sub.received(MediaKind.VIDEO).stream().allMatch(p -> p.payloadLength() == 20));
    }

    /** The home loop caches what only pipes take, so it can repair a packet another loop's pipe lost. */
    @Test
    void shouldCacheForPipesAndRepairWhatAPipeLost() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Producer video = pub.publisher.producers().get(1);
        RecordingUpstream pipe = new RecordingUpstream();
        video.addTap(pipe);
        for (int i = 0; i < 3; i++) pub.send(MediaKind.VIDEO, 500 + i, 3000L * i, 100);
        assertEquals(List.of("0:500", "0:501", "0:502"), pipe.tapped, "no subscriber here: only the pipe takes them");
        assertEquals(3, room.counters().rtpRouted());
        assertEquals(0, room.counters().dropped(RoomDrop.NO_CONSUMER), "piped on, not dropped");
        assertTrue(room.repair(video.id(), 0, 501, pipe, nowNs));
        assertEquals("0:501 repair", pipe.tapped.get(3));
        assertFalse(room.repair(video.id(), 0, 777, pipe, nowNs), "never received");
    }

    /** A piped packet, as a pipe's drain hands it to the room. */
    private void pipe(Producer producer, int layer, ByteBuf packet, boolean repair) {
        try {
            room.handlePipedRtp(producer, layer, packet, repair, nowNs);
            assertEquals(1, packet.refCnt(), "borrowed");
        } finally {
            packet.release();
        }
    }

    /** Subscribers of one simulcast Producer each receive the layer their own Consumer chose. */
    @Test
    void shouldLetEachSubscribersConsumerChooseItsLayer() {
        Pub pub = new Pub("chromium-publisher-vp8-simulcast.sdp");
        Sub capped = new Sub("chromium-subscriber.sdp");
        Sub full = new Sub("firefox-subscriber.sdp");
        capped.slot(MediaKind.VIDEO).consumer().setMaxLayer(0, nowNs);
        NegotiatedMedia video = pub.media(MediaKind.VIDEO);
        int mid = extensionId(video, HeaderExtensionUri.MID);
        int rid = extensionId(video, HeaderExtensionUri.RID);
        long[] ssrcs = {0x1111, 0x2222, 0x3333};
        String[] rids = {"q", "h", "f"};
        int[] lengths = {10, 20, 30};
        for (int tick = 0; tick < 10; tick++) {
            nowNs += 30 * MS;
            for (int layer = 0; layer < 3; layer++) {
                pub.feed(RoomFixtures.withPayloadStart(RoomFixtures.rtpWithText(96, 100 * layer + tick, 2700L * tick, ssrcs[layer],
                        lengths[layer], new int[] {mid, rid}, new String[] {"1", rids[layer]}), lengths[layer], RoomFixtures.VP8_KEYFRAME));
            }
        }
        List<RtpPacket> low = capped.received(MediaKind.VIDEO);
        List<RtpPacket> high = full.received(MediaKind.VIDEO);
        assertContinuous(low);
        assertContinuous(high);
        assertTrue(low.stream().allMatch(p -> p.payloadLength() == 10), "the capped subscriber stays on q");
        assertEquals(10, low.size());
        assertEquals(0, capped.slot(MediaKind.VIDEO).consumer().layer());
        assertEquals(2, full.slot(MediaKind.VIDEO).consumer().layer());
        assertEquals(30, high.get(high.size() - 1).payloadLength(), "the other one gets f");
        assertEquals(3 + 9, high.size(), "q, h and f at the first tick (each switch up at once), then f");
        assertEquals(9, room.counters().dropped(RoomDrop.LAYER_NOT_SELECTED), "h is nobody's after the first tick");
    }

    @Test
    void shouldDropMalformedUnknownRetransmittedAndUnnegotiatedPacketsAndCountThem() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        pub.feed(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 96, 0, 1, 0}));
        pub.feed(rtp(50, 1, 1, 0xABCDEF, 10));
        long rtxSsrc = pub.media(MediaKind.VIDEO).remoteSsrcs().get(0).rtxSsrc().getAsLong();
        pub.feed(rtp(97, 1, 1, rtxSsrc, 12));
        pub.feed(rtp(100, 1, 1, pub.ssrc(MediaKind.VIDEO), 10));
        assertEquals(1, room.counters().dropped(RoomDrop.MALFORMED_RTP));
        assertEquals(1, room.counters().dropped(RoomDrop.UNKNOWN_SSRC));
        assertEquals(1, room.counters().dropped(RoomDrop.PUBLISHER_RTX));
        assertEquals(1, room.counters().dropped(RoomDrop.CODEC_NOT_NEGOTIATED));
        assertEquals(0, sub.sender.rtp.size());
        assertEquals(4, room.counters().rtpIn());

        sub.sender.refuse = true;
        pub.send(MediaKind.AUDIO, 1, 1, 10);
        assertEquals(1, room.counters().dropped(RoomDrop.SEND_REFUSED));
        assertEquals(1, sub.slot(MediaKind.AUDIO).packetsDropped());

        ByteBuf nack = Unpooled.buffer();
        GenericNack.write(nack, 1, sub.slot(MediaKind.VIDEO).ssrc(), new int[] {5}, 0, 1, 4);
        sub.handleRtcp(nack);
        assertEquals(1, room.counters().dropped(RoomDrop.NACK_UNANSWERED));
        sub.handleRtcp(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 206, 0, 9}));
        assertEquals(1, room.counters().dropped(RoomDrop.MALFORMED_RTCP));
    }

    /**
     * Issue 12, defect 5: H.264 from x264-based encoders (GStreamer, OBS: {@code profile-level-id=42c01e}) reaches a
     * Chromium subscriber ({@code 42e01f}, the same Constrained Baseline), and every packet a publisher sends is
     * routed to someone or dropped under a reason: in = routed + packet drops.
     */
    @Test
    void shouldForwardX264H264ToChromiumAndRouteOrCountEveryPacket() {
        String offer = RoomFixtures.offer("chromium-publisher-h264.sdp")
                .replace("packetization-mode=1;profile-level-id=42001f", "packetization-mode=1;profile-level-id=42c01e");
        NegotiatedSession session = RoomFixtures.publisherFromText(offer);
        NegotiatedMedia video = media(session, MediaKind.VIDEO);
        assertEquals("42c01e", video.codecs().get(0).fmtpParameters().get("profile-level-id"), "the answer kept x264's profile");
        Publisher publisher = room.addPublisher(session, sender(), nowNs);
        int pt = video.codecs().get(0).payloadType();
        long ssrc = video.remoteSsrcs().get(0).ssrc();
        for (int seq = 0; seq < 3; seq++) feed(publisher, rtp(pt, seq, 3000L * seq, ssrc, 100)); // nobody watches yet

        Sub sub = new Sub("chromium-subscriber-h264.sdp");
        assertSame(publisher.producers().get(1), sub.slot(MediaKind.VIDEO).producer(), "the x264 track fills Chromium's H.264 slot");
        for (int seq = 3; seq < 8; seq++) {
            feed(publisher, RoomFixtures.withPayloadStart(rtp(pt, seq, 3000L * seq, ssrc, 100), 100, RoomFixtures.H264_KEYFRAME));
        }
        assertEquals(5, sub.received(MediaKind.VIDEO).size());
        feed(publisher, Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 96, 0, 1, 0}));
        feed(publisher, rtp(50, 1, 1, 0xABCDEF, 10)); // no MID, a payload type nobody negotiated: unknown
        long rtxSsrc = video.remoteSsrcs().get(0).rtxSsrc().getAsLong();
        feed(publisher, rtp(video.codecs().get(0).rtxPayloadType().getAsInt(), 1, 1, rtxSsrc, 12));

        RoomCounters c = room.counters();
        long packetDrops = 0;
        for (RoomDrop reason : RoomDrop.values()) {
            if (reason.isPacketDrop()) packetDrops += c.dropped(reason);
        }
        assertEquals(11, c.rtpIn());
        assertEquals(c.rtpIn() + c.rtpPipedIn(), c.rtpRouted() + packetDrops, "every packet routed or dropped under a reason");
        assertEquals(3, c.dropped(RoomDrop.NO_CONSUMER));
        assertEquals(5, c.rtpRouted());
    }

    private void feed(Publisher publisher, ByteBuf packet) {
        try {
            publisher.handleRtp(packet, nowNs);
        } finally {
            packet.release();
        }
    }

    @Test
    void shouldLearnAnUnannouncedSsrcFromTheMidExtension() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        int mid = extensionId(pub.media(MediaKind.VIDEO), HeaderExtensionUri.MID);
        pub.feed(rtp(96, 10, 10, 0x777, 10, mid, '1', 1));
        pub.feed(rtp(96, 11, 10, 0x777, 10));
        assertEquals(2, sub.received(MediaKind.VIDEO).size());
        assertEquals(0x777, pub.publisher.producers().get(1).layerSsrc(0));
    }

    @Test
    void shouldLeaveAVideoSlotFreeWhenNoProducerHasACodecTheSubscriberNegotiated() {
        Pub h264 = new Pub("chromium-publisher-h264.sdp");
        Sub vp8Only = new Sub("chromium-subscriber-vp8.sdp");
        assertNull(vp8Only.slot(MediaKind.VIDEO).producer());
        assertSame(h264.publisher.producers().get(0), vp8Only.slot(MediaKind.AUDIO).producer());
        Pub vp8 = new Pub("chromium-publisher-vp8.sdp");
        assertSame(vp8.publisher.producers().get(1), vp8Only.slot(MediaKind.VIDEO).producer());
        assertFalse(vp8Only.subscriber.slots().isEmpty());
    }
    private static ByteBuf nack(long mediaSsrc, int... lost) {
        ByteBuf out = Unpooled.buffer();
        GenericNack.write(out, 0x5EED, mediaSsrc, lost, 0, lost.length, 16);
        return out;
    }

    /**
     * Issue 11: a sequence number already resent is not resent again within the subscriber's round-trip time (its
     * first resend cannot have arrived yet); 100 ms before the first RTT, the RTT once a Receiver Report gave one.
     */
    @Test
    void shouldNotResendTheSameSequenceNumberWithinOneRoundTrip() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        for (int i = 0; i < 10; i++) {
            nowNs += 10 * MS;
            pub.send(MediaKind.VIDEO, 100 + i, 3000L * i, 100);
        }
        Slot slot = sub.slot(MediaKind.VIDEO);
        int lost = sub.received(MediaKind.VIDEO).get(5).sequenceNumber();
        sub.handleRtcp(nack(slot.ssrc(), lost));
        nowNs += 60 * MS;
        sub.handleRtcp(nack(slot.ssrc(), lost, (lost + 1) & 0xFFFF));
        assertEquals(2, slot.retransmissions(), "the repeated number withheld, the new one answered");
        assertEquals(1, room.counters().dropped(RoomDrop.NACK_WITHIN_RTT));
        nowNs += 41 * MS;
        sub.handleRtcp(nack(slot.ssrc(), lost));
        assertEquals(3, slot.retransmissions(), "answered again once 100 ms passed");

        // With a 300 ms RTT measured, a repeat 200 ms later is still too soon.
        subscriberReportsRtt(pub, sub, 300);
        pub.send(MediaKind.VIDEO, 110, 3000L * 10, 100);
        int fresh = sub.received(MediaKind.VIDEO).getLast().sequenceNumber();
        sub.handleRtcp(nack(slot.ssrc(), fresh));
        nowNs += 200 * MS;
        sub.handleRtcp(nack(slot.ssrc(), fresh));
        assertEquals(4, slot.retransmissions());
        assertEquals(2, room.counters().dropped(RoomDrop.NACK_WITHIN_RTT));
        assertEquals(6, room.counters().nacksIn());
    }

    /** Makes the server send {@code sub} a Sender Report (about {@code pub}'s video) and answers it {@code rttMs} later. */
    private void subscriberReportsRtt(Pub pub, Sub sub, long rttMs) {
        feedRtcp(pub.publisher, senderReport(pub.ssrc(MediaKind.VIDEO), 0x1234_5678_0000_0000L, 1));
        sub.sender.clear();
        nowNs += Room.REPORT_INTERVAL_NS;
        room.handleTimeout(nowNs);
        long lsr = -1;
        SenderReport sr = new SenderReport();
        for (ByteBuf b : sub.sender.rtcp) {
            if (sr.wrap(b, b.readerIndex(), b.readableBytes())) lsr = sr.compactNtp();
        }
        assertTrue(lsr >= 0, "the server sent a Sender Report");
        nowNs += rttMs * MS;
        ByteBuf rr = Unpooled.buffer();
        ReceiverReport.write(rr, 0x5EED, 1);
        ReportBlock.write(rr, sub.slot(MediaKind.VIDEO).ssrc(), 0, 0, 1, 0, lsr, 0);
        sub.handleRtcp(rr);
        assertEquals(rttMs, sub.subscriber.rttNs() / 1_000_000.0, 1.0);
    }

    @Test
    void shouldAnswerNacksFromTheRetransmissionCacheAsRtxWithTheOriginalSequenceNumber() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("firefox-subscriber.sdp");
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            nowNs += 10 * MS;
            sent.add(pub.send(MediaKind.VIDEO, 65_530 + i & 0xFFFF, 3000L * i, 100 + i));
        }
        List<RtpPacket> forwarded = sub.received(MediaKind.VIDEO);
        int lostA = forwarded.get(3).sequenceNumber();
        int lostB = forwarded.get(7).sequenceNumber();
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), lostA, lostB));

        Slot slot = sub.slot(MediaKind.VIDEO);
        List<RtpPacket> rtx = sub.sender.rtpWithSsrc(slot.rtxSsrc());
        assertEquals(2, rtx.size());
        for (int k = 0; k < 2; k++) {
            RtpPacket r = rtx.get(k);
            int i = k == 0 ? 3 : 7;
            assertEquals(124, r.payloadType(), "Firefox's RTX for VP8 120");
            assertEquals(k, r.sequenceNumber(), "RTX has its own numbering");
            assertEquals(forwarded.get(i).timestamp(), r.timestamp());
            byte[] payload = payload(r);
            assertEquals(forwarded.get(i).sequenceNumber(), (payload[0] & 0xFF) << 8 | payload[1] & 0xFF, "OSN");
            byte[] original = payload(sent.get(i), 100 + i);
            assertArrayEquals(original, java.util.Arrays.copyOfRange(payload, 2, payload.length));
            assertEquals(ABS_SEND_TIME, r.buffer().getUnsignedMedium(RtpPacket.foundOffset(r.findExtension(4))),
                    "extensions are mapped like the original's");
        }
        assertEquals(2, room.counters().retransmissions());
        assertEquals(2, slot.retransmissions());
        assertEquals(2, room.counters().nacksIn());
    }

    @Test
    void shouldResendTheSamePacketWhenTheSubscriberNegotiatedNoRtx() {
        String offer = RoomFixtures.offer("chromium-subscriber-vp8.sdp")
                .replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120 49", "m=video 9 UDP/TLS/RTP/SAVPF 96 118 119 120 49")
                .replace("a=rtpmap:97 rtx/90000\r\n", "").replace("a=fmtp:97 apt=96\r\n", "");
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        NegotiatedSession session = RoomFixtures.subscriberFromText(offer);
        RecordingSender sender = sender();
        Subscriber subscriber = room.addSubscriber(session, sender, nowNs);
        Slot slot = subscriber.slots().get(1);
        assertEquals(-1, slot.rtxSsrc());
        for (int i = 0; i < 4; i++) {
            pub.send(MediaKind.VIDEO, 10 + i, 90L * i, 50);
        }
        ByteBuf nack = nack(slot.ssrc(), 11);
        try {
            subscriber.handleRtcp(nack, nowNs);
        } finally {
            nack.release();
        }
        assertEquals(5, sender.rtp.size());
        // A resend is a new packet on the wire: the same but for its transport-wide number (issue 11).
        int tccId = extensionId(RoomFixtures.media(session, MediaKind.VIDEO), HeaderExtensionUri.TRANSPORT_CC);
        List<RtpPacket> sent = sender.rtpPackets();
        int original = RtpPacket.foundOffset(sent.get(1).findExtension(tccId));
        int resent = RtpPacket.foundOffset(sent.get(4).findExtension(tccId));
        assertEquals(1, sender.rtp.get(1).getUnsignedShort(original));
        assertEquals(4, sender.rtp.get(4).getUnsignedShort(resent));
        sender.rtp.get(4).setShort(resent, 1);
        assertEquals(ByteBufUtil.hexDump(sender.rtp.get(1)), ByteBufUtil.hexDump(sender.rtp.get(4)), "byte for byte the same packet");
    }

    @Test
    void shouldNotAnswerNacksForPacketsTooOldOrFromAnEarlierSource() {
        Pub first = new Pub("chromium-publisher-vp8.sdp");
        Pub second = new Pub("firefox-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        first.send(MediaKind.VIDEO, 500, 0, 50);
        first.send(MediaKind.AUDIO, 500, 0, 50);
        nowNs += 1_001 * MS;
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), 500));
        sub.handleRtcp(nack(sub.slot(MediaKind.AUDIO).ssrc(), 500));
        assertEquals(2, room.counters().dropped(RoomDrop.NACK_UNANSWERED), "too old; audio has no cache");

        first.send(MediaKind.VIDEO, 501, 90, 50);
        room.removePublisher(first.publisher, nowNs);
        second.send(MediaKind.VIDEO, 501, 90, 50);
        sub.handleRtcp(nack(sub.slot(MediaKind.VIDEO).ssrc(), 501));
        assertEquals(3, room.counters().dropped(RoomDrop.NACK_UNANSWERED), "501 was the first publisher's packet");
        assertEquals(0, room.counters().retransmissions());
    }
    private static ByteBuf senderReport(long ssrc, long ntp, long rtp) {
        ByteBuf out = Unpooled.buffer();
        SenderReport.write(out, ssrc, ntp, rtp, 10, 1000, 0);
        return out;
    }

    private void feedRtcp(Publisher publisher, ByteBuf packet) {
        try {
            publisher.handleRtcp(packet, nowNs);
        } finally {
            packet.release();
        }
    }

    @Test
    void shouldSendReceiverReportsToThePublisherWithLossJitterAndTheSenderReportEcho() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        new Sub("chromium-subscriber.sdp");
        long joinedNs = nowNs;
        for (int seq = 65_530; seq < 65_540; seq++) {
            nowNs += 30 * MS;
            if (seq != 65_534) {
                pub.send(MediaKind.VIDEO, seq & 0xFFFF, 2700L * seq, 100);
            }
        }
        long ntp = 0xE1E2E3E4_A1B2C3D4L;
        feedRtcp(pub.publisher, senderReport(pub.ssrc(MediaKind.VIDEO), ntp, 12345));
        assertEquals(joinedNs + Room.REPORT_INTERVAL_NS, pub.publisher.nextReportNs());
        nowNs = joinedNs + Room.REPORT_INTERVAL_NS;
        room.handleTimeout(nowNs);

        ByteBuf rr = pub.sender.rtcp.get(pub.sender.rtcp.size() - 1);
        ReceiverReport report = new ReceiverReport();
        assertTrue(report.wrap(rr, rr.readerIndex(), rr.readableBytes()));
        assertEquals(pub.publisher.feedbackSsrc(), report.senderSsrc());
        assertEquals(1, report.reportCount(), "audio received nothing");
        ReportBlock block = report.reportBlock(0, new ReportBlock());
        assertEquals(pub.ssrc(MediaKind.VIDEO), block.ssrc());
        assertEquals(1, block.cumulativeLost());
        assertEquals(256 / 10, block.fractionLost());
        assertEquals(65_539, block.extendedHighestSequenceNumber(), "one rollover: 1 << 16 | 3");
        assertEquals(0, block.jitter(), "30 ms apart, 2700 ticks apart: constant transit");
        assertEquals(0xE3E4_A1B2L, block.lastSenderReport());
        assertEquals((nowNs - (joinedNs + 300 * MS)) * 65_536 / 1_000_000_000L, block.delaySinceLastSenderReport());
        assertEquals(joinedNs + 2 * Room.REPORT_INTERVAL_NS, pub.publisher.nextReportNs());

        pub.send(MediaKind.VIDEO, 4, 2700L * 65_540, 100);
        nowNs += Room.REPORT_INTERVAL_NS;
        room.handleTimeout(nowNs);
        rr = pub.sender.rtcp.get(pub.sender.rtcp.size() - 1);
        assertTrue(report.wrap(rr, rr.readerIndex(), rr.readableBytes()));
        assertEquals(0, report.reportBlock(0, block).fractionLost(), "nothing lost in this interval");
        assertEquals(1, block.cumulativeLost());
    }

    @Test
    void shouldSendSenderReportsToSubscribersWithThePublishersRtpTimeInTheSlotsNumbering() {
        Pub first = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        first.send(MediaKind.VIDEO, 1, 5_000, 100);
        nowNs += 200 * MS;
        room.removePublisher(first.publisher, nowNs);
        Pub second = new Pub("firefox-publisher-vp8.sdp");
        nowNs += 100 * MS;
        second.send(MediaKind.VIDEO, 77, 900_000, 100);
        second.send(MediaKind.VIDEO, 78, 903_000, 60);
        RtpPacket last = sub.received(MediaKind.VIDEO).get(2);
        long offset = last.timestamp() - 903_000;
        feedRtcp(second.publisher, senderReport(second.ssrc(MediaKind.VIDEO), 0x1234_5678_0000_0000L, 903_000));

        sub.sender.clear();
        long srAtNs = nowNs;
        nowNs += 700 * MS;
        room.handleTimeout(nowNs);
        assertEquals(1, sub.sender.rtcp.size(), "one compound packet");
        ByteBuf compound = sub.sender.rtcp.get(0);
        RtcpCompound walk = new RtcpCompound();
        walk.wrap(compound, compound.readerIndex(), compound.readableBytes());
        assertTrue(walk.next());
        SenderReport sr = new SenderReport();
        assertTrue(sr.wrap(compound, walk.offset(), walk.length()));
        assertEquals(sub.slot(MediaKind.VIDEO).ssrc(), sr.senderSsrc());
        assertEquals((903_000 + 700 * 90 + offset) & 0xFFFF_FFFFL, sr.rtpTimestamp(), "publisher's clock, slot's numbering");
        long unixNs = nowNs + UNIX_OFFSET_NS;
        assertEquals(unixNs / 1_000_000_000L + 2_208_988_800L, sr.ntpTimestamp() >>> 32);
        assertEquals((unixNs % 1_000_000_000L << 32) / 1_000_000_000L, sr.ntpTimestamp() & 0xFFFF_FFFFL);
        assertEquals(3, sr.packetCount());
        assertEquals(260, sr.octetCount(), "payload octets only");
        assertTrue(walk.next());
        assertEquals(RtcpType.SDES, walk.packetType());
        SourceDescription sdes = new SourceDescription();
        assertTrue(sdes.wrap(compound, walk.offset(), walk.length()));
        assertFalse(walk.next(), "no SR for the audio slot: its source sent no Sender Report");
        assertTrue(srAtNs < nowNs);
    }
    /** Transport-cc toward the publisher: its browser's estimator needs to hear when each packet arrived (issue 11). */
    @Test
    void shouldSendTransportCcFeedbackToThePublisherForEveryPacketIncludingOnesItDrops() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        long start = nowNs;
        for (int seq = 1; seq <= 5; seq++) {
            nowNs += 2 * MS;
            if (seq != 3) pub.send(MediaKind.VIDEO, seq, 3000L * seq, 100); // the test's transport-wide number is seq
        }
        TransportCcFeedback fb = new TransportCcFeedback();
        room.handleTimeout(start + 101 * MS);
        assertTrue(pub.sender.rtcp.stream().noneMatch(b -> fb.wrap(b, b.readerIndex(), b.readableBytes())), "not before 100 ms");
        nowNs = start + 102 * MS;
        room.handleTimeout(nowNs);
        ByteBuf out = pub.sender.rtcp.stream().filter(b -> fb.wrap(b, b.readerIndex(), b.readableBytes())).findFirst().orElseThrow();
        assertTrue(fb.wrap(out, out.readerIndex(), out.readableBytes()));
        assertEquals(pub.publisher.feedbackSsrc(), fb.senderSsrc());
        assertEquals(1, fb.baseSequenceNumber());
        assertEquals(5, fb.packetStatusCount());
        assertEquals(4, fb.receivedCount(), "3 never came");
        List<Long> arrivals = new ArrayList<>();
        while (fb.next()) arrivals.add(fb.isReceived() ? fb.arrivalTimeUs() : -1);
        assertEquals(-1, arrivals.get(2));
        assertEquals(2_000, arrivals.get(1) - arrivals.get(0));
        assertEquals(4_000, arrivals.get(3) - arrivals.get(1));
        assertEquals(1, room.counters().transportCcFeedbackSent());
    }

    /** A subscriber's Receiver Report: its loss and, echoing our Sender Report, its round-trip time (dashboard). */
    @Test
    void shouldTakeLossAndRoundTripTimeFromTheSubscribersReceiverReport() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        Sub sub = new Sub("chromium-subscriber.sdp");
        pub.send(MediaKind.VIDEO, 1, 5_000, 100);
        feedRtcp(pub.publisher, senderReport(pub.ssrc(MediaKind.VIDEO), 0x1234_5678_0000_0000L, 5_000));
        assertEquals(-1, sub.subscriber.lossFraction(), "no report yet");
        assertEquals(-1, sub.subscriber.rttNs());
        sub.sender.clear();
        nowNs += Room.REPORT_INTERVAL_NS;
        room.handleTimeout(nowNs);
        ByteBuf compound = sub.sender.rtcp.get(0);
        SenderReport sr = new SenderReport();
        assertTrue(sr.wrap(compound, compound.readerIndex(), compound.readableBytes()));
        long lsr = sr.compactNtp();

        // 150 ms later the report arrives; the subscriber held our SR for 100 ms of that: RTT 50 ms.
        nowNs += 150 * MS;
        long videoSsrc = sub.slot(MediaKind.VIDEO).ssrc();
        ByteBuf rr = Unpooled.buffer();
        ReceiverReport.write(rr, 0x5EED, 3);
        ReportBlock.write(rr, 0xABCDEF, 255, 9, 1, 0, 0, 0); // not one of ours: ignored
        ReportBlock.write(rr, videoSsrc, 64, 3, 100, 0, lsr, 100 * 65_536 / 1_000);
        ReportBlock.write(rr, sub.slot(MediaKind.AUDIO).ssrc(), 0, 0, 100, 0, 0, 0); // no LSR: no RTT
        sub.handleRtcp(rr);
        assertEquals(0.25, sub.subscriber.lossFraction(), "the highest of our streams: 64/256");
        assertEquals(50.0, sub.subscriber.rttNs() / 1e6, 0.1);

        Figures.Subscriber figures = sub.subscriber.figures(nowNs);
        assertEquals(25.0, figures.lossPercent());
        assertEquals(50.0, figures.rttMs(), 0.1);
        Figures.Slot video = figures.slots().stream().filter(s -> s.kind().equals("video")).findFirst().orElseThrow();
        assertEquals(sub.slot(MediaKind.VIDEO).producer().id(), video.producerId());
        assertEquals(0, video.layer());
        assertEquals("highest active layer", video.reason());
        assertEquals(1, video.packetsSent());

        // A block whose echo comes out negative (an SR from before a clock step) leaves the RTT as it was.
        rr = Unpooled.buffer();
        ReceiverReport.write(rr, 0x5EED, 1);
        ReportBlock.write(rr, videoSsrc, 0, 3, 100, 0, (lsr + (10L << 16)) & 0xFFFF_FFFFL, 0);
        sub.handleRtcp(rr);
        assertEquals(50.0, sub.subscriber.rttNs() / 1e6, 0.1);
        assertEquals(0, sub.subscriber.lossFraction());
        assertEquals(0, room.counters().dropped(RoomDrop.MALFORMED_RTCP));
    }

    /** The publisher's figures: its tracks, their layers' SSRCs and bitrates, and the loss of its last report. */
    @Test
    void shouldDescribeThePublishersTracksLayersAndLoss() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        assertEquals(-1, pub.publisher.lossFraction(), "no Receiver Report yet");
        for (int seq = 1; seq <= 10; seq++) {
            nowNs += 120 * MS;
            if (seq != 5) pub.send(MediaKind.VIDEO, seq, 3000L * seq, 100);
        }
        room.handleTimeout(nowNs);
        assertEquals(25 / 256.0, pub.publisher.lossFraction(), 1e-9, "1 of 10 lost: 25/256");
        Figures.Publisher figures = pub.publisher.figures(nowNs);
        assertEquals(25 * 100 / 256.0, figures.lossPercent(), 1e-9);
        Figures.Track video = figures.tracks().stream().filter(t -> t.kind().equals("video")).findFirst().orElseThrow();
        assertEquals(9, video.packetsIn());
        Figures.Layer layer = video.layers().get(0);
        assertEquals(pub.ssrc(MediaKind.VIDEO), layer.ssrc());
        assertTrue(layer.active());
        assertTrue(layer.bitrateBps() > 0, "a full second of packets was counted: " + layer);
        nowNs += 3 * Room.REPORT_INTERVAL_NS;
        Figures.Layer stopped = pub.publisher.figures(nowNs).tracks().stream().filter(t -> t.kind().equals("video")).findFirst()
                .orElseThrow().layers().get(0);
        assertFalse(stopped.active());
        assertEquals(0, stopped.bitrateBps(), "no packet for three seconds");
    }

    @Test
    void shouldRequestKeyframesAgainWhenTheSubscribersTransportConnects() {
        Pub pub = new Pub("chromium-publisher-vp8.sdp");
        pub.send(MediaKind.VIDEO, 1, 1, 100);
        Sub sub = new Sub("chromium-subscriber.sdp");
        assertEquals(1, pub.sender.pliMediaSsrcs().size(), "on join");
        nowNs += 800 * MS;
        sub.subscriber.requestKeyframes(nowNs);
        assertEquals(List.of(pub.ssrc(MediaKind.VIDEO), pub.ssrc(MediaKind.VIDEO)), pub.sender.pliMediaSsrcs(),
                "video only, audio has no keyframes");
    }
    /** Chromium's recvonly offer with its video m-section twice (mids 1 and 2): two video slots. */
    private static String twoVideoSlotsOffer() {
        String offer = RoomFixtures.offer("chromium-subscriber.sdp");
        int video = offer.indexOf("m=video");
        String videoSection = offer.substring(video);
        return offer.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
                + videoSection.replace("a=mid:1", "a=mid:2");
    }

    @Test
    void shouldFillSeveralVideoSlotsInJoinOrderAndRefillAFreedOneFromTheNextPublisher() {
        NegotiatedSession session = RoomFixtures.subscriberFromText(twoVideoSlotsOffer());
        RecordingSender sender = sender();
        Subscriber subscriber = room.addSubscriber(session, sender, nowNs);
        List<Slot> video = subscriber.slots().stream().filter(s -> s.kind() == MediaKind.VIDEO).toList();
        assertEquals(2, video.size());
        assertEquals(List.of(0, 1), video.stream().map(Slot::index).toList());

        Pub first = new Pub("chromium-publisher-vp8.sdp");
        Pub second = new Pub("firefox-publisher-vp8.sdp");
        assertSame(first.publisher.producers().get(1), video.get(0).producer());
        assertSame(second.publisher.producers().get(1), video.get(1).producer());
        first.send(MediaKind.VIDEO, 10, 0, 50);
        second.send(MediaKind.VIDEO, 20, 0, 50);
        assertEquals(1, sender.rtpWithSsrc(video.get(0).ssrc()).size());
        assertEquals(1, sender.rtpWithSsrc(video.get(1).ssrc()).size());

        room.removePublisher(first.publisher, nowNs);
        assertNull(video.get(0).producer(), "the only other video Producer is already shown in slot 1");
        assertSame(second.publisher.producers().get(1), video.get(1).producer(), "slot 1 is not disturbed");
        Pub third = new Pub("chromium-publisher-h264.sdp");
        assertSame(third.publisher.producers().get(1), video.get(0).producer());
        nowNs += 40 * MS;
        third.send(MediaKind.VIDEO, 900, 0, 50);
        List<RtpPacket> slot0 = sender.rtpWithSsrc(video.get(0).ssrc());
        assertEquals(2, slot0.size());
        assertContinuous(slot0);
        assertEquals(codec(RoomFixtures.media(session, MediaKind.VIDEO), "H264").payloadType(), slot0.get(1).payloadType());
    }
}
