package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import dev.junction.transport.socket.MediaPlane;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connectivity self-check: the mistakes behind "nobody can connect", judged from the addresses alone, and the
 * probe over real loopback UDP (only loopback addresses are ever sent to).
 */
class ConnectivityCheckTest {

    @Test
    void shouldFindNothingWrongWithLoopbackBoundAndAnnounced() {
        Report report = check("127.0.0.1", "127.0.0.1");
        assertEquals(List.of(), report.warnings(), report.text());
        assertTrue(report.lines().get(0).equals("HTTP: http://127.0.0.1:8080/"), report.text());
        assertTrue(report.lines().get(1).matches("media loop 0: UDP 127\\.0\\.0\\.1:\\d+"), report.text());
        assertTrue(report.text().endsWith("connectivity: no problems found\n"), report.text());
    }

    /** An IPv6 address announced for IPv4 sockets: the warning, and the probe to ::1 really never arrives. */
    @Test
    void shouldWarnAboutIpv6AnnouncedForIpv4SocketsAndSeeTheProbeFail() {
        Report report = check("127.0.0.1", "::1");
        assertEquals(2, report.warnings().size(), report.text());
        assertTrue(report.warnings().get(0).startsWith("announced 0:0:0:0:0:0:0:1 is IPv6 but the media sockets are bound to IPv4 127.0.0.1"), report.text());
        assertTrue(report.warnings().get(1).startsWith("a UDP probe from this host to 0:0:0:0:0:0:0:1 port(s) "), report.text());
        assertTrue(report.text().endsWith("connectivity: 2 warning(s)\n"), report.text());
    }

    /** Another address of this host than the one bound (127.0.0.2 is on lo too): unreachable, and the probe shows it. */
    @Test
    void shouldWarnAboutAnotherLocalAddressThanTheBoundOne() {
        Report report = check("127.0.0.1", "127.0.0.2");
        assertEquals(2, report.warnings().size(), report.text());
        assertTrue(report.warnings().get(0).contains("is an address of this host, but the media sockets are bound to 127.0.0.1"), report.text());
        assertTrue(report.warnings().get(1).contains("never arrived"), report.text());
    }

    @Test
    void shouldWarnAboutLoopbackOrPrivateAddressesAnnouncedFromAllInterfaces() throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        assertTrue(only(ConnectivityCheck.addressProblems(InetAddress.getByName("127.0.0.1"), any, true)).contains("is a loopback address"));
        assertTrue(only(ConnectivityCheck.addressProblems(InetAddress.getByName("192.168.1.20"), any, true)).contains("is a private address"));
        assertTrue(only(ConnectivityCheck.addressProblems(InetAddress.getByName("fd00::5"), InetAddress.getByName("::"), true)).contains("is a private address"));
        assertEquals(List.of(), ConnectivityCheck.addressProblems(InetAddress.getByName("203.0.113.7"), any, true), "a public address is fine");
        assertEquals(List.of(), ConnectivityCheck.addressProblems(InetAddress.getByName("2001:db8::7"), InetAddress.getByName("::"), true),
                ":: serves IPv6 too");
        assertTrue(only(ConnectivityCheck.addressProblems(InetAddress.getByName("2001:db8::7"), any, true)).contains("is IPv6 but"));
    }

    private static String only(List<String> warnings) {
        assertEquals(1, warnings.size(), warnings.toString());
        return warnings.getFirst();
    }

    private record Report(List<String> lines, List<String> warnings, String text) {
    }

    private static Report check(String bind, String announce) {
        MediaSettings media = new MediaSettings(bind, 0, 1, List.of(announce));
        try (MediaPlane plane = MediaPlane.start(media, i -> (socket, content, sender, nowNs) -> { })) {
            ConnectivityCheck check = new ConnectivityCheck(media, plane.sockets(), List.of());
            try {
                ConnectivityCheck.Report r = check.run("http://127.0.0.1:8080/");
                return new Report(r.lines(), r.warnings(), r.text());
            } finally {
                check.close();
            }
        }
    }
}
