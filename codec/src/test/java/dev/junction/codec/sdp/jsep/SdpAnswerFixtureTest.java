package dev.junction.codec.sdp.jsep;

import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.DEFAULT;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.answerAndCheck;
import static dev.junction.codec.sdp.jsep.NegotiatorFixtures.forOffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture offer gets an answer that parses back, passes the offerer's checks ({@link OfferAnswerCheck})
 * and agrees with the {@link NegotiatedSession} handed to the transport and the room.
 */
class SdpAnswerFixtureTest {

    static List<String> fixtures() {
        return SdpFixtures.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldAnswerEveryFixtureSoThatTheOffererAcceptsIt(String name) {
        SessionDescription offer = SdpFixtures.parse(name);
        AnswerParameters parameters = forOffer(offer);
        AnswerResult.Answered a = answerAndCheck(DEFAULT, offer, parameters);
        SessionDescription answer = a.answer();
        NegotiatedSession n = a.negotiated();

        assertEquals(answer.bundleGroup().orElseThrow().mids(), n.bundleMids());
        assertEquals(offer.media().size(), n.media().size());
        MediaDescription tagged = offer.media(offer.bundleGroup().orElseThrow().mids().get(0)).orElseThrow();
        assertEquals(offer.effectiveIceUfrag(tagged).orElseThrow(), n.remoteIce().ufrag());
        assertEquals(offer.effectiveIcePwd(tagged).orElseThrow(), n.remoteIce().pwd());
        assertEquals(offer.effectiveFingerprints(tagged), n.remoteFingerprints());
        assertEquals(answer.media().get(0).iceUfrag().orElseThrow(), n.localIce().ufrag());
        assertEquals(NegotiatorFixtures.LOCAL_FINGERPRINT, n.localFingerprint());
        for (int i = 0; i < n.media().size(); i++) {
            NegotiatedMedia m = n.media().get(i);
            MediaDescription am = answer.media().get(i);
            assertEquals(i, m.index());
            assertEquals(am.mid().orElseThrow(), m.mid());
            assertEquals(am.port() != 0, m.accepted(), m::toString);
            if (m.kind() == MediaKind.APPLICATION) {
                assertFalse(m.accepted(), "data channels are rejected for now");
            }
            if (!m.accepted()) {
                continue;
            }
            assertEquals(answer.effectiveDirection(am), m.direction());
            List<Integer> pts = new ArrayList<>();
            for (NegotiatedCodec c : m.codecs()) {
                pts.add(c.payloadType());
                c.rtxPayloadType().ifPresent(pts::add);
            }
            assertEquals(pts.stream().sorted().toList(), am.payloadTypes().stream().sorted().toList());
            for (SdpAttribute.Extmap e : am.extmaps()) {
                assertEquals(e.id(), m.headerExtensions().get(e.uri()));
            }
            assertEquals(m.sends(), m.sendStream().isPresent());
            assertEquals(am.rids().size(), m.simulcastLayers().size());
        }
        assertTrue(n.media().stream().anyMatch(NegotiatedMedia::accepted), n::toString);
    }

    @Test
    void shouldDetectWhatABrowserWouldRefuse() {
        SessionDescription offer = SdpFixtures.parse("chromium-publisher-vp8.sdp");
        String good = NegotiatorFixtures.answered(DEFAULT.answer(offer, NegotiatorFixtures.publisher())).sdp();
        assertEquals(List.of(), OfferAnswerCheck.problems(offer, SdpFixtures.parseText(good)));

        List<String> broken = List.of(
                good.replace("a=ice-lite\r\n", ""),
                good.replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97", "m=video 9 UDP/TLS/RTP/SAVPF 96 97 35"),
                good.replace("a=fmtp:97 apt=96", "a=fmtp:97 apt=98"),
                good.replace("a=setup:passive", "a=setup:actpass"),
                good.replace("a=extmap:13 urn:3gpp:video-orientation", "a=extmap:12 urn:3gpp:video-orientation"),
                good.replace("a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96", "a=sendonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96"),
                good.replace("a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 nack sli"),
                good.replace("a=end-of-candidates\r\n", ""),
                good.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1 0"));
        for (String b : broken) {
            assertFalse(b.equals(good), "the replacement must change the answer");
            assertFalse(OfferAnswerCheck.problems(offer, SdpFixtures.parseText(b)).isEmpty(), b);
        }
    }
}
