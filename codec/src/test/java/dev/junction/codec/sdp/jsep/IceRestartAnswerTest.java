package dev.junction.codec.sdp.jsep;

import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.ADDRESSES;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.SdpLine;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host candidates Junction announces, in a full answer and in an ICE restart answer: one rule for both. */
class IceRestartAnswerTest {
    private static final IceCredentials LOCAL = new IceCredentials("Jw3qL0xZ7kR2mN9p", "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI");

    @Test
    void shouldAnnounceOneUdpHostCandidatePerAddressInOrder() {
        List<InetSocketAddress> addresses = List.of(address("2001:0db8:0:0:1:0:0:1", 40002), address("192.0.2.1", 40000),
                address("::1", 65535));
        assertEquals(List.of(
                "1 1 udp 2130706431 2001:db8::1:0:0:1 40002 typ host",     // local preference 65535
                "2 1 udp 2130706175 192.0.2.1 40000 typ host",             // 65534: 256 lower
                "3 1 udp 2130705919 ::1 65535 typ host"),                   // 65533
                SdpNegotiator.hostCandidates(addresses).stream().map(IceCandidate::write).toList());
    }

    @Test
    void shouldAnnounceTheSameCandidatesAsTheFullAnswer() {
        AnswerResult.Answered a = NegotiatorFixtures.answerAndCheck(NegotiatorFixtures.DEFAULT,
                SdpFixtures.parse("chromium-publisher-vp8.sdp"), NegotiatorFixtures.publisher());
        MediaDescription tagged = a.answer().media().get(0);
        List<SdpLine> lines = tagged.lines().stream().filter(l -> l.value().startsWith("candidate:")).toList();
        assertEquals(lines, SdpNegotiator.hostCandidates(ADDRESSES).stream().map(IceCandidate::toSdpLine).toList());
    }

    @Test
    void shouldRefuseAddressesNoAnswerWouldAccept() {
        assertThrows(IllegalArgumentException.class,
                () -> SdpNegotiator.hostCandidates(List.of(InetSocketAddress.createUnresolved("example.com", 1))));
        assertThrows(IllegalArgumentException.class, () -> SdpNegotiator.hostCandidates(List.of(address("192.0.2.1", 0))));
        List<InetSocketAddress> many = new ArrayList<>(Collections.nCopies(AnswerParameters.MAX_HOST_ADDRESSES + 1,
                address("192.0.2.1", 1)));
        assertThrows(IllegalArgumentException.class, () -> SdpNegotiator.hostCandidates(many));
        assertEquals(List.of(), SdpNegotiator.hostCandidates(List.of()));
    }

    @Test
    void shouldWriteTheRestartAnswerFragmentExactly() {
        String expected = "a=ice-lite\r\n"
                + "a=ice-ufrag:Jw3qL0xZ7kR2mN9p\r\n"
                + "a=ice-pwd:aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI\r\n"
                + "a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host\r\n"
                + "a=candidate:2 1 udp 2130706175 2001:db8::1 40000 typ host\r\n"
                + "a=end-of-candidates\r\n";
        assertEquals(expected, IceRestartAnswer.forHostAddresses(LOCAL, ADDRESSES));
        assertEquals(expected, FragmentFixtures.text("junction-ice-restart-answer.sdpfrag"));
    }

    @Test
    void shouldWriteAnswerWithoutCandidates() {
        assertEquals("a=ice-lite\r\na=ice-ufrag:Jw3qL0xZ7kR2mN9p\r\na=ice-pwd:aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI\r\n"
                + "a=end-of-candidates\r\n", IceRestartAnswer.write(LOCAL, List.of()));
    }

    @Test
    void shouldReadItsOwnAnswerBack() {
        String written = IceRestartAnswer.forHostAddresses(LOCAL, ADDRESSES);
        TrickleFragment f = ((TrickleFragment.Parsed) TrickleFragment.parse(written.getBytes(
                java.nio.charset.StandardCharsets.UTF_8))).fragment();
        assertEquals(java.util.Optional.of(LOCAL), f.credentials());
        assertEquals(SdpNegotiator.hostCandidates(ADDRESSES), f.candidates().stream().map(TrickleFragment.Candidate::candidate).toList());
    }

    @Test
    void shouldRefuseCredentialsThatWouldBreakTheBody() {
        assertThrows(IllegalArgumentException.class,
                () -> IceRestartAnswer.write(new IceCredentials("abc\r\n", LOCAL.pwd()), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> IceRestartAnswer.write(new IceCredentials(LOCAL.ufrag(), "short"), List.of()));
    }
}
