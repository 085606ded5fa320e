package dev.junction.codec.sdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.SdpAttribute.Candidate;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Extmap;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.Rid;
import dev.junction.codec.sdp.SdpAttribute.RidDirection;
import dev.junction.codec.sdp.SdpAttribute.RtcpFb;
import dev.junction.codec.sdp.SdpAttribute.Rtpmap;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpAttribute.SimulcastFormat;
import dev.junction.codec.sdp.SdpAttribute.Ssrc;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import dev.junction.codec.sdp.SdpField.MediaLine;
import dev.junction.codec.sdp.SdpField.Origin;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SdpParserTest {

    /** The example session description of RFC 8866 §5, with CRLF line endings. */
    private static final String RFC_8866_EXAMPLE = String.join("\r\n",
            "v=0",
            "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1",
            "s=Call to John Smith",
            "i=SDP Offer #1",
            "u=http://www.jdoe.example.com/home.html",
            "e=Jane Doe <jane@jdoe.example.com>",
            "p=+1 617 555-6011",
            "c=IN IP4 198.51.100.1",
            "t=0 0",
            "m=audio 49170 RTP/AVP 0",
            "m=audio 49180 RTP/AVP 0",
            "m=video 51372 RTP/AVP 99",
            "c=IN IP6 2001:db8::2",
            "a=rtpmap:99 h263-1998/90000") + "\r\n";

    /** A minimal JSEP-style head that the negative cases below extend one line at a time. */
    private static final String HEAD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static final String VIDEO = "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n";

    @Test
    void shouldParseRfc8866ExampleFieldByFieldAndWriteItBackByteForByte() {
        SessionDescription d = SdpFixtures.parseText(RFC_8866_EXAMPLE);

        // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
        assertEquals(Optional.of(new Origin("jdoe", "3724394400", "3724394405", "IN", "IP4", "198.51.100.1")), d.origin());
        // Session lines in order, untouched: v o s i u e p c t.
        assertEquals(List.of("v=0", "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1", "s=Call to John Smith",
                "i=SDP Offer #1", "u=http://www.jdoe.example.com/home.html", "e=Jane Doe <jane@jdoe.example.com>",
                "p=+1 617 555-6011", "c=IN IP4 198.51.100.1", "t=0 0"),
                d.sessionLines().stream().map(SdpLine::text).toList());
        // c=<nettype> <addrtype> <connection-address> at session level.
        assertEquals("198.51.100.1", d.connection().orElseThrow().address());
        assertEquals(3, d.media().size());
        // m=audio 49170 RTP/AVP 0: media, port, proto, static payload type 0 (PCMU) without rtpmap.
        MediaDescription audio = d.media().get(0);
        assertEquals(new MediaLine("audio", 49170, 1, "RTP/AVP", List.of("0")), audio.mediaLine());
        assertEquals(List.of(0), audio.payloadTypes());
        assertEquals(Optional.empty(), audio.connection());
        assertEquals(49180, d.media().get(1).port());
        // m=video 51372 RTP/AVP 99 with its own c=IN IP6 and a=rtpmap:99 h263-1998/90000.
        MediaDescription video = d.media().get(2);
        assertEquals(MediaKind.VIDEO, video.kind());
        assertEquals("IP6", video.connection().orElseThrow().addrType());
        assertEquals("2001:db8::2", video.connection().orElseThrow().address());
        assertEquals(Optional.of(new Rtpmap(99, "h263-1998", 90000, 0)), video.rtpmap(99));
        assertEquals(1, video.rtpmap(99).orElseThrow().effectiveChannels());

        assertArrayEquals(RFC_8866_EXAMPLE.getBytes(StandardCharsets.UTF_8), d.write().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldAcceptLfOnlyInputAndWriteCrlf() {
        String lf = RFC_8866_EXAMPLE.replace("\r\n", "\n");
        SessionDescription d = SdpFixtures.parseText(lf);
        assertEquals(RFC_8866_EXAMPLE, d.write());
    }

    @Test
    void shouldAcceptMissingFinalLineEndingAndSkipEmptyLines() {
        SessionDescription d = SdpFixtures.parseText(HEAD + "\r\n" + VIDEO + "\r\na=rtpmap:96 VP8/90000");
        assertEquals(HEAD + VIDEO + "a=rtpmap:96 VP8/90000\r\n", d.write());
    }

    @Test
    void shouldParseChromiumPublisherOfferFieldByField() {
        SessionDescription d = SdpFixtures.parse("chromium-publisher-vp8.sdp");
        // o=- 7576503174322163237 2 IN IP4 127.0.0.1
        assertEquals("7576503174322163237", d.origin().orElseThrow().sessionId());
        // a=group:BUNDLE 0 1
        assertEquals(List.of("0", "1"), d.bundleGroup().orElseThrow().mids());
        // a=extmap-allow-mixed and a=msid-semantic: WMS <stream> at session level
        assertTrue(d.extmapAllowMixed());
        assertEquals("WMS", d.msidSemantic().orElseThrow().semantic());
        assertEquals(List.of("4b807c18-9fbd-4109-9b56-639793b319e4"), d.msidSemantic().orElseThrow().ids());
        assertFalse(d.iceLite());

        MediaDescription audio = d.media().get(0);
        // m=audio 48461 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        assertEquals(List.of(111, 63, 9, 0, 8, 13, 110, 126), audio.payloadTypes());
        assertEquals(48461, audio.port());
        // a=candidate:2575976833 1 udp 2122260223 127.0.0.1 48461 typ host generation 0 network-id 1 network-cost 50
        assertEquals(new Candidate("2575976833", 1, "udp", 2122260223L, "127.0.0.1", 48461, "host", "", -1,
                "generation 0 network-id 1 network-cost 50"), audio.candidates().get(0));
        // a=candidate:... 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active ...
        assertEquals("tcp", audio.candidates().get(1).transport());
        assertEquals(Optional.of("NkWT"), audio.iceUfrag());
        assertEquals(Optional.of("T+gJnGNWycD/LhRmrrWEMLUM"), audio.icePwd());
        assertEquals(List.of("trickle"), audio.iceOptions());
        // a=fingerprint:sha-256 E6:1D:...:8B
        Fingerprint fp = audio.fingerprints().get(0);
        assertEquals("sha-256", fp.algorithm());
        assertArrayEquals(HexFormat.ofDelimiter(":").parseHex(
                "E6:1D:54:07:F1:25:05:B5:CA:DC:95:39:15:4B:50:DB:F2:58:90:82:19:41:9B:FC:CC:F3:61:C0:57:C8:69:8B"), fp.bytes());
        assertEquals(Optional.of(SetupRole.ACTPASS), audio.setup());
        assertEquals(Optional.of("0"), audio.mid());
        // a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level ... a=extmap:4 ...sdes:mid
        assertEquals(List.of(1, 2, 3, 4), audio.extmaps().stream().map(Extmap::id).toList());
        assertEquals(Optional.empty(), audio.extmaps().get(0).direction());
        assertEquals(Optional.of(Direction.SENDONLY), audio.direction());
        assertEquals("c24e0ea1-b4eb-4727-a0b8-2968bfef9d7a", audio.msids().get(0).trackId());
        assertTrue(audio.rtcpMux());
        assertTrue(audio.rtcpReducedSize());
        // a=rtcp-xr:rcvr-rtt=all is not interpreted but kept
        assertEquals(List.of("rcvr-rtt=all"), audio.otherAttributes("rtcp-xr"));
        // a=rtpmap:111 opus/48000/2, a=fmtp:111 minptime=10;useinbandfec=1, a=rtcp-fb:111 transport-cc
        assertEquals(Optional.of(new Rtpmap(111, "opus", 48000, 2)), audio.rtpmap(111));
        assertEquals(Optional.of("1"), audio.fmtp(111).orElseThrow().parameter("useinbandfec"));
        assertEquals(List.of("transport-cc"), audio.rtcpFeedback(111).stream().map(RtcpFb::feedback).toList());
        // a=fmtp:63 111/111 (RED) is not key=value and stays readable as text
        assertEquals("111/111", audio.fmtp(63).orElseThrow().parameters());
        assertEquals(List.of(new Ssrc(1052558368L, "cname", "+GOoJjxZB17QM+Cl"), new Ssrc(1052558368L, "msid",
                "4b807c18-9fbd-4109-9b56-639793b319e4 c24e0ea1-b4eb-4727-a0b8-2968bfef9d7a")), audio.ssrcs());

        MediaDescription video = d.media().get(1);
        // m=video 9 ... with c=IN IP4 0.0.0.0 and no candidates: bundled on the first m-section
        assertEquals(9, video.port());
        assertEquals(List.of(), video.candidates());
        assertEquals(List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"),
                video.rtcpFeedback(96).stream().map(RtcpFb::feedback).toList());
        // a=fmtp:97 apt=96
        assertEquals(Optional.of("96"), video.fmtp(97).orElseThrow().parameter("apt"));
        // a=ssrc-group:FID 1593892092 881826833
        assertEquals(List.of(new SsrcGroup("FID", List.of(1593892092L, 881826833L))), video.ssrcGroups());
        // Extension ids are kept as offered, out of order.
        assertEquals(List.of(14, 2, 13, 3, 5, 6, 7, 8, 4, 10, 11), video.extmaps().stream().map(Extmap::id).toList());
    }

    @Test
    void shouldResolveFirefoxSessionLevelAttributesAndBundleOnly() {
        SessionDescription d = SdpFixtures.parse("firefox-publisher-vp8.sdp");
        // o=mozilla...THIS_IS_SDPARTA-99.0 <id> 0 IN IP4 0.0.0.0
        assertEquals("mozilla...THIS_IS_SDPARTA-99.0", d.origin().orElseThrow().username());
        // Session-level a=sendrecv, a=fingerprint, a=ice-options:trickle, a=msid-semantic:WMS *
        assertEquals(Optional.of(Direction.SENDRECV), d.direction());
        assertEquals(1, d.fingerprints().size());
        assertEquals(List.of("trickle"), d.iceOptions());
        assertEquals(List.of("*"), d.msidSemantic().orElseThrow().ids());

        MediaDescription audio = d.media().get(0);
        MediaDescription video = d.media().get(1);
        assertEquals(List.of(), audio.fingerprints());
        assertEquals(d.fingerprints(), d.effectiveFingerprints(audio));
        // The media-level a=sendonly overrides the session-level a=sendrecv.
        assertEquals(Direction.SENDONLY, d.effectiveDirection(audio));
        // Upper-case UDP, ::1 and component 2 candidates, then a=end-of-candidates.
        assertEquals("UDP", audio.candidates().get(0).transport());
        assertEquals("::1", audio.candidates().get(1).address());
        assertEquals(2, audio.candidates().get(4).component());
        assertTrue(audio.endOfCandidates());
        // Per-m-line a=extmap-allow-mixed, and a direction on an extmap: a=extmap:2/recvonly ...csrc-audio-level
        assertTrue(audio.extmapAllowMixed());
        assertFalse(d.extmapAllowMixed());
        assertEquals(Optional.of(Direction.RECVONLY), audio.extmaps().get(1).direction());
        // m=video 0 ... a=bundle-only: port 0 but bundled, not rejected
        assertEquals(0, video.port());
        assertTrue(video.bundleOnly());
        assertEquals(Optional.of("13ad625a"), d.effectiveIceUfrag(video));
        // rtcp-fb lines for payload types the m= line does not list are kept, not an error.
        assertFalse(video.payloadTypes().contains(121));
        assertEquals(5, video.rtcpFeedback(121).size());
    }

    @Test
    void shouldReadSimulcastRidsAndPausedStreams() {
        MediaDescription video = SdpFixtures.parse("chromium-publisher-vp8-simulcast.sdp").media().get(1);
        assertEquals(List.of(new Rid("q", RidDirection.SEND, ""), new Rid("h", RidDirection.SEND, ""),
                new Rid("f", RidDirection.SEND, "")), video.rids());
        assertEquals(List.of(List.of(new SimulcastFormat("q", false)), List.of(new SimulcastFormat("h", false)),
                List.of(new SimulcastFormat("f", false))), video.simulcast().orElseThrow().send());

        MediaDescription m = SdpFixtures.parseText(HEAD + VIDEO + "a=rid:lo send pt=96;max-width=320\r\n"
                + "a=rid:hi send\r\na=simulcast:send hi;~lo,mid recv x\r\n").media().get(0);
        assertEquals(List.of(96), m.rids().get(0).payloadTypes());
        SdpAttribute.Simulcast s = m.simulcast().orElseThrow();
        assertEquals(List.of(List.of(new SimulcastFormat("hi", false)),
                List.of(new SimulcastFormat("lo", true), new SimulcastFormat("mid", false))), s.send());
        assertEquals(List.of(List.of(new SimulcastFormat("x", false))), s.recv());
        assertEquals("send hi;~lo,mid recv x", s.formatValue());
    }

    @Test
    void shouldApplyWildcardRtcpFeedbackToEveryPayloadType() {
        MediaDescription m = SdpFixtures.parseText(HEAD + VIDEO + "a=rtcp-fb:* nack\r\na=rtcp-fb:96 ccm fir\r\n")
                .media().get(0);
        assertEquals(List.of("nack", "ccm fir"), m.rtcpFeedback(96).stream().map(RtcpFb::feedback).toList());
        assertEquals(List.of("nack"), m.rtcpFeedback(97).stream().map(RtcpFb::feedback).toList());
        assertTrue(m.rtcpFeedback().get(0).isWildcard());
        assertEquals(-1, m.rtcpFeedback().get(0).payloadType());
    }

    @Test
    void shouldReadDataChannelSectionsOfBothGenerations() {
        SessionDescription d = SdpFixtures.parseText(HEAD
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"
                + "m=application 9 DTLS/SCTP 5000\r\na=mid:3\r\na=sctpmap:5000 webrtc-datachannel 1024\r\n");
        MediaDescription current = d.media().get(0);
        assertEquals(MediaKind.APPLICATION, current.kind());
        assertEquals(List.of("webrtc-datachannel"), current.formats());
        assertEquals(List.of(), current.payloadTypes());
        assertEquals(5000, current.sctpPort().orElseThrow());
        assertEquals(262144L, current.maxMessageSize().orElseThrow());
        assertEquals(new SdpAttribute.Sctpmap(5000, "webrtc-datachannel", 1024), d.media().get(1).sctpmap().orElseThrow());
    }

    @Test
    void shouldKeepUnknownLinesAndAttributesInPlace() {
        String sdp = HEAD + "b=AS:300\r\na=x-custom:anything at all\r\n" + VIDEO + "a=flag-i-do-not-know\r\n"
                + "b=TIAS:64000\r\na=rtpmap:96 VP8/90000\r\n";
        SessionDescription d = SdpFixtures.parseText(sdp);
        assertEquals(sdp, d.write());
        assertEquals(List.of(""), d.media().get(0).otherAttributes("flag-i-do-not-know"));
        assertInstanceOf(SdpField.Opaque.class, d.media().get(0).lines().get(2).field());
    }

    @Test
    void shouldParseLocalFingerprintTextAndRejectMalformedOnes() {
        Fingerprint fp = Fingerprint.parse("sha-256 " + "0A:".repeat(31) + "FF").orElseThrow();
        assertEquals(32, fp.bytes().length);
        assertEquals("sha-256 " + "0A:".repeat(31) + "FF", fp.formatValue());
        assertEquals(Optional.empty(), Fingerprint.parse("sha-256 0A:0"));
        assertEquals(Optional.empty(), Fingerprint.parse("sha-256"));
        assertEquals(Optional.empty(), Fingerprint.parse("sha-256 0A-0B"));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", 0, "SDP is empty"),
                Arguments.of("hello", 1, "expected <type>=<value>"),
                Arguments.of("o=- 1 2 IN IP4 0.0.0.0\r\n", 1, "the first line must be v=0"),
                Arguments.of("v=1\r\n", 1, "v= version '1' is not 0"),
                Arguments.of("v=0\r\ns=-\r\n", 2, "no o= line"),
                Arguments.of("v=0\r\n" + VIDEO, 2, "m= line before any o= line"),
                Arguments.of("v=0\r\no=- 1 2 IN IP4\r\n", 2, "o= needs 6 fields"),
                Arguments.of("v=0\r\no=- x 2 IN IP4 0.0.0.0\r\n", 2, "o= sess-id 'x' is not a number"),
                Arguments.of(HEAD + "o=- 1 2 IN IP4 0.0.0.0\r\n", 5, "a second o= line"),
                Arguments.of(HEAD + "X=1\r\n", 5, "is not a lower-case letter"),
                Arguments.of(HEAD + "q=1\r\n", 5, "unknown line type 'q='"),
                Arguments.of(HEAD + VIDEO + "t=0 0\r\n", 6, "session-level line and cannot follow an m= line"),
                Arguments.of(HEAD + "c=IN IP4\r\n", 5, "c= needs 3 fields"),
                Arguments.of(HEAD + "m=video 9 UDP/TLS/RTP/SAVPF\r\n", 5, "m= needs <media> <port> <proto> and at least one <fmt>"),
                Arguments.of(HEAD + "m=video 70000 UDP/TLS/RTP/SAVPF 96\r\n", 5, "m= port '70000'"),
                Arguments.of(HEAD + "m=video 9 UDP/TLS/RTP/SAVPF 96 vp8\r\n", 5, "m= payload type 'vp8' is not a number in 0-127"),
                Arguments.of(HEAD + "m=video 9 UDP/TLS/RTP/SAVPF 96 96\r\n", 5, "m= lists payload type 96 twice"),
                Arguments.of(HEAD + VIDEO + "a=rtpmap:128 VP8/90000\r\n", 6, "a=rtpmap payload type '128' is not a number in 0-127"),
                Arguments.of(HEAD + VIDEO + "a=rtpmap:96 VP8\r\n", 6, "a=rtpmap:96 encoding 'VP8' is not <name>/<clock rate>"),
                Arguments.of(HEAD + VIDEO + "a=rtpmap:96 VP8/0\r\n", 6, "clock rate '0' is not a positive number"),
                Arguments.of(HEAD + VIDEO + "a=rtpmap:96 VP8/90000\r\na=rtpmap:96 H264/90000\r\n", 7,
                        "payload type 96 has a second a=rtpmap (first on line 6)"),
                Arguments.of(HEAD + VIDEO + "a=fmtp:97 apt=96\r\na=fmtp:97 apt=98\r\n", 7, "payload type 97 has a second a=fmtp"),
                Arguments.of(HEAD + VIDEO + "a=mid:0\r\na=mid:1\r\n", 7, "a second a=mid in one m-section"),
                Arguments.of(HEAD + VIDEO + "a=mid:\r\n", 6, "a=mid needs a value"),
                Arguments.of(HEAD + VIDEO + "a=rtcp-fb:x nack\r\n", 6, "a=rtcp-fb payload type 'x' is not * or a number"),
                Arguments.of(HEAD + VIDEO + "a=extmap:0 urn:x\r\n", 6, "a=extmap id '0' is not a number in 1-255"),
                Arguments.of(HEAD + VIDEO + "a=extmap:256 urn:x\r\n", 6, "a=extmap id '256' is not a number in 1-255"),
                Arguments.of(HEAD + VIDEO + "a=extmap:3/sideways urn:x\r\n", 6, "a=extmap:3 direction 'sideways'"),
                Arguments.of(HEAD + VIDEO + "a=ssrc:4294967296 cname:x\r\n", 6, "a=ssrc SSRC '4294967296' is not a number"),
                Arguments.of(HEAD + VIDEO + "a=ssrc:1\r\n", 6, "a=ssrc:1 has no <attribute>[:<value>]"),
                Arguments.of(HEAD + VIDEO + "a=ssrc-group:FID 1 x\r\n", 6, "a=ssrc-group SSRC 'x' is not a number"),
                Arguments.of(HEAD + VIDEO + "a=msid:a b c\r\n", 6, "a=msid has 3 fields"),
                Arguments.of(HEAD + VIDEO + "a=rid:q sideways\r\n", 6, "a=rid:q direction 'sideways' is not send or recv"),
                Arguments.of(HEAD + VIDEO + "a=rid:q.1 send\r\n", 6, "a=rid rid 'q.1' has a character other than"),
                Arguments.of(HEAD + VIDEO + "a=simulcast: send rid=1;2\r\n", 6, "a=simulcast rid 'rid=1'"),
                Arguments.of(HEAD + VIDEO + "a=simulcast:send q recv h send f\r\n", 6, "a=simulcast needs <send|recv>"),
                Arguments.of(HEAD + VIDEO + "a=candidate:1 1 udp 1 127.0.0.1 9 host\r\n", 6, "a=candidate needs <foundation>"),
                Arguments.of(HEAD + VIDEO + "a=candidate:1 1 udp 1 127.0.0.1 99999 typ host\r\n", 6, "a=candidate port '99999'"),
                Arguments.of(HEAD + VIDEO + "a=candidate:1 0 udp 1 127.0.0.1 9 typ host\r\n", 6, "a=candidate component '0'"),
                Arguments.of(HEAD + VIDEO + "a=fingerprint:sha-256 AB:CD:E\r\n", 6, "a=fingerprint value 'AB:CD:E' is not 1-64"),
                Arguments.of(HEAD + VIDEO + "a=fingerprint:sha-256 AB:XY\r\n", 6, "is not 1-64 colon-separated hex bytes"),
                Arguments.of(HEAD + VIDEO + "a=setup:sometimes\r\n", 6, "a=setup value 'sometimes' is not active, passive"),
                Arguments.of(HEAD + VIDEO + "a=ice-ufrag:a b\r\n", 6, "a=ice-ufrag value 'a b' contains a space"),
                Arguments.of(HEAD + VIDEO + "a=sctp-port:x\r\n", 6, "a=sctp-port value 'x' is not a number"),
                Arguments.of(HEAD + VIDEO + "a=:x\r\n", 6, "a= has no attribute name"),
                Arguments.of(HEAD + "a=mid:0\u0000\r\n", 5, "control character 0x00 at column 8"),
                Arguments.of(HEAD + "s=a\rb\r\n", 5, "control character 0x0D at column 4"));
    }

    @ParameterizedTest(name = "[{index}] line {1}: {2}")
    @MethodSource("malformed")
    void shouldRefuseMalformedInputWithLineNumberAndReason(String sdp, int line, String reason) {
        SdpParseError error = failure(SdpParser.DEFAULT.parse(sdp));
        assertEquals(line, error.lineNumber(), error::message);
        assertTrue(error.reason().contains(reason), () -> "'" + error.reason() + "' should contain '" + reason + "'");
        assertOneLine(error.message());
        if (line > 0) {
            assertTrue(error.message().startsWith("line " + line + ": "), error::message);
        }
    }

    @Test
    void shouldRefuseInvalidUtf8NamingTheLine() {
        byte[] sdp = (HEAD + "i=x\r\n").getBytes(StandardCharsets.UTF_8);
        sdp[sdp.length - 3] = (byte) 0xC3; // a lead byte followed by CR: not UTF-8
        SdpParseError error = failure(SdpParser.DEFAULT.parse(sdp));
        assertEquals(5, error.lineNumber());
        assertTrue(error.reason().startsWith("byte " + (sdp.length - 3) + " is not valid UTF-8"), error::message);
    }

    @Test
    void shouldAcceptUtf8TextFieldsAndKeepThemExactly() {
        String sdp = HEAD.replace("s=-", "s=Zoë’s stream") + VIDEO;
        byte[] bytes = sdp.getBytes(StandardCharsets.UTF_8);
        SessionDescription d = parsed(SdpParser.DEFAULT.parse(bytes));
        assertArrayEquals(bytes, d.write().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldBoundSizeLinesLineLengthAndMediaSections() {
        SdpParser small = new SdpParser(new SdpLimits(400, 12, 60, 2));
        assertEquals("SDP is 401 bytes, more than the limit of 400", failure(small.parse(new byte[401])).message());
        assertEquals("SDP is 401 characters, more than the limit of 400", failure(small.parse("v".repeat(401))).message());
        assertEquals("line 13: more than 12 lines", failure(small.parse(HEAD + "a=x\r\n".repeat(20))).message());
        assertEquals("line 5: line is 61 characters, more than the limit of 60",
                failure(small.parse(HEAD + "a=" + "x".repeat(59) + "\r\n")).message());
        assertEquals("line 7: more than 2 m-sections", failure(small.parse(HEAD + VIDEO.repeat(3))).message());

        assertEquals(256 * 1024, SdpLimits.DEFAULT.maxBytes());
        String huge = HEAD + "a=x-pad:" + "y".repeat(5000) + "\r\n";
        assertEquals("line 5: line is 5008 characters, more than the limit of 4096",
                failure(SdpParser.DEFAULT.parse(huge)).message());
        byte[] tooBig = new byte[SdpLimits.DEFAULT.maxBytes() + 1];
        assertTrue(failure(SdpParser.DEFAULT.parse(tooBig)).message().startsWith("SDP is 262145 bytes"));
    }

    @Test
    void shouldBuildLinesFromTypedFieldsCanonically() {
        assertEquals("a=extmap:9/recvonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
                SdpLine.of(new Extmap(9, Optional.of(Direction.RECVONLY), "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "")).text());
        assertEquals("a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host",
                SdpLine.of(Candidate.udpHost("1", 2130706431L, "192.0.2.1", 40000)).text());
        assertEquals("a=ssrc-group:FID 1 2", SdpLine.of(new SsrcGroup("FID", List.of(1L, 2L))).text());
        assertEquals("a=rid:q recv", SdpLine.of(new Rid("q", RidDirection.RECV, "")).text());
        assertEquals("a=setup:passive", SdpLine.of(SetupRole.PASSIVE).text());
        assertEquals("a=recvonly", SdpLine.of(Direction.RECVONLY).text());
        assertEquals("a=rtcp-mux", SdpLine.of(SdpAttribute.Flag.RTCP_MUX).text());
        assertEquals("m=video 9 UDP/TLS/RTP/SAVPF 96 97",
                SdpLine.of(new MediaLine("video", 9, 1, "UDP/TLS/RTP/SAVPF", List.of("96", "97"))).text());
    }

    static SdpParseError failure(SdpParseResult result) {
        return switch (result) {
            case SdpParseResult.Failed f -> f.error();
            case SdpParseResult.Parsed p -> throw new AssertionError("expected a parse failure, parsed:\n" + p.description());
        };
    }

    static SessionDescription parsed(SdpParseResult result) {
        return switch (result) {
            case SdpParseResult.Parsed p -> p.description();
            case SdpParseResult.Failed f -> throw new AssertionError("did not parse: " + f.error());
        };
    }

    static void assertOneLine(String message) {
        assertFalse(message.isEmpty());
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
    }
}
