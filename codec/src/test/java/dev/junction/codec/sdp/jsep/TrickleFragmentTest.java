package dev.junction.codec.sdp.jsep;

import static dev.junction.codec.sdp.jsep.IceCandidateTest.parsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.jsep.IceCandidate.Transport;
import dev.junction.codec.sdp.jsep.IceCandidate.Type;
import dev.junction.codec.sdp.jsep.TrickleFragment.Candidate;
import dev.junction.codec.sdp.jsep.TrickleFragment.MediaSection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrickleFragmentTest {
    private static final IceCredentials ESAW = new IceCredentials("EsAw", "P2uYro0UCOQ4zxjKXaWCBui1");

    private static TrickleFragment parse(String body) {
        return switch (TrickleFragment.parse(body.getBytes(StandardCharsets.UTF_8))) {
            case TrickleFragment.Parsed p -> p.fragment();
            case TrickleFragment.Rejected r -> throw new AssertionError("refused: " + r.reason() + "\n" + body);
        };
    }

    private static String rejection(byte[] body) {
        return rejection(body, TrickleLimits.DEFAULT);
    }

    private static String rejection(byte[] body, TrickleLimits limits) {
        return switch (TrickleFragment.parse(body, limits)) {
            case TrickleFragment.Parsed p -> throw new AssertionError("accepted as " + p.fragment());
            case TrickleFragment.Rejected r -> {
                assertFalse(r.reason().isEmpty());
                assertFalse(r.reason().contains("\n") || r.reason().contains("\r"), r.reason());
                yield r.reason();
            }
        };
    }

    private static String rejection(String body) {
        return rejection(body.getBytes(StandardCharsets.UTF_8));
    }

    // ---- the shapes clients send -------------------------------------------------------------------------------

    @Test
    void shouldReadRfc9725TrickleExampleFieldByField() {
        TrickleFragment f = FragmentFixtures.parse("rfc9725-trickle.sdpfrag");
        assertEquals(Optional.of(ESAW), f.credentials());     // a=ice-ufrag:EsAw, a=ice-pwd:P2uY... (session level)
        assertFalse(f.iceLite());
        assertEquals(List.of(), f.iceOptions());
        // a=group:BUNDLE 0 1 is allowed and ignored; m=audio 9 UDP/TLS/RTP/SAVPF 111 + a=mid:0 + a=end-of-candidates
        assertEquals(List.of(new MediaSection("audio", "0", true)), f.media());
        assertEquals(MediaKind.AUDIO, f.media().get(0).kind());
        assertFalse(f.endOfCandidates());                     // said in the m-section, not at session level
        assertTrue(f.endOfCandidates("0"));
        assertFalse(f.endOfCandidates("1"));
        assertEquals(List.of(
                new Candidate("0", parsed("1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1")),
                new Candidate("0", parsed("3471623853 1 udp 2122194687 198.51.100.1 61765 typ host generation 0 ufrag EsAw network-id 2")),
                new Candidate("0", parsed("473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1")),
                new Candidate("0", parsed("2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw network-id 2"))),
                f.candidates());
    }

    @Test
    void shouldReadCredentialsInsideTheMediaSection() {
        TrickleFragment f = FragmentFixtures.parse("whip-draft-media-level-credentials.sdpfrag");
        assertEquals(Optional.of(ESAW), f.credentials());
        assertEquals(2, f.candidates().size());
        assertTrue(f.endOfCandidates("0"));
    }

    @Test
    void shouldReadWhipJsFragmentWithOneSectionPerMedia() {
        TrickleFragment f = FragmentFixtures.parse("whipjs-two-sections.sdpfrag");
        assertEquals(List.of(new MediaSection("audio", "0", true), new MediaSection("video", "1", true)), f.media());
        assertEquals(List.of("0", "0"), f.candidates().stream().map(Candidate::mid).toList());
        assertEquals(Transport.TCP, f.candidates().get(1).candidate().transport());
        assertTrue(f.endOfCandidates("1"));
    }

    @Test
    void shouldReadOneTrickledChromiumCandidate() {
        TrickleFragment f = FragmentFixtures.parse("chromium-single-candidate.sdpfrag");
        assertEquals(Optional.of(new IceCredentials("NkWT", "T+gJnGNWycD/LhRmrrWEMLUM")), f.credentials());
        assertEquals(1, f.candidates().size());
        assertEquals("0", f.candidates().get(0).mid());
        assertFalse(f.endOfCandidates("0"));
    }

    @Test
    void shouldTakeTheMidOfCandidatesWithoutMLineFromSessionLevelMid() {
        TrickleFragment f = FragmentFixtures.parse("chromium-single-candidate-no-mline.sdpfrag");
        assertEquals(Optional.empty(), f.credentials());
        assertEquals(List.of(), f.media());
        assertEquals("0", f.candidates().get(0).mid());
        assertTrue(f.candidates().get(0).candidate().isMdns());
    }

    @Test
    void shouldReadFirefoxUpperCaseTransportsIpv6AndMdnsNames() {
        TrickleFragment f = FragmentFixtures.parse("firefox-trickle.sdpfrag");
        List<IceCandidate> c = f.candidates().stream().map(Candidate::candidate).toList();
        assertEquals(5, c.size());
        assertTrue(c.get(0).isMdns());
        assertEquals(IceCandidate.AddressKind.IPV6, c.get(1).addressKind());
        assertEquals(Type.SERVER_REFLEXIVE, c.get(2).type());
        assertEquals(Optional.of("0.0.0.0"), c.get(2).relatedAddress());
        assertEquals(List.of(Transport.UDP, Transport.UDP, Transport.UDP, Transport.TCP, Transport.TCP),
                c.stream().map(IceCandidate::transport).toList());
        assertTrue(f.endOfCandidates("0"));
    }

    @Test
    void shouldReadAFragmentThatOnlyEndsGathering() {
        TrickleFragment f = FragmentFixtures.parse("end-of-candidates-only.sdpfrag");
        assertEquals(new TrickleFragment(Optional.empty(), false, List.of(), List.of(), List.of(), true), f);
        assertTrue(f.endOfCandidates("any"));
    }

    @Test
    void shouldReadAnIceRestartRequestCarryingOnlyCredentials() {
        TrickleFragment f = FragmentFixtures.parse("ice-restart-request.sdpfrag");
        IceCredentials restart = new IceCredentials("ysXw", "vw5LmwG4y/e6dPP/zAP9Gp5k");
        assertEquals(new TrickleFragment(Optional.of(restart), false, List.of(), List.of(), List.of(), false), f);
        assertTrue(f.isIceRestart(ESAW));
        assertFalse(f.isIceRestart(restart));
    }

    @Test
    void shouldNotCallRepeatedCredentialsARestart() {
        // A trickle PATCH may repeat the session's credentials (RFC 9725 §4.3.1's example does).
        assertFalse(FragmentFixtures.parse("rfc9725-trickle.sdpfrag").isIceRestart(ESAW));
        assertFalse(FragmentFixtures.parse("end-of-candidates-only.sdpfrag").isIceRestart(ESAW));
    }

    @Test
    void shouldReadBackJunctionsOwnRestartAnswer() {
        TrickleFragment f = FragmentFixtures.parse("junction-ice-restart-answer.sdpfrag");
        assertTrue(f.iceLite());
        assertTrue(f.endOfCandidates());
        assertEquals(SdpNegotiator.hostCandidates(NegotiatorFixtures.ADDRESSES),
                f.candidates().stream().map(Candidate::candidate).toList());
        assertEquals(List.of("", ""), f.candidates().stream().map(Candidate::mid).toList());
    }

    @Test
    void shouldAcceptLfLineEndsBlankLinesAndIgnoreUnknownAttributes() {
        TrickleFragment f = parse("a=ice-options:trickle renomination\n\na=x-custom:whatever it is\n"
                + "a=ice-pacing:50\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=candidate:1 1 udp 1 192.0.2.1 1 typ host\n"
                + "a=remote-candidates:1 192.0.2.9 5000\na=mid:v\na=ice-options:trickle\n");
        assertEquals(List.of("trickle", "renomination"), f.iceOptions());
        assertEquals(List.of(new MediaSection("video", "v", false)), f.media());
        // a=mid may follow the candidates of its m-section.
        assertEquals("v", f.candidates().get(0).mid());
    }

    @Test
    void shouldLeaveTheMidEmptyWhereTheFragmentDoesNotSayIt() {
        TrickleFragment f = parse("a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\nm=audio 9 RTP/AVP 0\r\n"
                + "a=candidate:2 1 udp 1 192.0.2.2 1 typ host\r\n");
        assertEquals(List.of("", ""), f.candidates().stream().map(Candidate::mid).toList());
        assertEquals(List.of(new MediaSection("audio", "", false)), f.media());
    }

    @Test
    void shouldAcceptTheSameCredentialsAtBothLevels() {
        TrickleFragment f = parse("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\n"
                + "a=mid:0\r\na=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n");
        assertEquals(Optional.of(ESAW), f.credentials());
    }

    // ---- refusals -----------------------------------------------------------------------------------------------

    @Test
    void shouldRejectAnEmptyBody() {
        assertEquals("the body is empty; a trickle-ice-sdpfrag carries a= lines (RFC 8840 §9.2)", rejection(new byte[0]));
        assertTrue(rejection("\r\n\r\n").startsWith("the body has only blank lines"));
    }

    @Test
    void shouldRejectRandomBytes() {
        byte[] noise = new byte[2000];
        new Random(2000).nextBytes(noise);
        assertTrue(rejection(noise).matches("line \\d+: (byte \\d+ is not valid UTF-8|control character).*"));
    }

    @Test
    void shouldRejectPlainText() {
        assertEquals("line 1: expected <type>=<value>, found 'hello world'", rejection("hello world"));
    }

    @Test
    void shouldRejectEveryFullOfferAtItsFirstLine() {
        for (String name : SdpFixtures.names()) {
            assertEquals("line 1: 'v=' starts a full SDP; a trickle-ice-sdpfrag carries only a= and m= lines "
                    + "(RFC 8840 §9.2)", rejection(SdpFixtures.text(name)), name);
        }
    }

    @Test
    void shouldRejectMismatchedUfragAcrossLevels() {
        String reason = rejection("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\n"
                + "a=mid:0\r\na=ice-ufrag:Other\r\n");
        assertEquals("line 5: a=ice-ufrag:'Other' differs from a=ice-ufrag:'EsAw' on line 1; the fragment is for one "
                + "ICE transport (BUNDLE)", reason);
    }

    @Test
    void shouldRejectMismatchedPasswordWithoutEchoingIt() {
        String reason = rejection("a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\nm=audio 9 RTP/AVP 0\r\n"
                + "a=ice-pwd:Zzzzzzzzzzzzzzzzzzzzzzzz\r\n");
        assertEquals("line 4: a=ice-pwd differs from the a=ice-pwd on line 2; the fragment is for one ICE transport (BUNDLE)",
                reason);
    }

    @Test
    void shouldRejectOneCredentialWithoutTheOther() {
        assertEquals("line 1: a=ice-ufrag without a=ice-pwd; ICE credentials come in pairs (RFC 8839 §5.4)",
                rejection("a=ice-ufrag:EsAw\r\na=end-of-candidates\r\n"));
        assertEquals("line 3: a=ice-pwd without a=ice-ufrag; ICE credentials come in pairs (RFC 8839 §5.4)",
                rejection("m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"));
    }

    @Test
    void shouldRejectCredentialsThatIceCredentialsRejects() {
        assertEquals("line 1: " + IceCredentials.ufragProblem("abc"), rejection("a=ice-ufrag:abc\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"));
        assertEquals("line 2: " + IceCredentials.pwdProblem("short"), rejection("a=ice-ufrag:EsAw\r\na=ice-pwd:short\r\n"));
        assertEquals("line 1: " + IceCredentials.ufragProblem("Es-Aw"), rejection("a=ice-ufrag:Es-Aw\r\n"));
        assertEquals("line 1: " + IceCredentials.ufragProblem(""), rejection("a=ice-ufrag\r\n"));
    }

    @Test
    void shouldRejectACandidateWithTheCandidateParsersReason() {
        String line = "a=candidate:1 1 udp 2122260223 192.0.2.1 70000 typ host";
        assertEquals("line 3: a=candidate port '70000' is not a number in 0-65535",
                rejection("m=audio 9 RTP/AVP 0\r\na=mid:0\r\n" + line + "\r\n"));
        assertEquals("line 1: a=candidate needs <foundation> <component-id> <transport> <priority> <address> <port> "
                + "typ <type> (RFC 8839 §5.1), found 0 fields", rejection("a=candidate\r\n"));
    }

    static Stream<Arguments> forbidden() {
        return Stream.of(
                Arguments.of("o=- 1 2 IN IP4 0.0.0.0", "line 1: 'o=' lines are not allowed; a trickle-ice-sdpfrag carries only a= and m= lines (RFC 8840 §9.2)"),
                Arguments.of("s=-", "line 1: 's=' lines are not allowed"),
                Arguments.of("t=0 0", "line 1: 't=' lines are not allowed"),
                Arguments.of("c=IN IP4 0.0.0.0", "line 1: 'c=' lines are not allowed"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0", "line 2: 'c=' lines are not allowed"),
                Arguments.of("b=AS:30", "line 1: 'b=' lines are not allowed"),
                Arguments.of("A=candidate:1 1 udp 1 192.0.2.1 1 typ host", "line 1: line type 'A' is not a lower-case letter (RFC 8866 §5)"),
                Arguments.of("=x", "line 1: expected <type>=<value>, found '=x'"),
                Arguments.of("a", "line 1: expected <type>=<value>, found 'a'"),
                Arguments.of("a: candidate", "line 1: expected <type>=<value>, found 'a: candidate'"),
                Arguments.of("a=", "line 1: a= has no attribute name"),
                Arguments.of("a=:x", "line 1: a= has no attribute name"),
                Arguments.of("a=two words", "line 1: attribute name 'two words' is not a token (RFC 8866 §5.13)"),
                Arguments.of("a=rtpmap:111 opus/48000/2", "line 1: a=rtpmap belongs in an SDP offer or answer; a trickle-ice-sdpfrag carries ICE attributes only (RFC 8840 §9.2)"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\na=fingerprint:sha-256 AB:CD", "line 2: a=fingerprint belongs in an SDP offer or answer"),
                Arguments.of("a=setup:actpass", "line 1: a=setup belongs"),
                Arguments.of("a=sendrecv", "line 1: a=sendrecv belongs"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\na=ice-lite", "line 2: a=ice-lite is a session-level attribute (RFC 8839 §5.3), found in an m-section"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\na=group:BUNDLE 0", "line 2: a=group is a session-level attribute (RFC 5888 §5)"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\na=mid:0\r\na=mid:1", "line 3: a second a=mid in one m-section (first on line 2)"),
                Arguments.of("m=audio 9 RTP/AVP 0\r\na=mid:0\r\nm=video 9 RTP/AVP 0\r\na=mid:0", "line 4: a=mid:0 is already the mid of another m-section (line 2)"),
                Arguments.of("a=mid:", "line 1: a=mid '' is not a token of 1-64 characters (RFC 5888 §4)"),
                Arguments.of("a=mid:a b", "line 1: a=mid 'a b' is not a token"),
                Arguments.of("m=audio 9 RTP/AVP", "line 1: m= needs <media> <port> <proto> <fmt> (RFC 8866 §5.14), found 3 fields"),
                Arguments.of("m=audio RTP/AVP 0", "line 1: m= needs <media> <port> <proto> <fmt> (RFC 8866 §5.14), found 3 fields"),
                Arguments.of("m=audio 70000 RTP/AVP 0", "line 1: m= port '70000' is not <port>[/<count>] in 0-65535"),
                Arguments.of("m=audio 9/0 RTP/AVP 0", "line 1: m= port '9/0'"),
                Arguments.of("m=au\"dio 9 RTP/AVP 0", "line 1: m= media 'au\"dio' is not a token"),
                Arguments.of("a=ice-options:", "line 1: a=ice-options needs at least one option tag (RFC 8839 §5.6)"),
                Arguments.of("a=ice-options:trickle ice-2", "line 1: a=ice-options tag 'ice-2' is not 1-256 ice-chars"),
                Arguments.of("a=end-of-candidates\r\na=candidate:1 1 udp 1 192.0.2.1 1 typ host\u0000", "line 2: control character 0x00 at column 43"),
                Arguments.of("a=end-of-candidates\ra=ice-lite", "line 1: control character 0x0D at column 20"));
    }

    @ParameterizedTest
    @MethodSource("forbidden")
    void shouldRejectLinesAnSdpfragMayNotCarry(String body, String expected) {
        String reason = rejection(body + "\r\n");
        assertTrue(reason.startsWith(expected), () -> "expected '" + expected + "...', got: " + reason);
    }

    @Test
    void shouldRejectInvalidUtf8WithItsLine() {
        byte[] body = "a=end-of-candidates\r\na=x-note:caf\u00e9 \r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("line 2: byte 33 is not valid UTF-8; a trickle-ice-sdpfrag is SDP text (RFC 8866 §5)", rejection(body));
        // Valid UTF-8 in an unknown attribute is fine (RFC 8840's registration allows it in extensions).
        parse("a=x-note:caf\u00e9\r\na=end-of-candidates\r\n");
    }

    @Test
    void shouldRejectBodiesBeyondTheLimits() {
        TrickleLimits small = new TrickleLimits(200, 4, 60, 1, 2);
        assertEquals("the body is 201 bytes, more than the limit of 200", rejection(new byte[201], small));
        assertEquals("the body is 65537 bytes, more than the limit of 65536", rejection(new byte[64 * 1024 + 1]));
        assertEquals("line 5: more than 4 lines", rejection("\r\n\r\n\r\n\r\na=end-of-candidates\r\n".getBytes(StandardCharsets.UTF_8), small));
        assertEquals("line 1: line is 61 characters, more than the limit of 60",
                rejection(("a=x:" + "y".repeat(57) + "\r\n").getBytes(StandardCharsets.UTF_8), small));
        assertEquals("line 2: more than 1 m= lines",
                rejection("m=audio 9 RTP/AVP 0\r\nm=video 9 RTP/AVP 0\r\n".getBytes(StandardCharsets.UTF_8), small));
        String candidate = "a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n";
        assertEquals("line 3: more than 2 a=candidate lines",
                rejection((candidate + candidate + candidate).getBytes(StandardCharsets.UTF_8), small));
    }
}
