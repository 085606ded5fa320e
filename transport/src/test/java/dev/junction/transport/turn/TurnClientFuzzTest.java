package dev.junction.transport.turn;

import static dev.junction.transport.turn.TurnHarness.MEDIA;
import static dev.junction.transport.turn.TurnHarness.MEDIA_V6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import dev.junction.codec.testing.CountingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the TURN client's response handling (issue 10, hostile input). Raw fuzzed bytes
 * rarely match an outstanding transaction, so the fuzzer drives a script instead: the client's commands (allocate,
 * permission, channel, refresh, deallocate, data out), our {@link TurnServer} answering or the path losing its
 * messages, and a hostile server answering any outstanding request itself with a fuzzed success or error (any code,
 * REALM and NONCE or not, the relayed and mapped addresses and LIFETIME or not, signed with the right key, a wrong
 * one or none), replayed and bit-flipped server messages, raw bytes, data from peers, and time jumping.
 *
 * <p>After every step: no exception; every packet handed to the client comes back unreleased and unmoved; data is
 * only reported while allocated, inside the packet, and as ChannelData only on a confirmed channel; a success to a
 * signed request that is not signed with the session's key is dropped and changes nothing; every request the client
 * sends is a well-formed TURN request with FINGERPRINT whose MESSAGE-INTEGRITY (once signed) verifies with the
 * long-term key for our username, password and the REALM it names; the state only moves along
 * NEW → ALLOCATING → ALLOCATED → DEALLOCATING and into the end states, which it never leaves. At the end,
 * {@link TurnClient#close} leaves no buffer the client made unreleased (its allocator counts them).
 *
 * <p>In the default test run Jazzer replays {@code TurnClientFuzzTestInputs}; {@code ./junction fuzz} fuzzes it.
 */
class TurnClientFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 50123);
    private static final InetSocketAddress[] PEERS = {MEDIA, MEDIA_V6, new InetSocketAddress("198.51.100.7", 5000)};
    private static final int[] CODES = {
        StunErrorCode.UNAUTHENTICATED, StunErrorCode.STALE_NONCE, StunErrorCode.ALLOCATION_MISMATCH, StunErrorCode.FORBIDDEN,
        StunErrorCode.ALLOCATION_QUOTA_REACHED, StunErrorCode.INSUFFICIENT_CAPACITY, StunErrorCode.WRONG_CREDENTIALS,
        StunErrorCode.BAD_REQUEST, StunErrorCode.TRY_ALTERNATE, StunErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL,
    };
    private static final Set<TurnClient.State> ENDS = EnumSet.of(TurnClient.State.CLOSED, TurnClient.State.FAILED, TurnClient.State.EXPIRED);
    private static final Map<TurnClient.State, Set<TurnClient.State>> NEXT = Map.of(
            TurnClient.State.NEW, EnumSet.of(TurnClient.State.ALLOCATING, TurnClient.State.CLOSED),
            TurnClient.State.ALLOCATING, EnumSet.of(TurnClient.State.ALLOCATED, TurnClient.State.FAILED, TurnClient.State.CLOSED),
            TurnClient.State.ALLOCATED, EnumSet.of(TurnClient.State.DEALLOCATING, TurnClient.State.EXPIRED, TurnClient.State.CLOSED),
            TurnClient.State.DEALLOCATING, EnumSet.of(TurnClient.State.CLOSED, TurnClient.State.EXPIRED));

    /** A request the client sent: enough to answer it. */
    private record Sent(byte[] transactionId, int type, boolean signed, String realm) {
    }

    private TurnHarness harness;
    private TurnClient client;
    private TurnFiveTuple tuple;
    private String username;
    private String password;
    private final Deque<Sent> sent = new ArrayDeque<>();
    private final List<byte[]> unsent = new ArrayList<>();
    private final List<byte[]> fromServer = new ArrayList<>();
    private final StunMessage parsed = new StunMessage();

    @FuzzTest(maxDuration = "30s")
    void survivesAnyServer(FuzzedDataProvider data) {
        // Jazzer calls this on one instance for every input: what an earlier input's client sent must not be
        // answered to this one's (same Random seed, same transaction IDs: a stale signed request matched a fresh
        // unsigned one, which CI's fuzz run reported as an unauthentic success accepted).
        sent.clear();
        unsent.clear();
        fromServer.clear();
        harness = new TurnHarness();
        TurnTransport transport = TurnTransport.values()[data.consumeInt(0, TurnTransport.values().length - 1)];
        tuple = new TurnFiveTuple(transport, CLIENT, TurnHarness.SERVER);
        username = (harness.unixNow() + 86_400) + ":alice";
        password = TurnHarness.restPassword(username);
        CountingAllocator allocator = new CountingAllocator();
        client = new TurnClient(transport, username, password, data.consumeBoolean() ? 600 : data.consumeLong(-1, 100_000),
                allocator, new Random(data.consumeLong()));
        TurnClient.State state = client.state();
        try {
            int steps = data.consumeInt(1, 64);
            for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
                step(data);
                TurnClient.State now = client.state();
                if (now != state) {
                    assertTrue(!ENDS.contains(state) && NEXT.get(state).contains(now), state + " → " + now);
                    state = now;
                }
                if (now == TurnClient.State.ALLOCATED) assertNotNull(client.relayedAddress());
                collectTransmits();
                while (client.pollEvent() != null) {
                    // Events are checked through the state; here they are only drained.
                }
            }
        } finally {
            client.close();
        }
        assertNull(client.pollTransmit(), "nothing to send after close");
        assertEquals(0, allocator.unreleased(), "buffers left unreleased of " + allocator.allocated());
    }

    private void step(FuzzedDataProvider data) {
        InetSocketAddress peer = PEERS[data.consumeInt(0, PEERS.length - 1)];
        boolean allocated = client.state() == TurnClient.State.ALLOCATED;
        switch (data.consumeInt(0, 12)) {
            case 0 -> {
                if (client.state() == TurnClient.State.NEW) client.allocate(harness.nowNs);
            }
            case 1 -> {
                if (allocated) client.createPermission(harness.nowNs, peer);
            }
            case 2 -> {
                if (allocated) client.bindChannel(harness.nowNs, peer);
            }
            case 3 -> {
                if (allocated) client.refresh(harness.nowNs);
            }
            case 4 -> client.deallocate(harness.nowNs);
            case 5 -> { // the path works: our server answers
                collectTransmits();
                for (byte[] request : unsent) harness.fromClient(tuple, request);
                unsent.clear();
                deliverServerMessages();
            }
            case 6 -> { // the path loses what was sent
                collectTransmits();
                unsent.clear();
            }
            case 7 -> forgedResponse(data);
            case 8 -> handle(data.consumeBytes(data.consumeInt(0, 300)));
            case 9 -> { // a server message replayed, perhaps with a byte changed
                if (fromServer.isEmpty()) return;
                byte[] message = fromServer.get(data.consumeInt(0, fromServer.size() - 1)).clone();
                if (data.consumeBoolean() && message.length > 0) message[data.consumeInt(0, message.length - 1)] ^= (byte) data.consumeInt(1, 255);
                handle(message);
            }
            case 10 -> { // a peer sends to the relayed address: a Data indication or ChannelData arrives
                InetSocketAddress relay = client.relayedAddress();
                if (relay == null) return;
                harness.fromPeer(relay, peer, data.consumeBytes(data.consumeInt(0, 200)));
                deliverServerMessages();
            }
            case 11 -> { // time passes
                long seconds = data.consumeLong(0, 700);
                harness.advanceSeconds(seconds);
                if (client.nextTimeoutNs() - harness.nowNs <= 0) client.handleTimeout(harness.nowNs);
            }
            case 12 -> { // data out: ChannelData or a Send indication, or nothing without an allocation
                ByteBuf message = client.wrap(peer, Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(0, 200))));
                if (message == null) return;
                try {
                    int first = message.getUnsignedByte(message.readerIndex());
                    assertEquals(client.hasChannel(peer), ChannelData.isChannelData(first), "ChannelData only on a confirmed channel");
                    harness.server.handleClientPacket(harness.nowNs, tuple, message);
                } finally {
                    message.release();
                }
                deliverServerMessages();
            }
            default -> throw new AssertionError();
        }
    }

    /** Takes the client's transmits, checks each is a well-formed TURN request, remembers it to answer. */
    private void collectTransmits() {
        for (ByteBuf out; (out = client.pollTransmit()) != null; ) {
            try {
                assertEquals(StunParseResult.OK, parsed.wrap(out, out.readerIndex(), out.readableBytes()));
                assertEquals(StunMessageType.CLASS_REQUEST, parsed.messageClass());
                int type = parsed.messageType();
                assertTrue(type == StunMessageType.ALLOCATE_REQUEST || type == StunMessageType.REFRESH_REQUEST
                        || type == StunMessageType.CREATE_PERMISSION_REQUEST || type == StunMessageType.CHANNEL_BIND_REQUEST, "type " + type);
                assertTrue(parsed.hasFingerprint());
                boolean signed = parsed.hasMessageIntegrity();
                if (signed) {
                    assertEquals(username, parsed.username());
                    assertNotNull(parsed.nonce());
                    assertTrue(StunIntegrity.longTerm(username, parsed.realm(), password).verify(parsed), "signed with the long-term key");
                }
                byte[] id = new byte[12];
                parsed.copyTransactionId(id, 0);
                sent.addFirst(new Sent(id, type, signed, signed ? parsed.realm() : null));
                while (sent.size() > 16) sent.removeLast();
                byte[] bytes = new byte[out.readableBytes()];
                out.getBytes(out.readerIndex(), bytes);
                unsent.add(bytes);
            } finally {
                out.release();
            }
        }
    }

    private void deliverServerMessages() {
        for (TurnHarness.Sent message; (message = harness.toClient.poll()) != null; ) {
            if (fromServer.size() < 32) fromServer.add(message.bytes());
            handle(message.bytes());
        }
    }

    /** A hostile server's answer to one of the requests the client sent. */
    private void forgedResponse(FuzzedDataProvider data) {
        if (sent.isEmpty()) return;
        Sent request = sent.stream().skip(data.consumeInt(0, sent.size() - 1)).findFirst().orElseThrow();
        boolean success = data.consumeBoolean();
        int signing = data.consumeInt(0, 2); // none, the session's key, another key
        ByteBuf out = Unpooled.buffer();
        try {
            StunWriter writer = new StunWriter().begin(out,
                    success ? StunMessageType.successResponseOf(request.type()) : StunMessageType.errorResponseOf(request.type()),
                    request.transactionId());
            if (!success) writer.errorCode(data.consumeBoolean() ? CODES[data.consumeInt(0, CODES.length - 1)] : data.consumeInt(300, 699), data.consumeString(20));
            if (data.consumeBoolean()) writer.realm(data.consumeBoolean() ? TurnHarness.REALM : data.consumeString(20));
            if (data.consumeBoolean()) writer.nonce(data.consumeString(40));
            if (data.consumeBoolean()) writer.xorRelayedAddress(PEERS[data.consumeInt(0, PEERS.length - 1)]);
            if (data.consumeBoolean()) writer.xorMappedAddress(CLIENT);
            if (data.consumeBoolean()) writer.lifetime(data.consumeLong(0, 0xFFFFFFFFL));
            String realm = request.realm() == null ? TurnHarness.REALM : request.realm();
            if (signing == 1) writer.messageIntegrity(StunIntegrity.longTerm(username, realm, password));
            if (signing == 2) writer.messageIntegrity(StunIntegrity.longTerm(username, realm, "not-" + password));
            writer.fingerprint().finish();
            byte[] bytes = new byte[out.readableBytes()];
            out.getBytes(0, bytes);
            TurnClient.State before = client.state();
            TurnClient.Input input = handle(bytes);
            if (success && request.signed() && signing != 1) {
                assertEquals(TurnClient.Input.DROPPED, input, "an unauthentic success to a signed request");
                assertEquals(before, client.state());
            }
        } finally {
            out.release();
        }
    }

    /** Hands {@code bytes} to the client at an offset, as a socket's read would, checking the borrow. */
    private TurnClient.Input handle(byte[] bytes) {
        byte[] packet = new byte[5 + bytes.length];
        System.arraycopy(bytes, 0, packet, 5, bytes.length);
        // Wrapped, not allocated: a leak-aware buffer under paranoid detection records every read, far slower.
        ByteBuf in = Unpooled.wrappedBuffer(packet).readerIndex(5);
        try {
            TurnClient.Input input = client.handleInput(harness.nowNs, in);
            assertEquals(5, in.readerIndex());
            assertEquals(5 + bytes.length, in.writerIndex());
            if (input == TurnClient.Input.DATA) {
                assertEquals(TurnClient.State.ALLOCATED, client.state(), "data without an allocation");
                assertNotNull(client.dataPeer());
                assertTrue(client.dataOffset() >= 5 && client.dataLength() >= 0 && client.dataOffset() + client.dataLength() <= 5 + bytes.length,
                        "data outside the packet");
                if (ChannelData.isChannelData(bytes[0] & 0xFF)) assertTrue(client.hasChannel(client.dataPeer()), "ChannelData on an unconfirmed channel");
            }
            return input;
        } finally {
            assertTrue(in.release(), "the client kept a borrowed packet");
        }
    }
}
