package dev.junction.transport.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunMessageType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sans-IO TURN client pumped against the sans-IO {@link TurnServer} (through {@link TurnHarness}) with a fake
 * clock: every message the client transmits is fed to the server, every message the server sends the client is fed
 * back, and time moves only when the test says so. Loss is injected by not delivering.
 */
class TurnClientTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 50123);
    private static final byte[] HELLO = "hello through the relay".getBytes(StandardCharsets.UTF_8);

    private TurnHarness harness = new TurnHarness();
    private TurnClient client;
    private TurnFiveTuple tuple;
    private final List<TurnClient.Event> events = new ArrayList<>();
    /** Data the client decoded: the peer and the payload. */
    private final List<Object[]> received = new ArrayList<>();
    /** Whether the client's transmits reach the server (false: a dead path). */
    private boolean delivering = true;

    @AfterEach
    void close() {
        if (client != null) client.close();
    }

    private void start(TurnTransport transport, String password) {
        String username = (harness.unixNow() + 86_400) + ":alice";
        client = new TurnClient(transport, username, password == null ? TurnHarness.restPassword(username) : password, 600,
                PooledByteBufAllocator.DEFAULT, new Random(7));
        tuple = new TurnFiveTuple(transport, CLIENT, TurnHarness.SERVER);
    }

    /** Moves messages both ways until neither side has anything more to say. */
    private void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            ByteBuf out;
            while ((out = client.pollTransmit()) != null) {
                moved = true;
                try {
                    if (delivering) harness.server.handleClientPacket(harness.nowNs, tuple, out);
                } finally {
                    out.release();
                }
            }
            TurnHarness.Sent sent;
            while ((sent = harness.toClient.poll()) != null) {
                moved = true;
                fromServer(sent.bytes());
            }
        }
        TurnClient.Event e;
        while ((e = client.pollEvent()) != null) events.add(e);
    }

    private void fromServer(byte[] bytes) {
        // At an offset, in a pooled direct buffer, as a socket delivers.
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 3);
        in.writeZero(3).writeBytes(bytes).readerIndex(3);
        try {
            if (client.handleInput(harness.nowNs, in) == TurnClient.Input.DATA) {
                byte[] payload = new byte[client.dataLength()];
                in.getBytes(client.dataOffset(), payload);
                received.add(new Object[] {client.dataPeer(), payload});
            }
        } finally {
            assertTrue(in.release(), "the client kept a borrowed packet");
        }
    }

    /** Advances both clocks by {@code seconds} in steps of {@code stepSeconds}, running timers and pumping each step. */
    private void advance(long seconds, long stepSeconds) {
        for (long s = 0; s < seconds; s += stepSeconds) {
            harness.advanceSeconds(stepSeconds);
            if (client.nextTimeoutNs() - harness.nowNs <= 0) client.handleTimeout(harness.nowNs);
            pump();
        }
    }

    private TurnClient.Event.Allocated allocate() {
        client.allocate(harness.nowNs);
        pump();
        assertEquals(TurnClient.State.ALLOCATED, client.state(), () -> "events: " + events);
        return (TurnClient.Event.Allocated) events.stream().filter(e -> e instanceof TurnClient.Event.Allocated).findFirst().orElseThrow();
    }

    private void send(InetSocketAddress peer, byte[] data) {
        ByteBuf message = client.wrap(peer, Unpooled.wrappedBuffer(data));
        try {
            harness.server.handleClientPacket(harness.nowNs, tuple, message);
        } finally {
            message.release();
        }
    }

    @Test
    void shouldAllocateAfterTheChallenge() {
        start(TurnTransport.UDP, null);
        TurnClient.Event.Allocated allocated = allocate();
        assertEquals(1, harness.server.drops(TurnDropReason.CHALLENGED), "the first Allocate went unsigned and was challenged");
        assertEquals(harness.server.relayedAddresses(tuple).get(0), allocated.relayed());
        assertEquals(CLIENT, allocated.mapped());
        assertEquals(600, allocated.lifetimeSeconds());
        assertTrue(harness.server.hasAllocation(tuple, harness.nowNs));
    }

    @Test
    void shouldRelayDataBothWaysWithSendAndDataIndications() {
        start(TurnTransport.UDP, null);
        InetSocketAddress relay = allocate().relayed();
        client.createPermission(harness.nowNs, TurnHarness.MEDIA);
        pump();
        assertTrue(events.contains(new TurnClient.Event.PermissionCreated(TurnHarness.MEDIA)), () -> "events: " + events);
        assertTrue(harness.server.hasPermission(relay, TurnHarness.MEDIA.getAddress(), harness.nowNs));

        send(TurnHarness.MEDIA, HELLO);
        TurnHarness.Sent delivered = harness.local.poll();
        assertEquals(TurnHarness.MEDIA, delivered.peer(), "relayed in process to our media socket");
        assertArrayEquals(HELLO, delivered.bytes());

        harness.fromPeer(relay, TurnHarness.MEDIA, HELLO);
        TurnHarness.Sent indication = harness.toClient.peek();
        assertEquals(StunMessageType.DATA_INDICATION, ((indication.bytes()[0] & 0xFF) << 8) | (indication.bytes()[1] & 0xFF));
        pump();
        assertEquals(1, received.size());
        assertEquals(TurnHarness.MEDIA, received.get(0)[0]);
        assertArrayEquals(HELLO, (byte[]) received.get(0)[1]);
    }

    @Test
    void shouldRelayDataBothWaysOverABoundChannel() {
        start(TurnTransport.TCP, null);
        InetSocketAddress relay = allocate().relayed();
        int channel = client.bindChannel(harness.nowNs, TurnHarness.MEDIA);
        assertFalse(client.hasChannel(TurnHarness.MEDIA), "not before the server confirmed it");
        pump();
        assertTrue(events.contains(new TurnClient.Event.ChannelBound(TurnHarness.MEDIA, channel)), () -> "events: " + events);
        assertTrue(harness.server.hasActiveChannel(tuple, channel, harness.nowNs));

        ByteBuf message = client.wrap(TurnHarness.MEDIA, Unpooled.wrappedBuffer(HELLO));
        assertEquals(channel, message.getUnsignedShort(message.readerIndex()), "ChannelData once bound");
        assertEquals(ChannelData.streamFrameLength(HELLO.length), message.readableBytes(), "padded to four over TCP");
        try {
            harness.server.handleClientPacket(harness.nowNs, tuple, message);
        } finally {
            message.release();
        }
        assertArrayEquals(HELLO, harness.local.poll().bytes());

        harness.fromPeer(relay, TurnHarness.MEDIA, HELLO);
        assertTrue(ChannelData.isChannelData(harness.toClient.peek().bytes()[0] & 0xFF), "the server answers in ChannelData");
        pump();
        assertEquals(TurnHarness.MEDIA, received.get(0)[0]);
        assertArrayEquals(HELLO, (byte[]) received.get(0)[1]);
    }

    @Test
    void shouldKeepAllocationPermissionAndChannelAliveByRefreshing() {
        start(TurnTransport.UDP, null);
        InetSocketAddress relay = allocate().relayed();
        int channel = client.bindChannel(harness.nowNs, TurnHarness.MEDIA);
        pump();
        // Twice the allocation's lifetime, four times the permission's, twice the channel's.
        advance(1300, 5);
        assertEquals(TurnClient.State.ALLOCATED, client.state(), () -> "events: " + events);
        assertTrue(harness.server.hasAllocation(tuple, harness.nowNs));
        assertTrue(harness.server.hasPermission(relay, TurnHarness.MEDIA.getAddress(), harness.nowNs));
        assertTrue(harness.server.hasActiveChannel(tuple, channel, harness.nowNs));
        assertTrue(events.stream().filter(e -> e instanceof TurnClient.Event.Refreshed).count() >= 2, () -> "events: " + events);
        assertTrue(events.stream().noneMatch(e -> e instanceof TurnClient.Event.Failed), () -> "events: " + events);
        send(TurnHarness.MEDIA, HELLO);
        assertArrayEquals(HELLO, harness.local.poll().bytes());
    }

    @Test
    void shouldExpireWhenRefreshesDoNotArrive() {
        start(TurnTransport.UDP, null);
        allocate();
        delivering = false;
        advance(601, 1);
        assertEquals(TurnClient.State.EXPIRED, client.state());
        assertInstanceOf(TurnClient.Event.Expired.class, events.get(events.size() - 1), () -> "events: " + events);
        assertFalse(harness.server.hasAllocation(tuple, harness.nowNs), "the server let it go too");
        assertNull(client.wrap(TurnHarness.MEDIA, Unpooled.wrappedBuffer(HELLO)), "no data without an allocation");
    }

    @Test
    void shouldRetransmitALostRequestOverUdp() {
        start(TurnTransport.UDP, null);
        client.allocate(harness.nowNs);
        ByteBuf lost = client.pollTransmit();
        lost.release();
        assertEquals(harness.nowNs + TurnClient.RTO_NS, client.nextTimeoutNs(), "RFC 8489 §6.2.1: 500 ms");
        harness.nowNs += TurnClient.RTO_NS;
        client.handleTimeout(harness.nowNs);
        pump();
        assertEquals(TurnClient.State.ALLOCATED, client.state());
    }

    @Test
    void shouldFailAfterTheLastRetransmission() {
        start(TurnTransport.UDP, null);
        delivering = false;
        client.allocate(harness.nowNs);
        advance(40, 1);
        assertEquals(TurnClient.State.FAILED, client.state());
        assertEquals(new TurnClient.Event.Failed(StunMessageType.METHOD_ALLOCATE, 0, "timed out"), events.get(events.size() - 1));
    }

    @Test
    void shouldRetryWithTheFreshNonceAfterStaleNonce() {
        harness = new TurnHarness(TurnSettings.defaults(TurnHarness.REALM, TurnHarness.SECRET, Set.of(TurnHarness.MEDIA))
                .withNonceLifetimeSeconds(60));
        start(TurnTransport.UDP, null);
        allocate();
        harness.advanceSeconds(120);
        client.createPermission(harness.nowNs, TurnHarness.MEDIA);
        pump();
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_STALE_NONCE), "the old nonce was refused with 438");
        assertTrue(events.contains(new TurnClient.Event.PermissionCreated(TurnHarness.MEDIA)), () -> "events: " + events);
    }

    @Test
    void shouldFailWithAWrongPassword() {
        start(TurnTransport.UDP, "not-the-password");
        client.allocate(harness.nowNs);
        pump();
        assertEquals(TurnClient.State.FAILED, client.state());
        TurnClient.Event.Failed failed = (TurnClient.Event.Failed) events.get(events.size() - 1);
        assertEquals(StunMessageType.METHOD_ALLOCATE, failed.method());
        assertEquals(401, failed.errorCode());
        assertEquals(0, harness.server.allocationCount());
    }

    @Test
    void shouldDeleteTheAllocationWithLifetimeZero() {
        start(TurnTransport.TLS, null);
        allocate();
        client.deallocate(harness.nowNs);
        pump();
        assertInstanceOf(TurnClient.Event.Deallocated.class, events.get(events.size() - 1));
        assertEquals(TurnClient.State.CLOSED, client.state());
        assertEquals(0, harness.server.allocationCount());
    }

    @Test
    void shouldDropChannelDataForAnUnboundChannel() {
        start(TurnTransport.UDP, null);
        allocate();
        ByteBuf bogus = Unpooled.buffer();
        ChannelData.write(bogus, 0x4123, Unpooled.wrappedBuffer(HELLO), 0, HELLO.length, false);
        try {
            assertEquals(TurnClient.Input.DROPPED, client.handleInput(harness.nowNs, bogus));
        } finally {
            bogus.release();
        }
    }
}
