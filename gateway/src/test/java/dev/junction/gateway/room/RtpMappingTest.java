package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RtpMappingTest {

    private static NegotiatedCodec codec(int pt, String name, int rate, int channels, Map<String, String> fmtp) {
        return new NegotiatedCodec(pt, name, rate, channels, "", fmtp, OptionalInt.empty(), List.of());
    }

    @Test
    void shouldMatchH264OnlyWithTheSameProfileAndPacketizationMode() {
        NegotiatedCodec cb1 = codec(108, "H264", 90000, 1, Map.of("profile-level-id", "42e01f", "packetization-mode", "1"));
        NegotiatedCodec cb1Level52 = codec(126, "h264", 90000, 1, Map.of("profile-level-id", "42E034", "packetization-mode", "1"));
        NegotiatedCodec cb0 = codec(97, "H264", 90000, 1, Map.of("profile-level-id", "42e01f"));
        NegotiatedCodec high1 = codec(112, "H264", 90000, 1, Map.of("profile-level-id", "640c1f", "packetization-mode", "1"));
        assertTrue(RtpMapping.compatible(cb1, cb1Level52), "levels may differ, names are case-insensitive");
        assertFalse(RtpMapping.compatible(cb1, cb0), "packetization-mode defaults to 0 (RFC 6184 §8.1)");
        assertFalse(RtpMapping.compatible(cb1, high1));
        assertFalse(RtpMapping.compatible(codec(96, "VP8", 90000, 1, Map.of()), codec(96, "VP9", 90000, 1, Map.of())));
        assertFalse(RtpMapping.compatible(codec(98, "VP9", 90000, 1, Map.of("profile-id", "2")),
                codec(98, "VP9", 90000, 1, Map.of())));
        // x264-based encoders (GStreamer, OBS) write 42c01e: Baseline with constraint_set0 and 1, Constrained Baseline
        // like Chromium's 42e01f (issue 12, defect 5: compared as text they never matched and the video was lost).
        NegotiatedCodec x264 = codec(102, "H264", 90000, 1, Map.of("profile-level-id", "42c01e", "packetization-mode", "1"));
        NegotiatedCodec baseline = codec(103, "H264", 90000, 1, Map.of("profile-level-id", "42001f", "packetization-mode", "1"));
        assertTrue(RtpMapping.compatible(x264, cb1), "42c01e and 42e01f are both Constrained Baseline");
        assertFalse(RtpMapping.compatible(baseline, cb1), "plain Baseline is another profile");
        assertFalse(RtpMapping.compatible(codec(104, "H264", 90000, 1, Map.of("profile-level-id", "zzzzzz", "packetization-mode", "1")), cb1),
                "an unreadable profile-level-id matches nothing");
        assertTrue(RtpMapping.compatible(codec(111, "opus", 48000, 2, Map.of("useinbandfec", "1")),
                codec(109, "OPUS", 48000, 2, Map.of("stereo", "1"))));
    }

    @Test
    void shouldMapByCodecAndUriAndDropLegLocalExtensions() {
        NegotiatedMedia publisher = RoomFixtures.media(RoomFixtures.publisher("chromium-publisher-vp8.sdp"), MediaKind.VIDEO);
        Map<String, Integer> slotExtensions = Map.of(HeaderExtensionUri.ABS_SEND_TIME, 14, HeaderExtensionUri.MID, 1,
                HeaderExtensionUri.TRANSPORT_CC, 2, HeaderExtensionUri.VIDEO_ORIENTATION, 200);
        RtpMapping m = RtpMapping.between(publisher, List.of(codec(45, "AV1", 90000, 1, Map.of()),
                codec(120, "vp8", 90000, 1, Map.of())), slotExtensions);
        assertEquals(120, m.payloadType(96));
        assertEquals(RtpMapping.NOT_NEGOTIATED, m.payloadType(97), "RTX is not forwarded");
        assertEquals(90000, m.clockRate(96));
        byte[] ids = m.extensionIds();
        assertEquals(14, ids[2]);
        assertEquals((byte) 200, ids[13], "two-byte ids are kept; the rewrite drops them for one-byte packets");
        assertEquals(0, ids[3], "transport-cc");
        assertEquals(0, ids[4], "mid");
        assertEquals(0, ids[10], "rid");
        assertTrue(m.anyCodec());
    }
}
