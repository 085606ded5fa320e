package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The load tool's flags: defaults, per-room and total bounds, and a one-line message naming the flag. */
class LoadOptionsTest {

    private static String rejected(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--target";
        all[1] = "http://x";
        System.arraycopy(args, 0, all, 2, args.length);
        return assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(all)).getMessage();
    }

    @Test
    void shouldRejectBadOptionsNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--seconds", "5"}));
        assertEquals("--target: required, e.g. --target http://127.0.0.1:8080", e.getMessage());
        assertEquals("--publishers: expected an integer 0-1000, got 'many'", rejected("--publishers", "many"));
        assertEquals("--audio: expected on or off, got 'maybe'", rejected("--audio", "maybe"));
    }

    @Test
    void shouldParseFloodKindsInOrderWithoutRepeats() {
        assertEquals(List.of(), LoadOptions.parse(new String[] {"--target", "http://x"}).flood());
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x", "--flood", "forged-integrity,garbage,forged-integrity",
                "--flood-rate", "250000"});
        assertEquals(List.of(Flood.Kind.FORGED_INTEGRITY, Flood.Kind.GARBAGE), o.flood());
        assertEquals(250_000, o.floodRate());
        assertEquals(List.of(Flood.Kind.values()), LoadOptions.parse(new String[] {"--target", "http://x", "--flood", "all"}).flood());
        assertEquals("--flood: unknown kind 'syn' (known: garbage, unknown-ufrag, forged-integrity, dtls-hello, unbound-srtp, all)",
                rejected("--flood", "syn"));
        assertEquals("--flood-rate: expected an integer 1-2000000, got '0'", rejected("--flood-rate", "0"));
    }

    @Test
    void shouldTakeSeveralTargetsTheFirstForPublishers() {
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://a:8080,http://b:8081,https://c"});
        assertEquals(List.of(java.net.URI.create("http://a:8080"), java.net.URI.create("http://b:8081"), java.net.URI.create("https://c")), o.targets());
        assertEquals(java.net.URI.create("http://a:8080"), o.target());
        assertEquals(List.of(java.net.URI.create("http://x")), LoadOptions.parse(new String[] {"--target", "http://x"}).targets());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse(new String[] {"--target", "http://a:8080,,http://b"}));
        assertEquals("--target: expected http://HOST:PORT, got ", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--target", "http://a,ftp://b"}));
        assertEquals("--target: expected http://HOST:PORT, got ftp://b", e.getMessage());
    }

    @Test
    void shouldDefaultToTwoSecondsOfWarmupInOneRoom() {
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x"});
        assertEquals(2, o.warmup());
        assertEquals(1, o.rooms());
        assertEquals("load", o.roomName(0));
    }

    @Test
    void shouldRejectBadWarmupNamingTheFlag() {
        assertEquals("--warmup: expected an integer 0-600, got '-1'", rejected("--warmup", "-1"));
        assertEquals("--warmup: expected an integer 0-600, got '601'", rejected("--warmup", "601"));
        assertEquals("--warmup: expected an integer 0-600, got '1.5'", rejected("--warmup=1.5"));
        assertEquals("--warmup: a value is required", rejected("--warmup"));
        assertEquals(0, LoadOptions.parse(new String[] {"--target", "http://x", "--warmup", "0"}).warmup());
        assertEquals(600, LoadOptions.parse(new String[] {"--target", "http://x", "--warmup=600"}).warmup());
    }

    @Test
    void shouldRejectBadRoomsNamingTheFlag() {
        assertEquals("--rooms: expected an integer 1-1000, got '0'", rejected("--rooms", "0"));
        assertEquals("--rooms: expected an integer 1-1000, got '1001'", rejected("--rooms", "1001"));
        assertEquals("--rooms: expected an integer 1-1000, got 'two'", rejected("--rooms", "two"));
    }

    @Test
    void shouldBoundPeersOverAllRooms() {
        assertEquals("--publishers: 101 per room × --rooms 10 = 1010, at most 1000 over all rooms",
                rejected("--rooms", "10", "--publishers", "101"));
        assertEquals("--subscribers: 2501 per room × --rooms 2 = 5002, at most 5000 over all rooms",
                rejected("--rooms", "2", "--subscribers", "2501"));
        assertEquals("--join-burst: 6 per room × --rooms 1000 = 6000, at most 5000 over all rooms",
                rejected("--rooms", "1000", "--join-burst", "6", "--subscribers", "0", "--publishers", "1"));
        // The per-room bound still holds in one room, and the totals accept exactly their maximum.
        assertEquals("--subscribers: expected an integer 0-5000, got '5001'", rejected("--subscribers", "5001"));
        LoadOptions atMost = LoadOptions.parse(new String[] {"--target", "http://x", "--rooms", "10", "--publishers", "100",
            "--subscribers", "500", "--join-burst", "500"});
        assertEquals(100, atMost.publishers());
        assertEquals(500, atMost.subscribers());
        assertEquals(500, atMost.joinBurst());
    }

    @Test
    void shouldNumberRoomsOnlyWhenThereAreSeveral() {
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x", "--room", "lt", "--rooms", "3"});
        assertEquals("lt-1", o.roomName(0));
        assertEquals("lt-3", o.roomName(2));
        assertEquals("lt", LoadOptions.parse(new String[] {"--target", "http://x", "--room", "lt", "--rooms", "1"}).roomName(0));
    }

    @Test
    void shouldKeepNumberedRoomNamesWithinTheServersLimit() {
        // Room names are at most 64 characters; "-10" takes three of them.
        assertEquals("--room: at most 61 characters with --rooms 10 (room names get -1 .. -10)",
                rejected("--room", "r".repeat(62), "--rooms", "10"));
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x", "--room", "r".repeat(61), "--rooms", "10"});
        assertEquals(64, o.roomName(9).length());
        assertEquals(64, LoadOptions.parse(new String[] {"--target", "http://x", "--room", "r".repeat(64)}).roomName(0).length());
    }

    @Test
    void shouldBoundTheSlotsOfASubscriberOffer() {
        assertTrue(rejected("--slots", "0").startsWith("--slots"), rejected("--slots", "0"));
        assertTrue(rejected("--slots", "17").startsWith("--slots"), rejected("--slots", "17"));
        assertEquals(1, LoadOptions.parse(new String[] {"--target", "http://x"}).slots());
        assertEquals(16, LoadOptions.parse(new String[] {"--target", "http://x", "--slots", "16"}).slots());
    }

    @Test
    void shouldChooseTheTransportUdpByDefaultAndRefuseOthers() {
        assertEquals(LoadOptions.Transport.UDP, LoadOptions.parse(new String[] {"--target", "http://x"}).transport());
        assertEquals(LoadOptions.Transport.TCP, LoadOptions.parse(new String[] {"--target", "http://x", "--transport", "tcp"}).transport());
        for (LoadOptions.Transport t : LoadOptions.Transport.values()) {
            assertEquals(t, LoadOptions.parse(new String[] {"--target", "http://x", "--transport", t.flag}).transport());
        }
        assertEquals("--transport: expected udp, tcp, turn-udp, turn-tcp or turn-tls, got 'sctp'", rejected("--transport", "sctp"));
    }

    @Test
    void shouldDocumentEveryFlagInTheUsage() {
        for (String flag : new String[] {"--target", "--room", "--rooms", "--publishers", "--subscribers", "--join-burst", "--warmup",
            "--seconds", "--video-kbps", "--audio", "--packet-size", "--server-pid", "--token", "--whip-path", "--whep-path", "--slots",
            "--flood", "--flood-rate", "--churn", "--churn-parallel", "--transport", "--simulcast", "--downlink-kbps",
            "--shaped-subscribers", "--downlink-delay-ms"}) {
            assertTrue(LoadOptions.USAGE.contains("  " + flag + " "), flag + " missing from the usage");
        }
        // And the parser knows every flag the usage names.
        String unknown = rejected("--no-such-flag", "1");
        for (String line : LoadOptions.USAGE.lines().toList()) {
            String t = line.strip();
            if (t.startsWith("--")) assertTrue(unknown.contains(t.substring(0, t.indexOf(' '))), t);
        }
    }
    @Test
    void shouldShapeNoOneUnlessAskedAndEveryoneWhenAsked() {
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x", "--subscribers", "8"});
        assertEquals(0, o.downlinkKbps());
        assertEquals(0, o.shapedSubscribers());
        assertEquals(1, o.simulcast());
        assertEquals(List.of(), o.rids());
        o = LoadOptions.parse(new String[] {"--target", "http://x", "--subscribers", "8", "--downlink-kbps", "600"});
        assertEquals(600, o.downlinkKbps());
        assertEquals(8, o.shapedSubscribers(), "all of them by default");
        assertEquals(0, o.downlinkDelayMs());
        o = LoadOptions.parse(new String[] {"--target", "http://x", "--subscribers", "8", "--downlink-kbps", "600",
            "--shaped-subscribers", "3", "--downlink-delay-ms", "40"});
        assertEquals(3, o.shapedSubscribers());
        assertEquals(40, o.downlinkDelayMs());
    }

    @Test
    void shouldSendTheTopLayersAtHalvedRates() {
        LoadOptions o = LoadOptions.parse(new String[] {"--target", "http://x", "--simulcast", "3", "--video-kbps", "1500"});
        assertEquals(List.of("q", "h", "f"), o.rids());
        assertEquals(List.of(375, 750, 1500), List.of(o.layerKbps(0), o.layerKbps(1), o.layerKbps(2)));
        o = LoadOptions.parse(new String[] {"--target", "http://x", "--simulcast", "2", "--video-kbps", "1000"});
        assertEquals(List.of("h", "f"), o.rids());
        assertEquals(List.of(500, 1000), List.of(o.layerKbps(0), o.layerKbps(1)));
        assertEquals(1000, LoadOptions.parse(new String[] {"--target", "http://x", "--video-kbps", "1000"}).layerKbps(0));
    }

    @Test
    void shouldRejectBadShapingNamingTheFlag() {
        assertEquals("--downlink-kbps: expected 0 (off) or an integer 10-1000000, got '5'", rejected("--downlink-kbps", "5"));
        assertEquals("--downlink-kbps: expected 0 (off) or an integer 10-1000000, got '1000001'", rejected("--downlink-kbps", "1000001"));
        assertEquals("--downlink-kbps: expected 0 (off) or an integer 10-1000000, got 'fast'", rejected("--downlink-kbps", "fast"));
        assertEquals("--downlink-kbps: expected 0 (off) or an integer 10-1000000, got '-600'", rejected("--downlink-kbps", "-600"));
        assertEquals("--downlink-kbps: shapes UDP datagrams only, not --transport tcp", rejected("--downlink-kbps", "600", "--transport", "tcp"));
        assertEquals("--downlink-kbps: not with --churn, whose peers are never shaped", rejected("--downlink-kbps", "600", "--churn", "10"));
        assertEquals("--shaped-subscribers: needs --downlink-kbps", rejected("--shaped-subscribers", "1"));
        assertEquals("--downlink-delay-ms: needs --downlink-kbps", rejected("--downlink-delay-ms", "40"));
        assertEquals("--shaped-subscribers: expected an integer 0-4, got '5'",
                rejected("--subscribers", "4", "--downlink-kbps", "600", "--shaped-subscribers", "5"));
        assertEquals("--shaped-subscribers: expected an integer 0-4, got 'half'",
                rejected("--subscribers", "4", "--downlink-kbps", "600", "--shaped-subscribers", "half"));
        assertEquals("--downlink-delay-ms: expected an integer 0-1000, got '1001'", rejected("--downlink-kbps", "600", "--downlink-delay-ms", "1001"));
        assertEquals("--simulcast: expected an integer 1-3, got '4'", rejected("--simulcast", "4"));
        assertEquals("--simulcast: expected an integer 1-3, got '0'", rejected("--simulcast", "0"));
        assertEquals("--simulcast: needs --video-kbps above 0", rejected("--simulcast", "2", "--video-kbps", "0"));
    }
}
