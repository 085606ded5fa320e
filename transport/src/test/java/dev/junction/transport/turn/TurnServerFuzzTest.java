package dev.junction.transport.turn;

import static dev.junction.transport.turn.TurnHarness.MEDIA;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.transport.turn.TurnHarness.Client;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile input (issue 10): garbage, mutated valid TURN messages and unauthenticated floods, from the allocation's
 * 5-tuple and from strangers, over UDP and TCP, with the clock moving. No exception may escape, every buffer the
 * server hands out is released by the harness, every borrowed packet comes back with its reference count
 * untouched (the harness asserts it), and the leak detector checks the rest after the class.
 */
class TurnServerFuzzTest {

    private final TurnHarness harness = new TurnHarness();

    @Test
    void shouldSurviveGarbageAndMutatedMessagesWithoutExceptionsOrLeaks() {
        Client udp = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 61000));
        Client tcp = harness.new Client(TurnTransport.TCP, new InetSocketAddress("192.0.2.20", 50123));
        InetSocketAddress udpRelay = udp.allocateOk();
        InetSocketAddress tcpRelay = tcp.allocateOk();
        udp.channelBind(0x4000, MEDIA);
        tcp.createPermission(MEDIA);
        harness.toClient.clear();

        List<byte[]> seeds = new ArrayList<>();
        for (Client c : new Client[] {udp, tcp}) {
            seeds.add(c.request(StunMessageType.ALLOCATE_REQUEST, c.newTransactionId(), true, w -> w.requestedTransport(17)));
            seeds.add(c.request(StunMessageType.REFRESH_REQUEST, c.newTransactionId(), true, w -> w.lifetime(600)));
            seeds.add(c.request(StunMessageType.CREATE_PERMISSION_REQUEST, c.newTransactionId(), true, w -> w.xorPeerAddress(MEDIA)));
            seeds.add(c.request(StunMessageType.CHANNEL_BIND_REQUEST, c.newTransactionId(), true,
                    w -> w.channelNumber(0x4001).xorPeerAddress(MEDIA)));
            seeds.add(c.request(StunMessageType.BINDING_REQUEST, c.newTransactionId(), false, w -> { }));
            seeds.add(c.sendIndication(MEDIA, new byte[] {1, 2, 3, 4, 5}));
        }
        seeds.add(TurnServerTest.channelData(0x4000, new byte[] {9, 8, 7}, 1));
        seeds.add(TurnServerTest.channelData(0x4001, new byte[40], 0));

        Random random = new Random(0x8656);
        Client[] clients = {udp, tcp, harness.new Client(TurnTransport.UDP, new InetSocketAddress("198.18.0.1", 9))};
        InetSocketAddress[] relays = {udpRelay, tcpRelay, new InetSocketAddress("198.51.100.1", 1)};
        InetSocketAddress[] peers = {MEDIA, new InetSocketAddress("8.8.8.8", 53), new InetSocketAddress(MEDIA.getAddress(), 22)};
        for (int i = 0; i < 30_000; i++) {
            byte[] b;
            int kind = random.nextInt(10);
            if (kind < 2) {
                b = new byte[random.nextInt(80)];
                random.nextBytes(b);
            } else {
                b = mutate(seeds.get(random.nextInt(seeds.size())).clone(), random);
            }
            if (kind == 9) {
                byte[] payload = b;
                int r = random.nextInt(relays.length);
                InetSocketAddress peer = peers[random.nextInt(peers.length)];
                assertDoesNotThrow(() -> harness.fromPeer(relays[r], peer, payload));
            } else {
                Client c = clients[random.nextInt(clients.length)];
                byte[] packet = b;
                assertDoesNotThrow(() -> harness.fromClient(c.tuple, packet));
            }
            if (random.nextInt(500) == 0) {
                harness.advanceSeconds(random.nextInt(120));
            }
            harness.toClient.clear();
            harness.toPeer.clear();
            harness.local.clear();
        }
        // The server still works after all that.
        Client late = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.30", 1));
        late.allocateOk();
        long dropped = Arrays.stream(TurnDropReason.values()).mapToLong(harness.server::drops).sum();
        assertTrue(dropped > 10_000, "most hostile input is counted as dropped: " + dropped);
        harness.server.close();
        assertTrue(harness.relayPorts.inUse.isEmpty());
    }

    @Test
    void shouldHoldNoStateForAnUnauthenticatedAllocateFlood() {
        Random random = new Random(1);
        for (int i = 0; i < 2_000; i++) {
            Client c = harness.new Client(TurnTransport.UDP, new InetSocketAddress("198.18." + (i >> 8) + "." + (i & 0xFF), 1024 + i));
            boolean signedWithGarbage = random.nextBoolean();
            if (signedWithGarbage) {
                c.nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAA";
            }
            harness.fromClient(c.tuple, c.request(StunMessageType.ALLOCATE_REQUEST, c.newTransactionId(), signedWithGarbage,
                    w -> w.requestedTransport(17)));
            harness.toClient.clear();
        }
        assertEquals(0, harness.server.allocationCount());
        assertEquals(0, harness.relayPorts.allocations);
        assertEquals(2_000, harness.server.drops(TurnDropReason.CHALLENGED) + harness.server.drops(TurnDropReason.REJECTED_STALE_NONCE));
        assertEquals(Long.MAX_VALUE, harness.server.nextTimeoutNs());
    }

    private static byte[] mutate(byte[] b, Random random) {
        int steps = 1 + random.nextInt(3);
        for (int s = 0; s < steps && b.length > 0; s++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                case 4 -> {
                    // Keep the STUN length consistent so the attribute walk is reached.
                    if (b.length >= 20 && (b.length & 3) == 0) {
                        b[2] = (byte) ((b.length - 20) >>> 8);
                        b[3] = (byte) (b.length - 20);
                    }
                }
                default -> {
                    if (b.length > 24) {
                        int h = 20 + 4 * random.nextInt((b.length - 20) / 4);
                        int length = new int[] {0, 1, 4, 8, 20, 0xFFFF}[random.nextInt(6)];
                        if (h + 3 < b.length) {
                            b[h + 2] = (byte) (length >>> 8);
                            b[h + 3] = (byte) length;
                        }
                    }
                }
            }
        }
        return b;
    }
}
