package dev.junction.codec.sdp.jsep;

import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.ADDRESSES;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.DEFAULT;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.IPV4;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.LOCAL_FINGERPRINT;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.LOCAL_FINGERPRINT_TEXT;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.answerAndCheck;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.lines;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.publisher;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.rejected;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.sessionLines;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.subscriber;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.withRole;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SdpNegotiatorTest {
    private static final String PLAYOUT_DELAY = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

    private static SessionDescription offer(String fixture) {
        return SdpFixtures.parse(fixture);
    }

    private static SdpNegotiator negotiator(CodecCapability... codecs) {
        return new SdpNegotiator(MediaCapabilities.defaults().withCodecs(List.of(codecs)));
    }

    @Test
    void shouldAnswerChromiumPublisherAsIceLitePassiveReceiverWithOneCandidatePerAddress() {
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-publisher-vp8.sdp"), publisher());
        SessionDescription answer = a.answer();

        List<String> session = sessionLines(answer);
        assertEquals("v=0", session.get(0));
        assertTrue(session.get(1).matches("o=- \\d+ 1 IN IP4 0\\.0\\.0\\.0"), session.get(1));
        assertEquals(List.of("s=-", "t=0 0", "a=ice-lite", "a=group:BUNDLE 0 1", "a=extmap-allow-mixed"),
                session.subList(2, session.size()));

        String ufrag = a.negotiated().localIce().ufrag();
        String pwd = a.negotiated().localIce().pwd();
        assertEquals(List.of(
                "m=audio 40000 UDP/TLS/RTP/SAVPF 111",
                "c=IN IP4 192.0.2.1",
                "a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host",
                "a=candidate:2 1 udp 2130706175 2001:db8::1 40000 typ host",
                "a=end-of-candidates",
                "a=ice-ufrag:" + ufrag,
                "a=ice-pwd:" + pwd,
                "a=fingerprint:" + LOCAL_FINGERPRINT_TEXT,
                "a=setup:passive",
                "a=mid:0",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=recvonly",
                "a=rtcp-mux",
                "a=rtcp-rsize",
                "a=rtpmap:111 opus/48000/2",
                "a=rtcp-fb:111 transport-cc",
                "a=fmtp:111 minptime=10;useinbandfec=1"), lines(answer.media().get(0)));
        assertEquals(List.of(
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
                "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:" + ufrag,
                "a=ice-pwd:" + pwd,
                "a=fingerprint:" + LOCAL_FINGERPRINT_TEXT,
                "a=setup:passive",
                "a=mid:1",
                "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                "a=extmap:13 urn:3gpp:video-orientation",
                "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
                "a=recvonly",
                "a=rtcp-mux",
                "a=rtcp-rsize",
                "a=rtpmap:96 VP8/90000",
                "a=rtcp-fb:96 goog-remb",
                "a=rtcp-fb:96 transport-cc",
                "a=rtcp-fb:96 ccm fir",
                "a=rtcp-fb:96 nack",
                "a=rtcp-fb:96 nack pli",
                "a=rtpmap:97 rtx/90000",
                "a=fmtp:97 apt=96"), lines(answer.media().get(1)));
    }

    @Test
    void shouldDescribeTheChromiumPublisherSessionForTransportAndRoom() {
        NegotiatedSession n = answerAndCheck(DEFAULT, offer("chromium-publisher-vp8.sdp"), publisher()).negotiated();
        assertEquals(new IceCredentials("NkWT", "T+gJnGNWycD/LhRmrrWEMLUM"), n.remoteIce());
        assertEquals(1, n.remoteFingerprints().size());
        assertEquals("sha-256", n.remoteFingerprints().get(0).algorithm());
        assertArrayEquals(HexFormat.ofDelimiter(":").parseHex(
                "E6:1D:54:07:F1:25:05:B5:CA:DC:95:39:15:4B:50:DB:F2:58:90:82:19:41:9B:FC:CC:F3:61:C0:57:C8:69:8B"),
                n.remoteFingerprints().get(0).bytes());
        assertEquals(SetupRole.ACTPASS, n.remoteSetup());
        assertEquals(List.of("0", "1"), n.bundleMids());

        NegotiatedMedia audio = n.media("0").orElseThrow();
        assertEquals(MediaKind.AUDIO, audio.kind());
        assertEquals(Direction.RECVONLY, audio.direction());
        assertTrue(audio.receives());
        assertFalse(audio.sends());
        assertEquals(List.of(new NegotiatedCodec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1",
                Map.of("minptime", "10", "useinbandfec", "1"), OptionalInt.empty(), List.of(RtcpFeedback.TRANSPORT_CC))),
                audio.codecs());
        assertEquals(List.of(new RemoteSsrc(1052558368L, OptionalLong.empty(), "+GOoJjxZB17QM+Cl")), audio.remoteSsrcs());
        assertEquals(OptionalInt.of(1), audio.headerExtensionId(HeaderExtensionUri.AUDIO_LEVEL));

        NegotiatedMedia video = n.media("1").orElseThrow();
        NegotiatedCodec vp8 = video.codecs().get(0);
        assertEquals(96, vp8.payloadType());
        assertEquals(OptionalInt.of(97), vp8.rtxPayloadType());
        assertEquals(List.of(RtcpFeedback.GOOG_REMB, RtcpFeedback.TRANSPORT_CC, RtcpFeedback.CCM_FIR, RtcpFeedback.NACK,
                RtcpFeedback.NACK_PLI), vp8.rtcpFeedback());
        assertEquals(Optional.of(vp8), video.codecForPayloadType(97));
        assertEquals(List.of(new RemoteSsrc(1593892092L, OptionalLong.of(881826833L), "+GOoJjxZB17QM+Cl")),
                video.remoteSsrcs());
        assertEquals("090ea826-c4ee-4408-a47f-ccd9d00c80c9", video.remoteMsid().orElseThrow().trackId());
        assertEquals(Map.of(HeaderExtensionUri.ABS_SEND_TIME, 2, HeaderExtensionUri.VIDEO_ORIENTATION, 13,
                HeaderExtensionUri.TRANSPORT_CC, 3, HeaderExtensionUri.MID, 4, HeaderExtensionUri.RID, 10,
                HeaderExtensionUri.REPAIRED_RID, 11), video.headerExtensions());
        assertTrue(video.rtcpReducedSize());
        assertTrue(video.extmapAllowMixed());
        assertEquals(List.of(), video.simulcastLayers());
    }

    @Test
    void shouldAcceptFirefoxBundleOnlyVideoAndUseSessionLevelFingerprint() {
        SessionDescription offer = offer("firefox-publisher-vp8.sdp");
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer, publisher());
        MediaDescription video = a.answer().media().get(1);
        assertEquals(9, video.port(), "port 0 + bundle-only in the offer is bundled, not rejected");
        assertFalse(video.bundleOnly(), "RFC 8843 §7.3: the answer never says bundle-only");
        assertEquals(List.of(120, 124), video.payloadTypes());
        assertEquals(List.of("0", "1"), a.negotiated().bundleMids());
        assertEquals(offer.fingerprints(), a.negotiated().remoteFingerprints());
        assertEquals(new IceCredentials("13ad625a", "28b429304a3789501a8c5b6550074002"), a.negotiated().remoteIce());
        // Firefox writes a=extmap-allow-mixed per m-line, so the answer does too.
        assertFalse(sessionLines(a.answer()).contains("a=extmap-allow-mixed"));
        assertTrue(lines(video).contains("a=extmap-allow-mixed"));
        assertEquals(List.of(109), a.answer().media().get(0).payloadTypes());
        // The offer's component-2, TCP and ::1 candidates change nothing: one UDP host candidate per address.
        assertEquals(2, a.answer().media().get(0).candidates().size());
    }

    @Test
    void shouldKeepChromiumSimulcastRidsAsReceiveLayers() {
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-publisher-vp8-simulcast.sdp"), publisher());
        List<String> video = lines(a.answer().media().get(1));
        assertEquals(List.of("a=rid:q recv", "a=rid:h recv", "a=rid:f recv", "a=simulcast:recv q;h;f"),
                video.subList(video.size() - 4, video.size()));
        // Declined: with it Chromium moves the VP8 picture id and temporal layer index out of the payload descriptor.
        assertTrue(video.stream().noneMatch(l -> l.contains("dependency-descriptor")), video::toString);
        assertEquals(List.of(new SimulcastLayer("q", false), new SimulcastLayer("h", false), new SimulcastLayer("f", false)),
                a.negotiated().media("1").orElseThrow().simulcastLayers());
    }

    @Test
    void shouldAnswerTheDependencyDescriptorOnlyWhereTheOffererSendsACodecItIsRestrictedTo() {
        // media.dependency-descriptor auto: VP9 and AV1 publishers get it (their temporal layers are read nowhere
        // else), a VP8 publisher does not (Chromium would move its picture ids into it).
        SdpNegotiator restricted = new SdpNegotiator(MediaCapabilities.defaults().withDependencyDescriptorFor(List.of("vp9", "AV1")));
        String vp8 = SdpFixtures.text("chromium-publisher-vp8-simulcast.sdp");
        List<String> declined = lines(answerAndCheck(restricted, SdpFixtures.parseText(vp8), publisher()).answer().media().get(1));
        assertTrue(declined.stream().noneMatch(l -> l.contains("dependency-descriptor")), declined::toString);

        for (String codec : List.of("VP9", "AV1")) {
            String offer = vp8.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 " + codec + "/90000");
            AnswerResult.Answered a = answerAndCheck(restricted, SdpFixtures.parseText(offer), publisher());
            List<String> video = lines(a.answer().media().get(1));
            assertTrue(video.contains("a=extmap:12 " + HeaderExtensionUri.DEPENDENCY_DESCRIPTOR), codec + ": " + video);
            assertEquals(OptionalInt.of(12), a.negotiated().media("1").orElseThrow().headerExtensionId(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR));
            // Never on audio, which does not offer it.
            assertTrue(lines(a.answer().media().get(0)).stream().noneMatch(l -> l.contains("dependency-descriptor")));
        }

        // Unrestricted (media.dependency-descriptor on): answered for VP8 too.
        SdpNegotiator any = new SdpNegotiator(MediaCapabilities.defaults().withDependencyDescriptor());
        List<String> vp8Answered = lines(answerAndCheck(any, SdpFixtures.parseText(vp8), publisher()).answer().media().get(1));
        assertTrue(vp8Answered.contains("a=extmap:12 " + HeaderExtensionUri.DEPENDENCY_DESCRIPTOR), vp8Answered::toString);
    }

    @Test
    void shouldKeepFirefoxSimulcastAndAnswerSendonlyExtensionsRecvonly() {
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("firefox-publisher-vp8-simulcast.sdp"), publisher());
        List<String> video = lines(a.answer().media().get(1));
        assertTrue(video.stream().noneMatch(l -> l.contains("dependency-descriptor")), video::toString);
        assertTrue(video.containsAll(List.of(
                "a=extmap:9/recvonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                "a=extmap:10/recvonly urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
                "a=rid:q recv", "a=rid:h recv", "a=rid:f recv", "a=simulcast:recv q;h;f")), video::toString);
        NegotiatedMedia n = a.negotiated().media("1").orElseThrow();
        assertEquals(3, n.remoteSsrcs().size());
        assertEquals(OptionalLong.of(3054819165L), n.remoteSsrcs().get(0).rtxSsrc());
        assertEquals(OptionalInt.of(9), n.headerExtensionId(HeaderExtensionUri.RID));
    }

    @Test
    void shouldDropSimulcastWhenTheRidExtensionIsNotSupported() {
        SdpNegotiator noRid = new SdpNegotiator(MediaCapabilities.defaults().withHeaderExtensions(
                List.of(HeaderExtensionUri.MID, HeaderExtensionUri.TRANSPORT_CC)));
        AnswerResult.Answered a = answerAndCheck(noRid, offer("chromium-publisher-vp8-simulcast.sdp"), publisher());
        assertEquals(List.of(), a.answer().media().get(1).rids());
        assertTrue(a.answer().media().get(1).simulcast().isEmpty());
        assertEquals(List.of(), a.negotiated().media("1").orElseThrow().simulcastLayers());
    }

    @Test
    void shouldAnswerRecvonlySubscriberWithSsrcsMsidAndFidPerSlot() {
        NegotiatorFixtures.SlotAllocator slots = new NegotiatorFixtures.SlotAllocator();
        AnswerParameters p = AnswerParameters.subscriber(LOCAL_FINGERPRINT, ADDRESSES, NegotiatorFixtures.seeded(4), slots);
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-subscriber.sdp"), p);

        assertTrue(sessionLines(a.answer()).contains("a=msid-semantic:WMS *"));
        List<String> audio = lines(a.answer().media().get(0));
        assertTrue(audio.containsAll(List.of("a=sendonly", "a=msid:room audio-0", "a=ssrc:1000 cname:junction",
                "a=ssrc:1000 msid:room audio-0")), audio::toString);
        assertTrue(audio.stream().noneMatch(l -> l.startsWith("a=ssrc-group")), "Opus has no RTX, so no FID");

        MediaDescription video = a.answer().media().get(1);
        assertEquals(List.of(96, 97, 98, 99, 108, 109, 45, 46), video.payloadTypes());
        List<String> videoLines = lines(video);
        assertEquals(List.of("a=ssrc-group:FID 2000 2001", "a=ssrc:2000 cname:junction", "a=ssrc:2000 msid:room video-0",
                "a=ssrc:2001 cname:junction", "a=ssrc:2001 msid:room video-0"),
                videoLines.subList(videoLines.size() - 5, videoLines.size()));
        assertTrue(videoLines.contains("a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));

        assertEquals(2, slots.slots.size());
        SendSlot videoSlot = slots.slots.get(1);
        assertEquals(new SendSlot("1", MediaKind.VIDEO, 0, 1, videoSlot.codecs(), true), videoSlot);
        assertEquals(List.of("VP8", "VP9", "H264", "AV1"), videoSlot.codecs().stream().map(NegotiatedCodec::name).toList());
        assertFalse(slots.slots.get(0).rtx());
        NegotiatedMedia n = a.negotiated().media("1").orElseThrow();
        assertEquals(Direction.SENDONLY, n.direction());
        assertEquals(OptionalLong.of(2001), n.sendStream().orElseThrow().rtxSsrc());
    }

    @Test
    void shouldAnswerSubscriberSectionInactiveWhenNoStreamIsAllocated() {
        SendStreamSource audioOnly = slot -> slot.kind() == MediaKind.AUDIO
                ? Optional.of(SendStream.of(7, "c", "s", "a")) : Optional.empty();
        AnswerParameters p = withRole(ClientRole.SUBSCRIBER, audioOnly);
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("firefox-subscriber.sdp"), p);
        assertEquals(Direction.SENDONLY, a.negotiated().media("0").orElseThrow().direction());
        assertEquals(Direction.INACTIVE, a.negotiated().media("1").orElseThrow().direction());
        assertTrue(lines(a.answer().media().get(1)).contains("a=inactive"));
        assertTrue(a.negotiated().media("1").orElseThrow().accepted(), "inactive is still negotiated, not rejected");
    }

    @Test
    void shouldDropAnRtxSsrcWhenNoRtxWasNegotiated() {
        SendStreamSource always = slot -> Optional.of(SendStream.withRtx(10L + slot.sectionIndex() * 2L,
                11L + slot.sectionIndex() * 2L, "c", "s", "t" + slot.sectionIndex()));
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-subscriber.sdp"), withRole(ClientRole.SUBSCRIBER, always));
        assertEquals(OptionalLong.empty(), a.negotiated().media("0").orElseThrow().sendStream().orElseThrow().rtxSsrc());
        assertEquals(OptionalLong.of(13), a.negotiated().media("1").orElseThrow().sendStream().orElseThrow().rtxSsrc());
    }

    @Test
    void shouldRefuseAnSsrcAllocatedTwice() {
        SendStreamSource clash = slot -> Optional.of(SendStream.of(5, "c", "s", "t"));
        assertThrows(IllegalArgumentException.class,
                () -> DEFAULT.answer(offer("chromium-subscriber.sdp"), withRole(ClientRole.SUBSCRIBER, clash)));
    }

    static Stream<Arguments> directions() {
        // Offered a/b/c/d = sendrecv/sendonly/recvonly/inactive; the answer's directions, Junction's view.
        return Stream.of(
                Arguments.of(ClientRole.PUBLISHER, true, List.of(Direction.RECVONLY, Direction.RECVONLY, Direction.INACTIVE, Direction.INACTIVE)),
                Arguments.of(ClientRole.SUBSCRIBER, true, List.of(Direction.SENDONLY, Direction.INACTIVE, Direction.SENDONLY, Direction.INACTIVE)),
                Arguments.of(ClientRole.PUBLISHER_AND_SUBSCRIBER, true, List.of(Direction.SENDRECV, Direction.RECVONLY, Direction.SENDONLY, Direction.INACTIVE)),
                Arguments.of(ClientRole.PUBLISHER_AND_SUBSCRIBER, false, List.of(Direction.RECVONLY, Direction.RECVONLY, Direction.INACTIVE, Direction.INACTIVE)));
    }

    @ParameterizedTest(name = "{0}, streams={1}")
    @MethodSource("directions")
    void shouldInvertDirectionsAndResolveSendrecvByRole(ClientRole role, boolean streams, List<Direction> expected) {
        String sdp = Offers.head("a b c d") + Offers.vp8("a", "sendrecv") + Offers.vp8("b", "sendonly")
                + Offers.vp8("c", "recvonly") + Offers.vp8("d", "inactive");
        SendStreamSource source = streams ? new NegotiatorFixtures.SlotAllocator() : SendStreamSource.NONE;
        AnswerResult.Answered a = answerAndCheck(DEFAULT, SdpFixtures.parseText(sdp), withRole(role, source));
        assertEquals(expected, a.negotiated().media().stream().map(NegotiatedMedia::direction).toList());
        assertEquals(expected, a.answer().media().stream().map(m -> m.direction().orElseThrow()).toList());
    }

    @Test
    void shouldRejectDataChannelWithPortZeroAndOnlyItsMid() {
        String sdp = SdpFixtures.text("chromium-publisher-vp8.sdp").replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
                + Offers.dataChannel("2");
        AnswerResult.Answered a = answerAndCheck(DEFAULT, SdpFixtures.parseText(sdp), publisher());
        assertEquals(List.of("m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2"),
                lines(a.answer().media().get(2)));
        assertEquals(List.of("0", "1"), a.negotiated().bundleMids());
        NegotiatedMedia dc = a.negotiated().media("2").orElseThrow();
        assertFalse(dc.accepted());
        assertEquals("data channels are not supported", dc.rejectionReason());
    }

    @Test
    void shouldTagTheFirstAcceptedSectionWhenTheDataChannelComesFirst() {
        String chromium = SdpFixtures.text("chromium-publisher-vp8.sdp");
        int firstMedia = chromium.indexOf("m=audio");
        String sdp = chromium.substring(0, firstMedia).replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 2 0 1")
                + Offers.dataChannel("2") + chromium.substring(firstMedia);
        AnswerResult.Answered a = answerAndCheck(DEFAULT, SdpFixtures.parseText(sdp), publisher());
        assertEquals(List.of("0", "1"), a.negotiated().bundleMids());
        assertEquals(0, a.answer().media().get(0).port());
        assertEquals(40000, a.answer().media().get(1).port(), "audio carries the candidates now");
        assertEquals(2, a.answer().media().get(1).candidates().size());
    }

    @Test
    void shouldRejectASectionOutsideTheBundleGroup() {
        String sdp = SdpFixtures.text("chromium-publisher-vp8.sdp").replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
        AnswerResult.Answered a = answerAndCheck(DEFAULT, SdpFixtures.parseText(sdp), publisher());
        assertEquals(List.of("m=video 0 UDP/TLS/RTP/SAVPF 96 97 118 119 120", "c=IN IP4 0.0.0.0", "a=mid:1"),
                lines(a.answer().media().get(1)));
        assertEquals("not in the BUNDLE group", a.negotiated().media("1").orElseThrow().rejectionReason());
    }

    @Test
    void shouldRejectOnlyTheVideoSectionWithoutACommonCodec() {
        AnswerResult.Answered a = answerAndCheck(negotiator(CodecCapability.opus(), CodecCapability.h264("42e01f", 1)),
                offer("chromium-publisher-vp8.sdp"), publisher());
        assertEquals(List.of("0"), a.negotiated().bundleMids());
        NegotiatedMedia video = a.negotiated().media("1").orElseThrow();
        assertFalse(video.accepted());
        assertEquals("no codec in common: it offers VP8/90000; Junction supports H264/90000 42e01f pm=1",
                video.rejectionReason());
    }

    static Stream<Arguments> h264() {
        return Stream.of(
                Arguments.of("chromium-publisher-h264.sdp", "42e01f", 1, List.of(108, 109)),
                Arguments.of("chromium-publisher-h264.sdp", "42001f", 1, List.of(102, 103)),
                Arguments.of("chromium-publisher-h264.sdp", "42e01f", 0, List.of(114, 115)),
                Arguments.of("chromium-publisher-h264.sdp", "4d001f", 1, List.of(116, 117)),
                // The level is negotiable (RFC 6184 §8.2.2): a level-5.2 capability still matches level 3.1.
                Arguments.of("chromium-publisher-h264.sdp", "42e034", 1, List.of(108, 109)),
                Arguments.of("firefox-publisher-h264.sdp", "42e01f", 1, List.of(126, 127)),
                Arguments.of("firefox-publisher-h264.sdp", "42001f", 1, List.of(105, 106)),
                Arguments.of("safari-publisher-h264.sdp", "640c1f", 1, List.of(96, 97)),
                Arguments.of("safari-publisher-h264.sdp", "42e01f", 1, List.of(98, 99)),
                Arguments.of("safari-subscriber.sdp", "42e01f", 1, List.of(98, 99)));
    }

    @ParameterizedTest(name = "{0} with {1} pm={2}")
    @MethodSource("h264")
    void shouldMatchH264ByProfileAndPacketizationMode(String fixture, String profileLevelId, int mode, List<Integer> pts) {
        SdpNegotiator h264 = negotiator(CodecCapability.opus(), CodecCapability.h264(profileLevelId, mode));
        SessionDescription offer = offer(fixture);
        AnswerResult.Answered a = answerAndCheck(h264, offer, NegotiatorFixtures.forOffer(offer));
        assertEquals(pts, a.answer().media().get(1).payloadTypes());
        NegotiatedCodec codec = a.negotiated().media("1").orElseThrow().codecs().get(0);
        assertEquals(String.valueOf(mode), codec.fmtpParameters().getOrDefault("packetization-mode", "0"));
    }

    @Test
    void shouldAnswerBothH264ProfilesInTheOffersOrder() {
        SdpNegotiator two = negotiator(CodecCapability.opus(), CodecCapability.h264("42e01f", 1), CodecCapability.h264("42001f", 1));
        AnswerResult.Answered a = answerAndCheck(two, offer("chromium-publisher-h264.sdp"), publisher());
        assertEquals(List.of(102, 103, 108, 109), a.answer().media().get(1).payloadTypes());
    }

    @Test
    void shouldOfferEveryDefaultCodecToAChromiumSubscriberInItsOrder() {
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-subscriber.sdp"), subscriber());
        List<NegotiatedCodec> codecs = a.negotiated().media("1").orElseThrow().codecs();
        assertEquals(List.of(96, 98, 108, 45), codecs.stream().map(NegotiatedCodec::payloadType).toList());
        assertEquals(List.of(97, 99, 109, 46), codecs.stream().map(c -> c.rtxPayloadType().orElseThrow()).toList());
        assertEquals("0", codecs.get(1).fmtpParameters().get("profile-id"), "VP9 profile 2, 1 and 3 are dropped");
        assertEquals("0", codecs.get(3).fmtpParameters().get("profile"), "AV1 profile 1 is dropped");
        // red 118, its rtx 119, ulpfec 120 and flexfec-03 49 are not in the capabilities.
        assertFalse(a.answer().media().get(1).payloadTypes().contains(118));
        assertFalse(a.answer().media().get(1).payloadTypes().contains(49));
    }

    @Test
    void shouldKeepTelephoneEventOnlyWhenConfiguredAndAtTheVoiceClockRate() {
        SdpNegotiator dtmf = negotiator(CodecCapability.opus(), CodecCapability.vp8(), CodecCapability.telephoneEvent());
        AnswerResult.Answered chromium = answerAndCheck(dtmf, offer("chromium-publisher-vp8.sdp"), publisher());
        assertEquals(List.of(111, 110), chromium.answer().media().get(0).payloadTypes(), "126 is telephone-event/8000");
        AnswerResult.Answered firefox = answerAndCheck(dtmf, offer("firefox-publisher-vp8.sdp"), publisher());
        assertEquals(List.of(109), firefox.answer().media().get(0).payloadTypes(), "Firefox offers only telephone-event/8000");
        AnswerResult.Answered plain = answerAndCheck(DEFAULT, offer("chromium-publisher-vp8.sdp"), publisher());
        assertEquals(List.of(111), plain.answer().media().get(0).payloadTypes());
    }

    @Test
    void shouldKeepRedOnlyWithTheCodecsItProtects() {
        SdpNegotiator red = negotiator(CodecCapability.opus(), CodecCapability.red(MediaKind.AUDIO), CodecCapability.vp8(),
                CodecCapability.red(MediaKind.VIDEO));
        AnswerResult.Answered a = answerAndCheck(red, offer("chromium-publisher-vp8.sdp"), publisher());
        assertEquals(List.of(111, 63), a.answer().media().get(0).payloadTypes());
        assertEquals(List.of(96, 97, 118, 119), a.answer().media().get(1).payloadTypes());
        NegotiatedCodec videoRed = a.negotiated().media("1").orElseThrow().codecs().get(1);
        assertEquals("red", videoRed.name());
        assertEquals(OptionalInt.of(119), videoRed.rtxPayloadType());

        SdpNegotiator redWithoutOpus = negotiator(CodecCapability.red(MediaKind.AUDIO), CodecCapability.vp8());
        AnswerResult.Answered b = answerAndCheck(redWithoutOpus, offer("chromium-publisher-vp8.sdp"), publisher());
        assertFalse(b.negotiated().media("0").orElseThrow().accepted(), "RED alone is no codec");
    }

    @Test
    void shouldIntersectRtcpFeedbackWithTheCapabilities() {
        CodecCapability vp8NackOnly = new CodecCapability(MediaKind.VIDEO, "VP8", 90000, 1, Map.of(),
                Set.of(RtcpFeedback.NACK, RtcpFeedback.NACK_PLI), true);
        AnswerResult.Answered a = answerAndCheck(negotiator(CodecCapability.opus(), vp8NackOnly),
                offer("chromium-publisher-vp8.sdp"), publisher());
        List<String> feedback = lines(a.answer().media().get(1)).stream().filter(l -> l.startsWith("a=rtcp-fb")).toList();
        assertEquals(List.of("a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli"), feedback);
    }

    @Test
    void shouldHonourOfferedExtensionDirections() {
        SdpNegotiator withPlayoutDelay = new SdpNegotiator(MediaCapabilities.defaults().withHeaderExtensions(
                List.of(HeaderExtensionUri.MID, PLAYOUT_DELAY)));
        // Firefox offers a=extmap:6/recvonly playout-delay: only the sender (Junction) can write it.
        AnswerResult.Answered publisher = answerAndCheck(withPlayoutDelay, offer("firefox-publisher-vp8.sdp"), publisher());
        assertFalse(lines(publisher.answer().media().get(1)).stream().anyMatch(l -> l.contains(PLAYOUT_DELAY)),
                "Junction only receives here, so an extension it could only send is left out");
        AnswerResult.Answered subscriber = answerAndCheck(withPlayoutDelay, offer("firefox-subscriber-vp8.sdp"), subscriber());
        assertTrue(lines(subscriber.answer().media().get(1)).contains("a=extmap:6/sendonly " + PLAYOUT_DELAY));
        // Without a direction in the offer the answer writes none either.
        AnswerResult.Answered chromium = answerAndCheck(withPlayoutDelay, offer("chromium-publisher-vp8.sdp"), publisher());
        assertTrue(lines(chromium.answer().media().get(1)).contains("a=extmap:5 " + PLAYOUT_DELAY));
    }

    @Test
    void shouldPutAnIpv6FirstAddressOnTheConnectionLine() {
        InetSocketAddress v6 = NegotiatorFixtures.address("2001:db8:0:0:1:0:0:1", 40002);
        AnswerParameters p = AnswerParameters.publisher(LOCAL_FINGERPRINT, List.of(v6, IPV4), NegotiatorFixtures.seeded(5));
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-publisher-opus.sdp"), p);
        List<String> audio = lines(a.answer().media().get(0));
        assertEquals("m=audio 40002 UDP/TLS/RTP/SAVPF 111", audio.get(0));
        assertEquals("c=IN IP6 2001:db8::1:0:0:1", audio.get(1));
        assertEquals("a=candidate:1 1 udp 2130706431 2001:db8::1:0:0:1 40002 typ host", audio.get(2));
        assertEquals("a=candidate:2 1 udp 2130706175 192.0.2.1 40000 typ host", audio.get(3));
    }

    @Test
    void shouldWriteIpv6AddressesInTheirShortestForm() throws Exception {
        assertEquals("::1", SdpNegotiator.addressText(java.net.InetAddress.getByName("0:0:0:0:0:0:0:1")));
        assertEquals("::", SdpNegotiator.addressText(java.net.InetAddress.getByName("0:0:0:0:0:0:0:0")));
        assertEquals("2001:db8::2", SdpNegotiator.addressText(java.net.InetAddress.getByName("2001:0db8:0:0:0:0:0:2")));
        assertEquals("2001:db8:0:1:1:1:1:1", SdpNegotiator.addressText(java.net.InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
        assertEquals("1:0:0:4::8", SdpNegotiator.addressText(java.net.InetAddress.getByName("1:0:0:4:0:0:0:8")));
        assertEquals("1::4:0:0:7:8", SdpNegotiator.addressText(java.net.InetAddress.getByName("1:0:0:4:0:0:7:8")));
        assertEquals("10.0.0.255", SdpNegotiator.addressText(java.net.InetAddress.getByName("10.0.0.255")));
    }

    @Test
    void shouldComputeHostPrioritiesPerRfc8445() {
        // (2^24)*126 + (2^8)*65535 + (256 - 1)
        assertEquals(2_130_706_431L, SdpNegotiator.hostPriority(0));
        assertEquals(2_130_706_175L, SdpNegotiator.hostPriority(1));
    }

    @Test
    void shouldDrawFreshIceCredentialsFromTheGivenRandom() {
        SessionDescription offer = offer("chromium-publisher-opus.sdp");
        IceCredentials first = answerAndCheck(DEFAULT, offer, publisher()).negotiated().localIce();
        IceCredentials same = answerAndCheck(DEFAULT, offer, publisher()).negotiated().localIce();
        AnswerParameters other = AnswerParameters.publisher(LOCAL_FINGERPRINT, ADDRESSES, NegotiatorFixtures.seeded(99));
        IceCredentials different = answerAndCheck(DEFAULT, offer, other).negotiated().localIce();
        assertEquals(first, same, "the same seed gives the same credentials");
        assertNotEquals(first.ufrag(), different.ufrag());
        assertTrue(first.ufrag().matches("[A-Za-z0-9+/]{16}"), first.ufrag());
        assertTrue(first.pwd().matches("[A-Za-z0-9+/]{32}"), "pwd");
        assertFalse(first.toString().contains(first.pwd()), "the password stays out of logs");
    }

    @Test
    void shouldRefuseUnusableLocalParameters() {
        Fingerprint sha1 = Fingerprint.parse("sha-1 " + "AB:".repeat(19) + "CD").orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> AnswerParameters.publisher(sha1, ADDRESSES, NegotiatorFixtures.seeded(1)));
        Fingerprint shortSha256 = Fingerprint.parse("sha-256 AB:CD").orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> AnswerParameters.publisher(shortSha256, ADDRESSES, NegotiatorFixtures.seeded(1)));
        assertThrows(IllegalArgumentException.class, () -> AnswerParameters.publisher(LOCAL_FINGERPRINT, List.of(), NegotiatorFixtures.seeded(1)));
        assertThrows(IllegalArgumentException.class, () -> AnswerParameters.publisher(LOCAL_FINGERPRINT,
                List.of(InetSocketAddress.createUnresolved("example.org", 4000)), NegotiatorFixtures.seeded(1)));
        assertThrows(IllegalArgumentException.class, () -> SendStream.of(1L << 32, "c", "s", "t"));
        assertThrows(IllegalArgumentException.class, () -> SendStream.of(1, "c name", "s", "t"));
    }

    /** Edits of the Chromium publisher offer, each breaking one thing the answerer needs. */
    static Stream<Arguments> unanswerable() {
        String chromium = SdpFixtures.text("chromium-publisher-vp8.sdp");
        String fp = "a=fingerprint:sha-256 E6:1D:54:07:F1:25:05:B5:CA:DC:95:39:15:4B:50:DB:F2:58:90:82:19:41:9B:FC:CC:F3:61:C0:57:C8:69:8B";
        String head = chromium.substring(0, chromium.indexOf("m=audio"));
        return Stream.of(
                Arguments.of(OfferError.Reason.MALFORMED_SDP, "v=0\r\nhello\r\n", "malformed SDP: line 2: expected <type>=<value>"),
                Arguments.of(OfferError.Reason.MALFORMED_SDP, chromium.replace("a=rtpmap:97 rtx/90000", "a=rtpmap:97 rtx"),
                        "malformed SDP: line 72: a=rtpmap:97 encoding 'rtx'"),
                Arguments.of(OfferError.Reason.ICE_LITE_OFFER, chromium.replace("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n"),
                        "offer is a=ice-lite like Junction"),
                Arguments.of(OfferError.Reason.NO_SUPPORTED_MEDIA, head, "offer has no m-section"),
                Arguments.of(OfferError.Reason.NO_SUPPORTED_MEDIA, head.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 2")
                        + Offers.dataChannel("2"), "no m-section Junction can serve: mid '2' (application) data channels are not supported"),
                Arguments.of(OfferError.Reason.MISSING_MID, chromium.replace("a=mid:1\r\n", ""), "m-section 2 (video) has no a=mid"),
                Arguments.of(OfferError.Reason.DUPLICATE_MID, chromium.replace("a=mid:1\r\n", "a=mid:0\r\n"),
                        "m-sections 1 and 2 both have a=mid:0"),
                Arguments.of(OfferError.Reason.NO_BUNDLE, chromium.replace("a=group:BUNDLE 0 1\r\n", ""),
                        "offer has no a=group:BUNDLE"),
                Arguments.of(OfferError.Reason.NO_BUNDLE, chromium.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE"),
                        "the offer's a=group:BUNDLE lists no mid"),
                Arguments.of(OfferError.Reason.INVALID_BUNDLE, chromium.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 7"),
                        "a=group:BUNDLE names mid '7', which no m-section has"),
                Arguments.of(OfferError.Reason.INVALID_BUNDLE, chromium.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 0"),
                        "a=group:BUNDLE names mid '0' twice"),
                Arguments.of(OfferError.Reason.NO_ICE_CREDENTIALS, chromium.replace("a=ice-pwd:T+gJnGNWycD/LhRmrrWEMLUM\r\n", ""),
                        "offer has no a=ice-pwd for the BUNDLE transport (mid '0')"),
                Arguments.of(OfferError.Reason.NO_ICE_CREDENTIALS, chromium.replace("a=ice-pwd:T+gJnGNWycD/LhRmrrWEMLUM\r\n", "")
                        .replace("a=ice-ufrag:NkWT\r\n", ""), "offer has no a=ice-ufrag and a=ice-pwd"),
                Arguments.of(OfferError.Reason.INVALID_ICE_CREDENTIALS, chromium.replace("a=ice-pwd:T+gJnGNWycD/LhRmrrWEMLUM", "a=ice-pwd:short"),
                        "offer's a=ice-pwd is 5 characters; RFC 8839 §5.4 needs 22-256"),
                Arguments.of(OfferError.Reason.INVALID_ICE_CREDENTIALS, chromium.replace("a=ice-ufrag:NkWT", "a=ice-ufrag:Nk=T"),
                        "offer's a=ice-ufrag has character '=' outside the ice-chars"),
                Arguments.of(OfferError.Reason.NO_FINGERPRINT, chromium.replace(fp + "\r\n", ""),
                        "offer has no a=fingerprint for the BUNDLE transport (mid '0')"),
                Arguments.of(OfferError.Reason.UNSUPPORTED_FINGERPRINT_HASH,
                        chromium.replace(fp, "a=fingerprint:sha-1 " + "AB:".repeat(19) + "CD"),
                        "offer's a=fingerprint uses sha-1; Junction verifies sha-256, sha-384 or sha-512"),
                Arguments.of(OfferError.Reason.INVALID_FINGERPRINT,
                        chromium.replace(fp, "a=fingerprint:sha-256 " + "AB:".repeat(19) + "CD"),
                        "offer's a=fingerprint:sha-256 has 20 bytes; a sha-256 digest has 32"),
                Arguments.of(OfferError.Reason.UNSUPPORTED_SETUP_ROLE, chromium.replace("a=setup:actpass", "a=setup:passive"),
                        "offer has a=setup:passive; Junction is the DTLS server"),
                Arguments.of(OfferError.Reason.NO_RTCP_MUX, chromium.replace("a=rtcp-mux\r\n", ""),
                        "m-section mid '0' has no a=rtcp-mux"),
                Arguments.of(OfferError.Reason.NO_COMMON_CODEC, chromium.replace("opus/48000/2", "opus/48000/1")
                        .replace("VP8/90000", "H265/90000"),
                        "no codec in common: mid '0' (audio) offers opus/48000, G722/8000, PCMU/8000, PCMA/8000; Junction supports opus/48000/2"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("unanswerable")
    void shouldRefuseAnUnanswerableOfferWithItsReason(OfferError.Reason reason, String offer, String message) {
        OfferError error = rejected(DEFAULT.answer(offer, publisher()));
        assertEquals(reason, error.reason(), error::message);
        assertTrue(error.message().startsWith(message), () -> "'" + error.message() + "' should start with '" + message + "'");
        assertFalse(error.message().contains("\n") || error.message().contains("\r"));
    }

    @Test
    void shouldCoverEveryRejectionReasonWithANegativeTest() {
        List<OfferError.Reason> tested = new ArrayList<>();
        unanswerable().forEach(args -> tested.add((OfferError.Reason) args.get()[0]));
        assertEquals(Set.of(OfferError.Reason.values()), Set.copyOf(tested));
    }

    @Test
    void shouldAnswerPassiveAndBeTheDtlsServerByDefault() {
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer("chromium-publisher-vp8.sdp"), publisher());
        assertTrue(a.sdp().contains("a=setup:passive\r\n"), a.sdp());
        assertFalse(a.sdp().contains("a=setup:active"), a.sdp());
        assertEquals(SetupRole.PASSIVE, a.negotiated().localSetup());
        assertTrue(a.negotiated().dtlsServer());
    }

    @Test
    void shouldAnswerActiveAndBeTheDtlsClientWhenAskedTo() {
        SdpNegotiator active = DEFAULT.withDtlsSetup(SetupRole.ACTIVE);
        String chromium = SdpFixtures.text("chromium-publisher-vp8.sdp");
        // An actpass offer (every JSEP offer) gets the preferred role, on every accepted m-section.
        AnswerResult.Answered a = answerAndCheck(active, offer("chromium-publisher-vp8.sdp"), publisher());
        assertEquals(2, a.sdp().split("a=setup:active\r\n", -1).length - 1, a.sdp());
        assertFalse(a.sdp().contains("a=setup:passive"), a.sdp());
        assertEquals(SetupRole.ACTIVE, a.negotiated().localSetup());
        assertFalse(a.negotiated().dtlsServer());
        // A passive offer, refused by default, is answered active.
        NegotiatedSession passive = answerAndCheck(active,
                SdpFixtures.parseText(chromium.replace("a=setup:actpass", "a=setup:passive")), publisher()).negotiated();
        assertEquals(SetupRole.PASSIVE, passive.remoteSetup());
        assertEquals(SetupRole.ACTIVE, passive.localSetup());
        // An active offer still makes Junction the server: two clients cannot talk.
        NegotiatedSession activeOffer = answerAndCheck(active,
                SdpFixtures.parseText(chromium.replace("a=setup:actpass", "a=setup:active")), publisher()).negotiated();
        assertEquals(SetupRole.PASSIVE, activeOffer.localSetup());
        assertTrue(activeOffer.dtlsServer());
        assertThrows(IllegalArgumentException.class, () -> DEFAULT.withDtlsSetup(SetupRole.ACTPASS));
    }

    @Test
    void shouldAcceptAnOfferWithoutSetupAsActive() {
        String sdp = SdpFixtures.text("chromium-publisher-vp8.sdp").replace("a=setup:actpass\r\n", "");
        NegotiatedSession n = answerAndCheck(DEFAULT, SdpFixtures.parseText(sdp), publisher()).negotiated();
        assertEquals(SetupRole.ACTIVE, n.remoteSetup());
    }

    @Test
    void shouldAnswerTheBytesOfAnHttpBody() {
        byte[] body = SdpFixtures.bytes("safari-publisher-vp8.sdp");
        AnswerResult.Answered a = NegotiatorFixtures.answered(DEFAULT.answer(body, publisher()));
        assertEquals(List.of(100, 101), a.answer().media().get(1).payloadTypes());
        assertEquals(Set.of(HeaderExtensionUri.MID, HeaderExtensionUri.RID, HeaderExtensionUri.REPAIRED_RID,
                HeaderExtensionUri.ABS_SEND_TIME, HeaderExtensionUri.TRANSPORT_CC, HeaderExtensionUri.VIDEO_ORIENTATION),
                a.negotiated().media("1").orElseThrow().headerExtensions().keySet());
        assertFalse(sessionLines(a.answer()).contains("a=extmap-allow-mixed"), "old Safari did not offer it");
    }

    /** Small synthetic offers for behaviour the browser fixtures do not show. */
    static final class Offers {
        private static final String TRANSPORT = "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                + "a=fingerprint:sha-256 " + "11:".repeat(31) + "22\r\na=setup:actpass\r\n";

        static String head(String bundleMids) {
            return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE " + bundleMids + "\r\n";
        }

        static String vp8(String mid, String direction) {
            return "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n" + TRANSPORT + "a=mid:" + mid + "\r\na="
                    + direction + "\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtpmap:97 rtx/90000\r\n"
                    + "a=fmtp:97 apt=96\r\n";
        }

        static String dataChannel(String mid) {
            return "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n" + TRANSPORT + "a=mid:" + mid
                    + "\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
        }
    }
}
