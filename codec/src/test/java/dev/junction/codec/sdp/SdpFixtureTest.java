package dev.junction.codec.sdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.SdpAttribute.Rtpmap;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every offer in {@code src/test/resources/sdp/}, whatever the lead adds later, parses and round-trips exactly. */
class SdpFixtureTest {

    static List<String> fixtures() {
        return SdpFixtures.names();
    }

    @Test
    void shouldFindTheCapturedAndTheDocumentedOffers() {
        List<String> names = SdpFixtures.names();
        assertTrue(names.containsAll(List.of("chromium-publisher-vp8.sdp", "chromium-subscriber.sdp",
                "firefox-publisher-vp8-simulcast.sdp", "firefox-subscriber.sdp", "safari-publisher-h264.sdp",
                "safari-publisher-vp8.sdp", "safari-subscriber.sdp")), names::toString);
        for (String browser : List.of("chromium-", "firefox-", "safari-")) {
            assertTrue(SdpFixtures.names(browser).size() >= 3, browser);
        }
        assertTrue(names.stream().allMatch(n -> n.endsWith(".sdp")), names::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldRoundTripByteForByte(String name) {
        byte[] bytes = SdpFixtures.bytes(name);
        SessionDescription d = SdpParserTest.parsed(SdpParser.DEFAULT.parse(bytes));
        assertArrayEquals(bytes, d.write().getBytes(StandardCharsets.UTF_8));
        // The same through the text entry point.
        assertEquals(new String(bytes, StandardCharsets.UTF_8), SdpFixtures.parse(name).write());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldReadAnLfOnlyCopyAsTheSameLines(String name) {
        String crlf = SdpFixtures.text(name);
        assertTrue(crlf.contains("\r\n"), "the fixture lost its CRLF line endings; see .gitattributes");
        SessionDescription fromLf = SdpFixtures.parseText(crlf.replace("\r\n", "\n"));
        assertEquals(SdpFixtures.parse(name).allLines(), fromLf.allLines());
        assertEquals(crlf, fromLf.write());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void shouldExposeWhatTheAnswererNeeds(String name) {
        SessionDescription d = SdpFixtures.parse(name);
        assertTrue(d.origin().isPresent());
        assertTrue(d.bundleGroup().isPresent(), "browsers offer max-bundle here");
        assertFalse(d.media().isEmpty());
        Set<String> mids = new HashSet<>();
        for (MediaDescription m : d.media()) {
            assertTrue(m.mid().isPresent(), m::toString);
            assertTrue(mids.add(m.mid().get()), "unique mids");
            assertTrue(m.rtcpMux() || !m.mediaLine().isRtp(), m::toString);
            assertTrue(d.effectiveIceUfrag(m).isPresent() && d.effectiveIcePwd(m).isPresent(), m::toString);
            assertFalse(d.effectiveFingerprints(m).isEmpty(), m::toString);
            assertTrue(d.effectiveSetup(m).isPresent(), m::toString);
            // Every rtpmap belongs to a payload type of the m= line, and lookups agree with the list.
            for (Rtpmap r : m.rtpmaps()) {
                assertTrue(m.payloadTypes().contains(r.payloadType()), r::toString);
                assertEquals(r, m.rtpmap(r.payloadType()).orElseThrow());
            }
            // Every line is typed consistently with its text.
            for (SdpLine line : m.lines()) {
                assertEquals(line.type(), line.field().lineType());
            }
        }
        assertTrue(d.bundleGroup().get().mids().stream().allMatch(mids::contains));
    }
}
