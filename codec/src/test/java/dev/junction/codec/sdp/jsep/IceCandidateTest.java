package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.SdpLine;
import dev.junction.codec.sdp.SessionDescription;
import dev.junction.codec.sdp.jsep.IceCandidate.AddressKind;
import dev.junction.codec.sdp.jsep.IceCandidate.Extension;
import dev.junction.codec.sdp.jsep.IceCandidate.TcpType;
import dev.junction.codec.sdp.jsep.IceCandidate.Transport;
import dev.junction.codec.sdp.jsep.IceCandidate.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class IceCandidateTest {

    static IceCandidate parsed(String value) {
        return switch (IceCandidate.parse(value)) {
            case IceCandidate.Parsed p -> p.candidate();
            case IceCandidate.Rejected r -> throw new AssertionError("refused '" + value + "': " + r.reason());
        };
    }

    static String rejection(String value) {
        return switch (IceCandidate.parse(value)) {
            case IceCandidate.Parsed p -> throw new AssertionError("accepted '" + value + "' as " + p.candidate());
            case IceCandidate.Rejected r -> r.reason();
        };
    }

    // ---- parsing real candidates field by field ----------------------------------------------------------------

    @Test
    void shouldParseChromiumTrickledHostCandidateFieldByField() {
        // RFC 9725 §4.3.1's first candidate, as Chromium's RTCIceCandidate.candidate writes it.
        IceCandidate c = parsed("1387637174"          // foundation
                + " 1"                                 // component-id: RTP
                + " udp"                               // transport
                + " 2122260223"                        // priority: 126 << 24 | 32542 << 8 | 255
                + " 192.0.2.1"                         // connection-address
                + " 61764"                             // port
                + " typ host"                          // cand-type
                + " generation 0 ufrag EsAw network-id 1"); // extension pairs
        assertEquals("1387637174", c.foundation());
        assertEquals(1, c.componentId());
        assertEquals(Transport.UDP, c.transport());
        assertEquals(2_122_260_223L, c.priority());
        assertEquals("192.0.2.1", c.address());
        assertEquals(AddressKind.IPV4, c.addressKind());
        assertEquals(61764, c.port());
        assertEquals(Type.HOST, c.type());
        assertEquals(Optional.empty(), c.relatedAddress());
        assertEquals(OptionalInt.empty(), c.relatedPort());
        assertEquals(Optional.empty(), c.tcpType());
        assertEquals(List.of(new Extension("generation", "0"), new Extension("ufrag", "EsAw"),
                new Extension("network-id", "1")), c.extensions());
        assertFalse(c.isMdns());
    }

    @Test
    void shouldParseChromiumTcpActiveCandidateOnTheDiscardPort() {
        IceCandidate c = parsed("1230690586 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 "
                + "network-id 1 network-cost 50");
        assertEquals(Transport.TCP, c.transport());
        assertEquals(9, c.port());
        assertEquals(Optional.of(TcpType.ACTIVE), c.tcpType());
        assertEquals(3, c.extensions().size());
    }

    @Test
    void shouldParseFirefoxUpperCaseTransportAndIpv6Loopback() {
        IceCandidate c = parsed("1 2 UDP 2122252542 ::1 36584 typ host");
        assertEquals("1", c.foundation());
        assertEquals(2, c.componentId());
        assertEquals(Transport.UDP, c.transport());
        assertEquals("::1", c.address());
        assertEquals(AddressKind.IPV6, c.addressKind());
        assertEquals(List.of(), c.extensions());
    }

    @Test
    void shouldKeepAnMdnsNameAsTextAndSayItIsOne() {
        IceCandidate c = parsed("2270122897 1 udp 2113937151 76f418e4-f067-4092-ade3-a8adba4a670e.local 61784 typ host "
                + "generation 0 network-cost 999");
        assertEquals("76f418e4-f067-4092-ade3-a8adba4a670e.local", c.address());
        assertEquals(AddressKind.FQDN, c.addressKind());
        assertTrue(c.isMdns());
        assertFalse(parsed("1 1 udp 1 turn.example.com 3478 typ relay").isMdns());
    }

    @Test
    void shouldParseServerReflexiveCandidateWithItsRelatedAddress() {
        IceCandidate c = parsed("2 1 UDP 1686052863 203.0.113.7 56736 typ srflx raddr 0.0.0.0 rport 0");
        assertEquals(Type.SERVER_REFLEXIVE, c.type());
        assertEquals(Optional.of("0.0.0.0"), c.relatedAddress());
        assertEquals(OptionalInt.of(0), c.relatedPort());
    }

    @Test
    void shouldParseRelayedAndPeerReflexiveCandidates() {
        IceCandidate relay = parsed("3 1 udp 16777215 2001:db8::7 3478 typ relay raddr 198.51.100.9 rport 50000");
        assertEquals(Type.RELAYED, relay.type());
        assertEquals(Optional.of("198.51.100.9"), relay.relatedAddress());
        assertEquals(Type.PEER_REFLEXIVE, parsed("4 1 udp 1862270975 198.51.100.4 5000 typ prflx").type());
    }

    @Test
    void shouldParseKeywordsAndTokensInAnyCaseAsAbnfLiteralsAre() {
        IceCandidate c = parsed("a+/Z 1 Tcp 1 192.0.2.1 9 TYP Host RADDR 192.0.2.2 RPort 7 TcpType SO");
        assertEquals(Transport.TCP, c.transport());
        assertEquals(Type.HOST, c.type());
        assertEquals(Optional.of("192.0.2.2"), c.relatedAddress());
        assertEquals(OptionalInt.of(7), c.relatedPort());
        assertEquals(Optional.of(TcpType.SIMULTANEOUS_OPEN), c.tcpType());
        assertEquals("a+/Z 1 tcp 1 192.0.2.1 9 typ host raddr 192.0.2.2 rport 7 tcptype so", c.write());
    }

    @Test
    void shouldAcceptFieldsAtTheirBounds() {
        IceCandidate c = parsed("abcdefghijklmnopqrstuvwxyz012345 256 udp 4294967295 255.255.255.255 65535 typ host");
        assertEquals(32, c.foundation().length());
        assertEquals(256, c.componentId());
        assertEquals(IceCandidate.MAX_PRIORITY, c.priority());
        assertEquals(65535, c.port());
        assertEquals(0, parsed("0 1 udp 0 0.0.0.0 0 typ host").priority());
    }

    @Test
    void shouldAcceptEveryCandidateOfTheCapturedBrowserOffers() {
        int seen = 0;
        for (String name : SdpFixtures.names()) {
            SessionDescription offer = SdpFixtures.parse(name);
            for (MediaDescription m : offer.media()) {
                for (SdpLine line : m.lines()) {
                    if (line.field() instanceof SdpAttribute.Candidate) {
                        IceCandidate c = parsed(line.value().substring("candidate:".length()));
                        // The SDP model's lenient view and this one agree, up to the transport's case.
                        SdpAttribute.Candidate view = (SdpAttribute.Candidate) line.field();
                        assertEquals(view.transport().toLowerCase(java.util.Locale.ROOT), c.toSdpAttribute().transport());
                        assertEquals(view.priority(), c.priority());
                        assertEquals(view.address(), c.address());
                        seen++;
                    }
                }
            }
        }
        assertTrue(seen > 40, "only " + seen + " candidates in the fixtures");
    }

    // ---- writing ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1",
        "473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1",
        "694903131 1 udp 2113939711 fd7a:115c:a1e0:ab12:4843:cd96:626b:430b 60732 typ host generation 0 network-cost 999",
        "2 1 udp 1686052863 203.0.113.7 56736 typ srflx raddr 0.0.0.0 rport 0",
        "1 1 udp 2130706431 192.0.2.1 40000 typ host",
        "x 1 udp 1 ::ffff:192.0.2.1 1 typ relay raddr host.example rport 2 ext value",
    })
    void shouldWriteCanonicalCandidatesBackByteForByte(String value) {
        assertEquals(value, parsed(value).write());
    }

    @Test
    void shouldWriteFirefoxCandidatesWithLowerCaseTransport() {
        assertEquals("2 1 tcp 2105458943 127.0.0.1 9 typ host tcptype active",
                parsed("2 1 TCP 2105458943 127.0.0.1 9 typ host tcptype active").write());
    }

    @Test
    void shouldWriteKeywordsInRfcOrderWhateverOrderTheyCameIn() {
        IceCandidate c = parsed("1 1 tcp 5 192.0.2.1 9 typ host generation 0 tcptype passive rport 1 raddr 192.0.2.9");
        assertEquals("1 1 tcp 5 192.0.2.1 9 typ host raddr 192.0.2.9 rport 1 tcptype passive generation 0", c.write());
        assertEquals(c, parsed(c.write()));
    }

    @Test
    void shouldReadBackEveryRecordItWrites() {
        IceCandidate c = new IceCandidate("F00+/", 2, Transport.TCP, 1234, "fe80::1", 443, Type.RELAYED,
                Optional.of("relay.example.org"), OptionalInt.of(3478), Optional.of(TcpType.PASSIVE),
                List.of(new Extension("generation", "7"), new Extension("network-cost", "10")));
        assertEquals("F00+/ 2 tcp 1234 fe80::1 443 typ relay raddr relay.example.org rport 3478 tcptype passive "
                + "generation 7 network-cost 10", c.write());
        assertEquals(c, parsed(c.write()));
        assertEquals("candidate:" + c.write(), c.toString());
    }

    @Test
    void shouldGiveTheSdpModelTheSameLineAsTheOldUdpHostFactory() {
        IceCandidate c = IceCandidate.udpHost("1", 2_130_706_431L, "192.0.2.1", 40000);
        SdpLine line = c.toSdpLine();
        assertEquals("a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host", line.text());
        assertEquals(SdpAttribute.Candidate.udpHost("1", 2_130_706_431L, "192.0.2.1", 40000), line.field());
        assertEquals(SdpLine.of(SdpAttribute.Candidate.udpHost("1", 2_130_706_431L, "192.0.2.1", 40000)), line);
    }

    @Test
    void shouldPutTheTcptypeFirstAmongTheSdpModelsExtensions() {
        SdpAttribute.Candidate view = parsed("1 1 tcp 5 192.0.2.1 9 typ host tcptype active generation 0").toSdpAttribute();
        assertEquals("tcptype active generation 0", view.extensions());
        assertEquals("1 1 tcp 5 192.0.2.1 9 typ host tcptype active generation 0", view.formatValue());
    }

    // ---- priority (RFC 8445 §5.1.2.1) --------------------------------------------------------------------------

    @Test
    void shouldComputePrioritiesWithRfc8445Formula() {
        // 2^24 * 126 + 2^8 * 65535 + (256 - 1): the highest host priority, Junction's first candidate.
        assertEquals(2_130_706_431L, IceCandidate.priority(126, 65535, 1));
        assertEquals(2_130_706_430L, IceCandidate.priority(126, 65535, 2));
        // The recommended type preferences of RFC 8445 §5.1.2.2 with the top local preference.
        assertEquals(2_130_706_431L, IceCandidate.priority(Type.HOST.recommendedPreference(), 65535, 1));
        assertEquals(1_862_270_975L, IceCandidate.priority(Type.PEER_REFLEXIVE.recommendedPreference(), 65535, 1));
        assertEquals(1_694_498_815L, IceCandidate.priority(Type.SERVER_REFLEXIVE.recommendedPreference(), 65535, 1));
        assertEquals(16_777_215L, IceCandidate.priority(Type.RELAYED.recommendedPreference(), 65535, 1));
        // Real browsers: Chromium's host candidates (local preference 32542) and Firefox's (32512), RTP and RTCP.
        assertEquals(2_122_260_223L, IceCandidate.priority(126, 32542, 1));
        assertEquals(2_122_252_543L, IceCandidate.priority(126, 32512, 1));
        assertEquals(2_122_252_542L, IceCandidate.priority(126, 32512, 2));
        // The extremes: the formula spans 0 to just under 2^31 (RFC 8445 §5.1.2.1: at most 2^31 - 1).
        assertEquals(0L, IceCandidate.priority(0, 0, 256));
        assertTrue(IceCandidate.priority(126, 65535, 1) < (1L << 31));
    }

    @Test
    void shouldRejectPriorityInputsOutsideRfc8445Ranges() {
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(127, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(-1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(126, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(126, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(126, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> IceCandidate.priority(126, 0, 257));
    }

    // ---- refusals -----------------------------------------------------------------------------------------------

    static Stream<Arguments> malformed() {
        String ok = "1 1 udp 2122260223 192.0.2.1 61764 typ host";
        return Stream.of(
                Arguments.of("", "found 0 fields"),
                Arguments.of("1 1 udp 2122260223 192.0.2.1 61764 typ", "found 7 fields"),
                Arguments.of("abcdefghijklmnopqrstuvwxyz0123456 1 udp 1 192.0.2.1 1 typ host", "foundation 'abcdefghijklmnopqrstuvwxyz0123456' is not 1-32 ice-chars"),
                Arguments.of("fo-o 1 udp 1 192.0.2.1 1 typ host", "foundation 'fo-o'"),
                Arguments.of("1 0 udp 1 192.0.2.1 1 typ host", "component-id '0' is not a number in 1-256"),
                Arguments.of("1 257 udp 1 192.0.2.1 1 typ host", "component-id '257'"),
                Arguments.of("1 0001 udp 1 192.0.2.1 1 typ host", "component-id '0001'"),
                Arguments.of("1 -1 udp 1 192.0.2.1 1 typ host", "component-id '-1'"),
                Arguments.of("1 1 sctp 1 192.0.2.1 1 typ host", "transport 'sctp' is not UDP or TCP"),
                Arguments.of("1 1 udp 4294967296 192.0.2.1 1 typ host", "priority '4294967296' is not a number in 0-4294967295"),
                Arguments.of("1 1 udp 00000000001 192.0.2.1 1 typ host", "priority '00000000001'"),
                Arguments.of("1 1 udp 1e9 192.0.2.1 1 typ host", "priority '1e9'"),
                Arguments.of("1 1 udp 1 256.0.2.1 1 typ host", "address '256.0.2.1' is not an IPv4 address, an IPv6 address or a host name"),
                Arguments.of("1 1 udp 1 192.0.2 1 typ host", "address '192.0.2'"),
                Arguments.of("1 1 udp 1 192.0.2.01 1 typ host", "address '192.0.2.01'"),
                Arguments.of("1 1 udp 1 1:2:3:4:5:6:7:8:9 1 typ host", "address '1:2:3:4:5:6:7:8:9'"),
                Arguments.of("1 1 udp 1 1::2::3 1 typ host", "address '1::2::3'"),
                Arguments.of("1 1 udp 1 fe80::1%eth0 1 typ host", "address 'fe80::1%eth0'"),
                Arguments.of("1 1 udp 1 ::g 1 typ host", "address '::g'"),
                Arguments.of("1 1 udp 1 host_name.local 1 typ host", "address 'host_name.local'"),
                Arguments.of("1 1 udp 1 -bad.local 1 typ host", "address '-bad.local'"),
                Arguments.of("1 1 udp 1 a..local 1 typ host", "address 'a..local'"),
                Arguments.of("1 1 udp 2122260223 192.0.2.1 70000 typ host", "port '70000' is not a number in 0-65535"),
                Arguments.of("1 1 udp 2122260223 192.0.2.1 65536 typ host", "port '65536'"),
                Arguments.of("1 1 udp 2122260223 192.0.2.1 -1 typ host", "port '-1'"),
                Arguments.of("1 1 udp 1 192.0.2.1 1 type host", "has 'type' where 'typ' belongs"),
                Arguments.of("1 1 udp 1 192.0.2.1 1 typ relayed", "type 'relayed' is not host, srflx, prflx or relay"),
                Arguments.of(ok + " generation", "extension 'generation' has no value"),
                Arguments.of(ok + " raddr 300.1.1.1 rport 1", "raddr '300.1.1.1' is not an IPv4 address"),
                Arguments.of(ok + " raddr 192.0.2.2 raddr 192.0.2.3", "a second raddr"),
                Arguments.of(ok + " rport 70000", "rport '70000' is not a number in 0-65535"),
                Arguments.of(ok + " rport 1 rport 2", "a second rport"),
                Arguments.of("1 1 tcp 1 192.0.2.1 9 typ host tcptype sideways", "tcptype 'sideways' is not active, passive or so"),
                Arguments.of("1 1 tcp 1 192.0.2.1 9 typ host tcptype active tcptype passive", "a second tcptype"),
                Arguments.of(ok + " tcptype active", "has a tcptype but is not a TCP candidate"),
                Arguments.of(ok + " a 1".repeat(17), "more than 16 extension pairs"),
                Arguments.of(ok + " x\u0000y 1", "control character 0x00 at column 46"),
                Arguments.of(ok + "\r", "control character 0x0D"),
                Arguments.of(ok + " x " + "y".repeat(IceCandidate.MAX_LENGTH), "characters, more than 2048"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void shouldRejectMalformedFieldsWithOneLineReason(String value, String expected) {
        String reason = rejection(value);
        assertTrue(reason.startsWith("a=candidate "), reason);
        assertTrue(reason.contains(expected), () -> "expected '" + expected + "' in: " + reason);
        assertFalse(reason.contains("\n") || reason.contains("\r"), reason);
    }

    @Test
    void shouldCutLongInputInTheReason() {
        String reason = rejection("1 1 udp 1 " + "a".repeat(300) + ".b- 1 typ host");
        assertTrue(reason.length() < 150, reason);
        assertTrue(reason.contains("...'"), reason);
    }

    @Test
    void shouldRefuseInTheConstructorWhatTheParserWouldRefuse() {
        List<Runnable> bad = new ArrayList<>();
        bad.add(() -> IceCandidate.udpHost("", 1, "192.0.2.1", 1));
        bad.add(() -> IceCandidate.udpHost("a b", 1, "192.0.2.1", 1));
        bad.add(() -> IceCandidate.udpHost("1", -1, "192.0.2.1", 1));
        bad.add(() -> IceCandidate.udpHost("1", IceCandidate.MAX_PRIORITY + 1, "192.0.2.1", 1));
        bad.add(() -> IceCandidate.udpHost("1", 1, "192.0.2.256", 1));
        bad.add(() -> IceCandidate.udpHost("1", 1, "192.0.2.1", 65536));
        bad.add(() -> new IceCandidate("1", 0, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.empty(), List.of()));
        bad.add(() -> new IceCandidate("1", 1, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.of(TcpType.ACTIVE), List.of()));
        bad.add(() -> new IceCandidate("1", 1, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.of("x y"),
                OptionalInt.empty(), Optional.empty(), List.of()));
        bad.add(() -> new IceCandidate("1", 1, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.empty(),
                OptionalInt.of(65536), Optional.empty(), List.of()));
        bad.add(() -> new IceCandidate("1", 1, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.empty(), java.util.Collections.nCopies(17, new Extension("a", "1"))));
        bad.add(() -> new IceCandidate("1", 1, Transport.UDP, 1, "192.0.2.1", 1, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.empty(), List.of(new Extension("a", "b".repeat(IceCandidate.MAX_LENGTH)))));
        bad.add(() -> new Extension("raddr", "192.0.2.1"));
        bad.add(() -> new Extension("TCPTYPE", "active"));
        bad.add(() -> new Extension("", "1"));
        bad.add(() -> new Extension("a", ""));
        bad.add(() -> new Extension("a", "1 2"));
        bad.add(() -> new Extension("a\n", "1"));
        for (int i = 0; i < bad.size(); i++) {
            Runnable r = bad.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run, "case " + i);
            assertFalse(e.getMessage().isEmpty());
        }
    }

    private static final String GARBAGE = "0123456789 .:abcdefhilnoprstuvxyzUDPTC+/-\u0000\u00e9";

    @Test
    void shouldNeverThrowOnGarbage() {
        java.util.Random random = new java.util.Random(8839);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(120)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = GARBAGE.charAt(random.nextInt(GARBAGE.length()));
            }
            assertInstanceOf(IceCandidate.Result.class, IceCandidate.parse(new String(chars)));
        }
    }
}
