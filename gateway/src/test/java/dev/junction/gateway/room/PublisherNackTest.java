package dev.junction.gateway.room;

import static dev.junction.gateway.room.RoomFixtures.rtp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Losses on the publisher leg: Generic NACKs upstream (RFC 4585 §6.2.1) and the publisher's RTX answers (RFC 4588). */
class PublisherNackTest {
    private static final long MS = 1_000_000L;
    /** Chromium's VP8 and its RTX payload type in chromium-publisher-vp8.sdp ({@code a=fmtp:97 apt=96}). */
    private static final int VP8 = 96;
    private static final int RTX = 97;

    private final List<RecordingSender> senders = new ArrayList<>();
    private final Room room = new Room("nack", PooledByteBufAllocator.DEFAULT, r -> { }, new SplittableRandom(3), 0);
    private long nowNs = 5_000_000_000L;

    @AfterEach
    void release() {
        room.close(nowNs);
        senders.forEach(RecordingSender::close);
    }

    private RecordingSender sender() {
        RecordingSender s = new RecordingSender();
        senders.add(s);
        return s;
    }

    private final class Pub {
        final RecordingSender sender = sender();
        final NegotiatedSession session = RoomFixtures.publisher("chromium-publisher-vp8.sdp");
        final Publisher publisher;
        final NegotiatedMedia video = RoomFixtures.media(session, MediaKind.VIDEO);
        final long ssrc = video.remoteSsrcs().get(0).ssrc();
        final long rtxSsrc = video.remoteSsrcs().get(0).rtxSsrc().getAsLong();

        Pub() {
            publisher = room.addPublisher(session, sender, nowNs);
        }

        /** Sends VP8 packet {@code seq} (timestamp and payload derived from it); returns its payload. */
        byte[] send(int seq) {
            ByteBuf packet = rtp(VP8, seq, 3000L * seq, ssrc, 40);
            packet.setShort(packet.writerIndex() - 40 + 2, seq);
            byte[] payload = ByteBufUtil.getBytes(packet, packet.writerIndex() - 40, 40);
            feed(packet);
            return payload;
        }

        /** Sends the RTX answer (RFC 4588 §4) for {@code osn} with its own sequence number {@code rtxSeq}. */
        void sendRtx(int rtxSeq, int osn, byte[] originalPayload) {
            ByteBuf packet = rtp(RTX, rtxSeq, 3000L * osn, rtxSsrc, 2 + originalPayload.length);
            int at = packet.writerIndex() - originalPayload.length - 2;
            packet.setShort(at, osn);
            packet.setBytes(at + 2, originalPayload);
            feed(packet);
        }

        void feed(ByteBuf packet) {
            try {
                byte[] before = ByteBufUtil.getBytes(packet);
                publisher.handleRtp(packet, nowNs);
                assertArrayEquals(before, ByteBufUtil.getBytes(packet), "the ingress packet must stay unmodified");
                assertEquals(1, packet.refCnt());
            } finally {
                packet.release();
            }
        }

        /** The lost sequence numbers of each NACK sent to this publisher so far, in order. */
        List<List<Integer>> nacks() {
            List<List<Integer>> out = new ArrayList<>();
            RtcpCompound compound = new RtcpCompound();
            GenericNack nack = new GenericNack();
            for (ByteBuf b : sender.rtcp) {
                compound.wrap(b, b.readerIndex(), b.readableBytes());
                while (compound.next()) {
                    if (compound.packetType() == RtcpType.RTPFB && compound.format() == RtcpType.FMT_NACK) {
                        assertTrue(nack.wrap(b, compound.offset(), compound.length()));
                        assertEquals(publisher.feedbackSsrc(), nack.senderSsrc());
                        assertEquals(ssrc, nack.mediaSsrc());
                        List<Integer> lost = new ArrayList<>();
                        nack.resetLost();
                        for (int s = nack.nextLost(); s >= 0; s = nack.nextLost()) {
                            lost.add(s);
                        }
                        out.add(lost);
                    }
                }
            }
            return out;
        }
    }

