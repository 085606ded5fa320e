package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation (fixed seed) of a real ClientHello fed to fresh server endpoints, plus random
 * garbage: bctls must turn every one of them into a timeout or a protocol error, never into an
 * unexpected exception, and the endpoint must always report its end.
 */
class DtlsMutationTest {

    private static final DtlsCertificate SERVER = DtlsCertificate.generate();
    private static final DtlsCertificate CLIENT = DtlsCertificate.generate();
    private static final int ROUNDS = 300;

    @Test
    void shouldTurnMutatedClientHellosIntoCleanFailures() throws Exception {
        byte[] clientHello = captureClientHello();
        Random random = new Random(6347);
        DtlsSettings settings = DtlsSettings.DEFAULT.withHandshakeTimeoutMs(400).withInitialRetransmitMs(100);
        List<RecordingListener> listeners = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            RecordingListener events = new RecordingListener();
            listeners.add(events);
            DtlsEndpoint server = DtlsEndpoint.server(SERVER, List.of(CLIENT.fingerprint()), settings,
                    PooledByteBufAllocator.DEFAULT, ByteBuf::release, events);
            server.start();
            for (byte[] datagram : mutations(clientHello, random, round)) {
                ByteBuf buf = Unpooled.wrappedBuffer(datagram);
                try {
                    server.handleDatagram(buf);
                } finally {
                    buf.release();
                }
            }
        }
        Map<DtlsCloseReason, Integer> reasons = new EnumMap<>(DtlsCloseReason.class);
        for (RecordingListener events : listeners) {
            RecordingListener.Closed closed = events.closed.get(30, TimeUnit.SECONDS);
            assertNotEquals(DtlsCloseReason.INTERNAL_ERROR, closed.reason(), closed.detail());
            assertEquals(1, events.closedCalls.get());
            reasons.merge(closed.reason(), 1, Integer::sum);
        }
        // Both outcomes occur, so the mutations really reach the handshake code.
        assertEquals(ROUNDS, reasons.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(reasons.containsKey(DtlsCloseReason.PROTOCOL_ERROR), reasons.toString());
        assertTrue(reasons.containsKey(DtlsCloseReason.HANDSHAKE_TIMEOUT), reasons.toString());
    }

    /** One round's datagrams: the ClientHello mutated one way, sometimes followed by garbage. */
    private static List<byte[]> mutations(byte[] hello, Random random, int round) {
        byte[] mutated = hello.clone();
        switch (round % 6) {
            case 0 -> { // bit flips
                for (int f = 0; f < 1 + random.nextInt(4); f++) mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> mutated = Arrays.copyOf(hello, random.nextInt(hello.length)); // truncated
            case 2 -> { // record length (offset 11) or handshake length (offset 14) to 0, max or self-referencing
                int at = random.nextBoolean() ? 11 : 14;
                int value = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> 0xFFFF;
                    default -> hello.length;
                };
                mutated[at] = (byte) (value >>> 8);
                mutated[at + 1] = (byte) value;
            }
            case 3 -> { // fragment offset/length (offsets 19..24) inconsistent with the message
                int at = 19 + random.nextInt(6);
                mutated[at] = (byte) random.nextInt(256);
            }
            case 4 -> { // a byte inside the extensions, where use_srtp and EMS live
                int at = hello.length - 1 - random.nextInt(Math.min(80, hello.length - 1));
                mutated[at] = (byte) random.nextInt(256);
            }
            default -> { // random garbage with a DTLS-looking first byte
                mutated = new byte[random.nextInt(300)];
                random.nextBytes(mutated);
                if (mutated.length > 0) mutated[0] = (byte) (20 + random.nextInt(44));
            }
        }
        List<byte[]> datagrams = new ArrayList<>(List.of(mutated));
        if (random.nextInt(4) == 0) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            datagrams.add(garbage);
        }
        return datagrams;
    }

    /** The first datagram our client sends: a complete DTLS 1.2 ClientHello with use_srtp and EMS. */
    private static byte[] captureClientHello() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        RecordingListener events = new RecordingListener();
        DtlsEndpoint client = DtlsEndpoint.client(CLIENT, List.of(SERVER.fingerprint()), DtlsSettings.DEFAULT,
                PooledByteBufAllocator.DEFAULT, datagram -> {
                    try {
                        first.complete(ByteBufUtil.getBytes(datagram));
                    } finally {
                        datagram.release();
                    }
                }, events);
        client.start();
        byte[] hello = first.get(10, TimeUnit.SECONDS);
        client.close();
        events.awaitClosed();
        assertEquals(22, hello[0], "handshake record");
        assertEquals(1, hello[13], "client_hello");
        return hello;
    }
}
