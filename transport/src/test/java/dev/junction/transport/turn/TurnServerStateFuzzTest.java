package dev.junction.transport.turn;

import static dev.junction.transport.turn.TurnHarness.MEDIA;
import static dev.junction.transport.turn.TurnHarness.MEDIA_V6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.transport.turn.TurnHarness.Client;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the TURN core's state machine (issue 10, hostile input). Raw fuzzed bytes cannot pass
 * MESSAGE-INTEGRITY, so most of the core would stay unreached; here the fuzzer instead drives a script of operations
 * from three clients (UDP, TCP, and a second user on UDP) and their peers: properly signed Allocate, Refresh,
 * CreatePermission and ChannelBind with fuzzed lifetimes, channels, peers and address families; Send indications and
 * ChannelData with fuzzed lengths and padding; raw bytes; stale credentials; TCP closes; and the clock moving by
 * fuzzed amounts. After every step: no exception, every borrowed packet comes back untouched (the harness checks),
 * every buffer the core hands out is released, the quotas hold, and the relay ports in use are exactly the
 * allocations'. At the end, closing the core releases every port.
 *
 * <p>In the default test run Jazzer replays {@code TurnServerStateFuzzTestInputs}; {@code ./junction fuzz} fuzzes it.
 */
class TurnServerStateFuzzTest {

    private static final int MAX_PER_USER = 2;
    private static final int MAX_TOTAL = 3;

    @FuzzTest(maxDuration = "60s")
    void survivesAnyScript(FuzzedDataProvider data) throws UnknownHostException {
        TurnSettings settings = TurnSettings.defaults(TurnHarness.REALM, TurnHarness.SECRET, Set.of(MEDIA, MEDIA_V6))
                .withAllowedPeerRanges(List.of(IpRange.parse("198.51.100.0/24")))
                .withQuotas(MAX_PER_USER, MAX_TOTAL)
                .withBandwidth(data.consumeBoolean() ? 0 : 20_000, 15_000)
                .withTableLimits(4, 4);
        TurnHarness harness = new TurnHarness(settings);
        Client[] clients = {
            harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 61000)),
            harness.new Client(TurnTransport.TCP, new InetSocketAddress("192.0.2.20", 50123)),
            harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.30", 40000)).user("bob", 86_400),
        };
        InetSocketAddress[] peers = {
            MEDIA, MEDIA_V6, new InetSocketAddress("198.51.100.7", 5000), new InetSocketAddress(MEDIA.getAddress(), 22),
            new InetSocketAddress("8.8.8.8", 53), new InetSocketAddress(InetAddress.getByName("2001:db8::99"), 9),
        };
        List<InetSocketAddress> relays = new ArrayList<>();
        relays.add(new InetSocketAddress("203.0.113.1", 49152));

        int steps = data.consumeInt(1, 64);
        for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
            Client c = clients[data.consumeInt(0, clients.length - 1)];
            InetSocketAddress peer = peers[data.consumeInt(0, peers.length - 1)];
            switch (data.consumeInt(0, 11)) {
                case 0 -> signed(harness, c, StunMessageType.ALLOCATE_REQUEST, data, w -> {
                    w.requestedTransport(data.consumeBoolean() ? 17 : data.consumeInt(0, 255));
                    if (data.consumeBoolean()) w.requestedAddressFamily(data.consumeBoolean() ? 0x01 : 0x02);
                    if (data.consumeBoolean()) w.lifetime(data.consumeLong(0, 100_000));
                });
                case 1 -> signed(harness, c, StunMessageType.REFRESH_REQUEST, data, w -> {
                    if (data.consumeBoolean()) w.lifetime(data.consumeLong(0, 100_000));
                });
                case 2 -> signed(harness, c, StunMessageType.CREATE_PERMISSION_REQUEST, data, w -> {
                    int n = data.consumeInt(0, 3);
                    for (int i = 0; i < n; i++) w.xorPeerAddress(peers[data.consumeInt(0, peers.length - 1)]);
                });
                case 3 -> signed(harness, c, StunMessageType.CHANNEL_BIND_REQUEST, data, w -> {
                    if (data.consumeBoolean()) w.channelNumber(data.consumeBoolean() ? data.consumeInt(0x4000, 0x4003) : data.consumeInt(0, 0xFFFF));
                    if (data.consumeBoolean()) w.xorPeerAddress(peer);
                });
                case 4 -> harness.fromClient(c.tuple, c.sendIndication(peer, data.consumeBytes(data.consumeInt(0, 1400))));
                case 5 -> harness.fromClient(c.tuple, TurnServerTest.channelData(data.consumeInt(0x3FFF, 0x4004),
                        data.consumeBytes(data.consumeInt(0, 1400)), data.consumeInt(0, 4)));
                case 6 -> harness.fromClient(c.tuple, data.consumeBytes(data.consumeInt(0, 600)));
                case 7 -> {
                    // From a peer to a relayed address the core gave out (or to one it never did).
                    InetSocketAddress relay = relays.get(data.consumeInt(0, relays.size() - 1));
                    harness.fromPeer(relay, peer, data.consumeBytes(data.consumeInt(0, 1500)));
                }
                case 8 -> harness.advanceSeconds(data.consumeInt(0, 1200));
                case 9 -> {
                    if (c.tuple.transport() == TurnTransport.TCP) harness.server.handleClientClosed(c.tuple);
                }
                case 10 -> c.nonce = data.consumeBoolean() ? null : data.consumeAsciiString(40);
                default -> c.user(data.consumeBoolean() ? "alice" : "carol", data.consumeLong(-10, 1000));
            }
            // Learn relayed addresses so peers can aim at them; drop everything else the core sent.
            for (TurnHarness.Sent sent : harness.toClient) {
                if ((sent.bytes()[0] & 0xC0) != 0) continue; // ChannelData from a peer
                TurnHarness.Response r = TurnHarness.Response.parse(sent.bytes());
                if (r.nonce != null) clients[indexOf(clients, sent.tuple())].nonce = r.nonce;
                relays.addAll(r.relayed);
            }
            harness.toClient.clear();
            harness.toPeer.clear();
            harness.local.clear();

            assertTrue(harness.server.allocationCount() <= MAX_TOTAL, "the total quota holds");
            assertEquals(harness.server.allocationCount(), harness.relayPorts.inUse.size(),
                    "every allocation holds relay ports, and no port outlives its allocation");
        }
        harness.server.close();
        assertTrue(harness.relayPorts.inUse.isEmpty(), "closing the core releases every relay port");
    }

    /** A request signed with the client's current credentials and nonce (or unsigned, as the fuzzer says). */
    private static void signed(TurnHarness harness, Client c, int type, FuzzedDataProvider data,
            java.util.function.Consumer<dev.junction.codec.stun.StunWriter> body) {
        boolean sign = data.consumeBoolean() || c.nonce != null;
        harness.fromClient(c.tuple, c.request(type, c.newTransactionId(), sign, body));
    }

    private static int indexOf(Client[] clients, TurnFiveTuple tuple) {
        for (int i = 0; i < clients.length; i++) if (clients[i].tuple.equals(tuple)) return i;
        throw new AssertionError("a message to a 5-tuple nobody used: " + tuple);
    }
}