    /** Moves the fake clock to {@code targetNs}, firing the room's timers at their deadlines on the way. */
    private void advanceTo(long targetNs) {
        for (long next = room.nextTimeoutNs(); next != Long.MAX_VALUE && next - targetNs <= 0; next = room.nextTimeoutNs()) {
            nowNs = Math.max(nowNs, next);
            room.handleTimeout(nowNs);
        }
        nowNs = targetNs;
    }

    private Slot videoSlot(Subscriber s) {
        return s.slots().stream().filter(x -> x.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
    }

    @Test
    void shouldNackExactlyTheMissingSequenceNumbersAfterTheDelayRetryTwiceThenGiveUp() {
        Pub pub = new Pub();
        for (int seq = 65_533; seq <= 65_535; seq++) {
            nowNs += MS;
            pub.send(seq);
        }
        nowNs += MS;
        long gapSeenNs = nowNs;
        pub.send(2); // 0 and 1 lost, across the wrap
        advanceTo(gapSeenNs + MissingPackets.FIRST_NACK_DELAY_NS - 1);
        assertEquals(List.of(), pub.nacks(), "not before the reordering delay");

        advanceTo(gapSeenNs + MissingPackets.FIRST_NACK_DELAY_NS);
        assertEquals(List.of(List.of(0, 1)), pub.nacks());

        advanceTo(gapSeenNs + MissingPackets.FIRST_NACK_DELAY_NS + MissingPackets.RETRY_INTERVAL_NS - 1);
        assertEquals(1, pub.nacks().size(), "retries are spaced");
        advanceTo(gapSeenNs + 900 * MS);
        assertEquals(List.of(List.of(0, 1), List.of(0, 1), List.of(0, 1)), pub.nacks(), "three NACKs, then it gives up");
        assertEquals(6, room.counters().nacksSentUpstream());
        assertEquals(2, pub.publisher.missingCount(pub.publisher.producers().get(1), 0), "still welcome if they come");

        advanceTo(gapSeenNs + MissingPackets.MAX_AGE_NS + MS);
        assertEquals(0, pub.publisher.missingCount(pub.publisher.producers().get(1), 0), "forgotten after a second");
        assertEquals(3, pub.nacks().size());
        assertEquals(0, room.counters().packetsRecoveredUpstream());
    }

    /**
     * Another media loop sees the publisher through a pipe (a tap on its home Producer): it gets every packet, and
     * the original rebuilt from an RTX answer as a late repair. The copy there sends nothing to the publisher: no
     * NACK and no Receiver Report (the home loop does), and its keyframe requests go back through the pipe.
     */
    @Test
    void shouldPipeRecoveredPacketsAsRepairsAndLetPipedCopiesSendNothingUpstream() {
        Pub pub = new Pub();
        Producer video = pub.publisher.producers().get(1);
        RecordingUpstream pipe = new RecordingUpstream();
        video.addTap(pipe);
        byte[] payload101 = new byte[40];
        pub.send(100);
        nowNs += MS;
        pub.send(102); // 101 lost
        advanceTo(nowNs + 100 * MS);
        assertEquals(List.of(List.of(101)), pub.nacks(), "the home loop NACKs it");
        pub.sendRtx(1, 101, payload101);
        assertEquals(List.of("0:100", "0:102", "0:101 repair"), pipe.tapped, "tagged with its layer; the recovery as a repair");
        RtpPacket repaired = new RtpPacket();
        ByteBuf repairedBytes = io.netty.buffer.Unpooled.wrappedBuffer(pipe.tappedBytes.get(2));
        assertTrue(repaired.wrap(repairedBytes, 0, repairedBytes.readableBytes()));
        assertEquals(pub.ssrc, repaired.ssrc(), "rebuilt with the primary SSRC and payload type");
        assertEquals(VP8, repaired.payloadType());

        Room otherLoop = new Room("nack", PooledByteBufAllocator.DEFAULT, r -> { }, new SplittableRandom(4), 0);
        try {
            RecordingUpstream back = new RecordingUpstream();
            Producer copy = otherLoop.addPipedProducer(video.info(), back, nowNs);
            RecordingSender viewerSender = sender();
            Subscriber viewer = otherLoop.addSubscriber(RoomFixtures.subscriber("chromium-subscriber-vp8.sdp"), viewerSender, nowNs);
            for (int i = 0; i < pipe.tappedBytes.size(); i++) {
                ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(pipe.tappedBytes.get(i));
                try {
                    otherLoop.handlePipedRtp(copy, 0, b, pipe.tapped.get(i).endsWith("repair"), nowNs);
                } finally {
                    b.release();
                }
            }
            assertEquals(3, viewerSender.rtpWithSsrc(videoSlot(viewer).ssrc()).size(), "100, 102, then 101 late");
            ByteBuf pli = io.netty.buffer.Unpooled.buffer();
            dev.junction.codec.rtcp.PictureLossIndication.write(pli, 0x5EED, videoSlot(viewer).ssrc());
            try {
                viewer.handleRtcp(pli, nowNs);
            } finally {
                pli.release();
            }
            assertEquals(List.of(video.id() + "/0", video.id() + "/0"), back.keyframes,
                    "the viewer's join and then its PLI ask through the pipe (the home loop rate-limits)");
            for (long t = nowNs; t - (nowNs + 3_000 * MS) < 0; t += 10 * MS) {
                if (otherLoop.nextTimeoutNs() - t <= 0) otherLoop.handleTimeout(t);
            }
            assertEquals(0, otherLoop.counters().nacksSentUpstream(), "a piped copy never NACKs the publisher");
            assertEquals(0, otherLoop.counters().rtpIn(), "counted once, on the publisher's own loop");
            assertEquals(3, otherLoop.counters().rtpPipedIn());
        } finally {
            repairedBytes.release();
            otherLoop.close(nowNs);
        }
    }

    @Test
    void shouldNotNackReorderedPacketsOrAJumpTooLargeToBeLoss() {
        Pub pub = new Pub();
        pub.send(100);
        nowNs += MS;
        pub.send(102);
        nowNs += 5 * MS;
        pub.send(101);
        nowNs += MS;
        pub.send(103 + MissingPackets.MAX_GAP + 1); // a new source: 101 skipped numbers
        advanceTo(nowNs + 500 * MS);
        assertEquals(List.of(), pub.nacks());
        assertEquals(0, room.counters().nacksSentUpstream());
        assertEquals(0, pub.publisher.missingCount(pub.publisher.producers().get(1), 0));
    }

    @Test
    void shouldForwardTheRtxAnswerAsTheOriginalInTheSubscribersNumberingAndStopRetrying() {
        Pub first = new Pub();
        RecordingSender subSender = sender();
        Subscriber sub = room.addSubscriber(RoomFixtures.subscriber("chromium-subscriber.sdp"), subSender, nowNs);
        Slot slot = videoSlot(sub);
        for (int seq = 5_000; seq < 5_005; seq++) {
            nowNs += MS;
            first.send(seq);
        }
        room.removePublisher(first.publisher, nowNs);
        Pub pub = new Pub();
        assertEquals(pub.publisher.producers().get(1), slot.producer(), "the slot is refilled");
        RecordingSender lateSender = sender();
        Subscriber late = room.addSubscriber(RoomFixtures.subscriber("chromium-subscriber.sdp"), lateSender, nowNs);
        Slot lateSlot = videoSlot(late);

        for (int seq = 700; seq <= 702; seq++) {
            nowNs += MS;
            pub.send(seq);
        }
        nowNs += MS;
        pub.send(704);
        advanceTo(nowNs + MissingPackets.FIRST_NACK_DELAY_NS);
        assertEquals(List.of(List.of(703)), pub.nacks());

        byte[] original = new byte[40];
        for (int i = 0; i < original.length; i++) {
            original[i] = (byte) (i * 11 + 3);
        }
        nowNs += 30 * MS;
        pub.sendRtx(1, 703, original);

        List<RtpPacket> got = subSender.rtpWithSsrc(slot.ssrc());
        assertEquals(10, got.size());
        RtpPacket recovered = got.get(9);
        assertEquals(5_008, recovered.sequenceNumber(), "703 in the slot's numbering: 700 went out as 5005");
        assertEquals(5_009, got.get(8).sequenceNumber());
        assertEquals(slot.ssrc(), recovered.ssrc());
        assertEquals(RoomFixtures.codec(RoomFixtures.media(sub.session(), MediaKind.VIDEO), "VP8").payloadType(),
                recovered.payloadType());
        assertArrayEquals(original, ByteBufUtil.getBytes(recovered.buffer(), recovered.payloadOffset(), recovered.payloadLength()));
        assertEquals((got.get(8).timestamp() - 3000) & 0xFFFF_FFFFL, recovered.timestamp(), "one frame before 704");
        List<RtpPacket> lateGot = lateSender.rtpWithSsrc(lateSlot.ssrc());
        assertEquals(5, lateGot.size(), "a fresh slot keeps the source's numbering");
        assertEquals(703, lateGot.get(4).sequenceNumber());
        assertEquals(1, room.counters().packetsRecoveredUpstream());

        advanceTo(nowNs + 500 * MS);
        assertEquals(1, pub.nacks().size(), "no retries once recovered");
        assertEquals(0, pub.publisher.missingCount(pub.publisher.producers().get(1), 0));
        assertEquals(0, room.counters().dropped(RoomDrop.PUBLISHER_RTX));
    }

    @Test
    void shouldCountAndDropRtxForUnknownDuplicateOrTooOldSequenceNumbers() {
        Pub pub = new Pub();
        RecordingSender subSender = sender();
        Subscriber sub = room.addSubscriber(RoomFixtures.subscriber("chromium-subscriber.sdp"), subSender, nowNs);
        Slot slot = videoSlot(sub);
        pub.send(10);
        nowNs += MS;
        pub.send(12);
        nowNs += MS;
        pub.send(20);
        int forwarded = subSender.rtpWithSsrc(slot.ssrc()).size();
        byte[] payload = new byte[20];

        pub.sendRtx(1, 10, payload);
        assertEquals(1, room.counters().dropped(RoomDrop.PUBLISHER_RTX), "10 was never missing");
        pub.sendRtx(2, 9, payload);
        assertEquals(2, room.counters().dropped(RoomDrop.PUBLISHER_RTX), "nor was 9, before the first packet");

        advanceTo(nowNs + MissingPackets.FIRST_NACK_DELAY_NS);
        pub.sendRtx(3, 11, payload);
        assertEquals(forwarded + 1, subSender.rtpWithSsrc(slot.ssrc()).size());
        pub.sendRtx(4, 11, payload);
        assertEquals(3, room.counters().dropped(RoomDrop.PUBLISHER_RTX), "a duplicate answer");

        advanceTo(nowNs + MissingPackets.MAX_AGE_NS + MS);
        pub.sendRtx(5, 15, payload);
        assertEquals(4, room.counters().dropped(RoomDrop.PUBLISHER_RTX), "too old: forgotten");
        ByteBuf probe = rtp(RTX, 6, 0, pub.rtxSsrc, 0);
        pub.feed(probe);
        assertEquals(5, room.counters().dropped(RoomDrop.PUBLISHER_RTX), "padding-only probe has no OSN");
        assertEquals(forwarded + 1, subSender.rtpWithSsrc(slot.ssrc()).size());
        assertEquals(1, room.counters().packetsRecoveredUpstream());
    }
}
