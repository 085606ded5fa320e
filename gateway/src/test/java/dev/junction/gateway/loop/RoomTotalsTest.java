package dev.junction.gateway.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.gateway.room.Publisher;
import dev.junction.gateway.room.Room;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.gateway.room.RoomDrop;
import dev.junction.transport.MediaSender;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoomTotalsTest {

    private static final DtlsCertificate CERT = DtlsCertificate.generate();
    private static final InetSocketAddress HERE = new InetSocketAddress("127.0.0.1", 40000);
    /** Refuses (and releases) everything: these rooms never get to send. */
    private static final MediaSender REFUSING = new MediaSender() {
        @Override
        public boolean sendRtp(ByteBuf packet) {
            packet.release();
            return false;
        }

        @Override
        public boolean sendRtcp(ByteBuf packet) {
            packet.release();
            return false;
        }
    };

    private final SecureRandom random = new SecureRandom();
    private final List<Room> rooms = new ArrayList<>();

    /** A room with one publisher (a real negotiated Chromium-shaped offer). */
    private Publisher publisherInNewRoom(String name) {
        Room room = new Room(name, PooledByteBufAllocator.DEFAULT, Room.Listener.NONE);
        rooms.add(room);
        String offer = ClientOffer.publisher(CERT.fingerprint(), HERE, random).sdp();
        AnswerResult result = new SdpNegotiator(MediaSessions.publisherCapabilities())
                .answer(offer, AnswerParameters.publisher(CERT.fingerprint().toSdpAttribute(), List.of(HERE), random));
        NegotiatedSession negotiated = ((AnswerResult.Answered) result).negotiated();
        return room.addPublisher(negotiated, REFUSING, System.nanoTime());
    }

    /** RTP that does not parse: counted in rtp_in and as a malformed_rtp drop, forwarded nowhere. */
    private static void sendMalformed(Publisher publisher, int packets) {
        for (int i = 0; i < packets; i++) {
            ByteBuf b = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 96, 0});
            try {
                publisher.handleRtp(b, System.nanoTime());
            } finally {
                b.release();
            }
        }
    }

    private static Map<String, Long> scrape(RoomTotals... loops) {
        StringBuilder out = new StringBuilder();
        RoomTotals.appendMetrics(out, loops);
        Map<String, Long> samples = new LinkedHashMap<>();
        for (String line : out.toString().split("\n")) {
            if (line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
        return samples;
    }

    @Test
    void shouldExportEveryRoomCounterAndDropReasonAsATotal() {
        Map<String, Long> samples = scrape(new RoomTotals());
        for (String name : List.of("rtp_in", "rtp_forwarded", "bytes_forwarded", "rtcp_in", "keyframe_requests_in",
                "keyframe_requests_sent", "keyframe_requests_coalesced", "source_switches", "nacks_in", "retransmissions",
                "reports_sent", "nacks_sent_upstream", "packets_recovered_upstream", "rtp_routed", "rtp_piped_in", "repairs_requested",
                "transport_cc_feedback_sent", "transport_cc_feedback_in", "rtp_numbered", "rtp_unnumbered", "active_decode_targets_untold", "padding_sent",
                "keyframes_instead_of_resends")) {
            assertEquals(0L, samples.get("junction_room_" + name + "_total"), name);
        }
        for (RoomDrop reason : RoomDrop.values()) {
            assertEquals(0L, samples.get("junction_room_dropped_total{reason=\"" + reason.name().toLowerCase() + "\"}"), reason.name());
        }
        for (String cause : List.of("viewer", "join", "switch", "restart", "dependency_structure", "instead_of_resend", "pipe")) {
            assertEquals(0L, samples.get("junction_room_keyframe_requests_total{cause=\"" + cause + "\"}"), cause);
        }
        // Issue 11: layer switches by cause, and the subscribers' estimates as a histogram.
        for (String cause : List.of("best", "bandwidth", "preference", "layer_inactive")) {
            assertEquals(0L, samples.get("junction_room_layer_switches_total{reason=\"" + cause + "\"}"), cause);
        }
        assertEquals(0L, samples.get("junction_subscriber_estimate_bps_bucket{le=\"+Inf\"}"));
        assertEquals(0L, samples.get("junction_subscriber_estimate_bps_count"));
        int buckets = dev.junction.gateway.room.RoomCounters.ESTIMATE_BOUNDS_BPS.length + 1;
        assertEquals(23 + RoomDrop.values().length + 4 + dev.junction.gateway.room.KeyframeCause.values().length + buckets + 2, samples.size(), "nothing else: " + samples.keySet());
    }

    @Test
    void shouldShowOnlyWhatTheLoopPublished() {
        RoomTotals loop = new RoomTotals();
        Publisher p = publisherInNewRoom("a");
        sendMalformed(p, 3);
        assertEquals(0L, scrape(loop).get("junction_room_rtp_in_total"), "nothing published yet");
        loop.publish(rooms);
        assertEquals(3L, scrape(loop).get("junction_room_rtp_in_total"));
        assertEquals(3L, scrape(loop).get("junction_room_dropped_total{reason=\"malformed_rtp\"}"));
        sendMalformed(p, 2);
        loop.publish(rooms);
        assertEquals(5L, scrape(loop).get("junction_room_rtp_in_total"), "grows with the room's counter");
    }

    @Test
    void shouldKeepAClosedRoomsCountsSoTheTotalNeverGoesBack() {
        RoomTotals loop = new RoomTotals();
        Publisher a = publisherInNewRoom("a");
        Publisher b = publisherInNewRoom("b");
        sendMalformed(a, 7);
        sendMalformed(b, 4);
        loop.publish(rooms);
        assertEquals(11L, scrape(loop).get("junction_room_rtp_in_total"));

        // As MediaSessions removes a room: in one loop task, out of the live list and into the closed counts.
        Room closing = a.room();
        closing.close(System.nanoTime());
        rooms.remove(closing);
        loop.addClosed(closing.counters());
        loop.publish(rooms);
        assertEquals(11L, scrape(loop).get("junction_room_rtp_in_total"), "the closed room still counts");

        sendMalformed(b, 1);
        loop.publish(rooms);
        assertEquals(12L, scrape(loop).get("junction_room_rtp_in_total"));
        assertEquals(12L, scrape(loop).get("junction_room_dropped_total{reason=\"malformed_rtp\"}"));
        b.room().close(System.nanoTime());
    }

    @Test
    void shouldSumTheLoops() {
        RoomTotals first = new RoomTotals();
        RoomTotals second = new RoomTotals();
        Publisher a = publisherInNewRoom("a");
        Publisher b = publisherInNewRoom("b");
        sendMalformed(a, 2);
        sendMalformed(b, 5);
        first.publish(List.of(a.room()));
        second.publish(List.of(b.room()));
        Map<String, Long> samples = scrape(first, second);
        assertEquals(7L, samples.get("junction_room_rtp_in_total"));
        assertEquals(0L, samples.get("junction_room_rtp_forwarded_total"));
        assertTrue(samples.get("junction_room_dropped_total{reason=\"unknown_ssrc\"}") == 0, "only malformed drops");
        for (Room r : rooms) r.close(System.nanoTime());
    }
}
