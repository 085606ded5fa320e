package dev.junction.transport.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link TurnServer} with a fake clock, fake relay ports and a capturing sink, and a client role that
 * writes TURN requests with the codec's writer and signs them with a key computed here independently
 * (javax.crypto HMAC-SHA1 and MessageDigest MD5, not {@link RestCredentials}).
 *
 * <p>Buffers: everything the server hands to the sink is copied out and released at once, so a test sees
 * bytes and a leak shows up in the leak detector; packets fed to the server are released after the call.
 */
final class TurnHarness {

    static final String REALM = "junction.test";
    static final byte[] SECRET = "north-wind-secret".getBytes(StandardCharsets.UTF_8);
    static final byte[] NONCE_KEY = "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);
    static final long START_NS = 5_000_000_000_000L;
    /** 2026-01-01T00:00:00Z. */
    static final long START_UNIX_MS = 1_767_225_600_000L;
    static final long SECOND_NS = 1_000_000_000L;
    static final InetSocketAddress SERVER = new InetSocketAddress("203.0.113.1", 3478);
    /** Junction's own media sockets: the default (and only) peers. */
    static final InetSocketAddress MEDIA = new InetSocketAddress("203.0.113.1", 40000);
    static final InetSocketAddress MEDIA_V6 = new InetSocketAddress("2001:db8::1", 40000);

    /** What the sink was given, copied. */
    record Sent(TurnFiveTuple tuple, InetSocketAddress relay, InetSocketAddress peer, byte[] bytes) {
    }

    final FakeRelayPorts relayPorts = new FakeRelayPorts();
    final Deque<Sent> toClient = new ArrayDeque<>();
    final Deque<Sent> toPeer = new ArrayDeque<>();
    final Deque<Sent> local = new ArrayDeque<>();
    final TurnServer server;
    long nowNs = START_NS;

    TurnHarness() {
        this(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA, MEDIA_V6)));
    }

    TurnHarness(TurnSettings settings) {
        TurnSink sink = new TurnSink() {
            @Override
            public void sendToClient(TurnFiveTuple tuple, ByteBuf message) {
                toClient.add(new Sent(tuple, null, null, take(message)));
            }

            @Override
            public void sendToPeer(InetSocketAddress relayAddress, InetSocketAddress peer, ByteBuf payload) {
                toPeer.add(new Sent(null, relayAddress, peer, take(payload)));
            }

            @Override
            public void deliverLocally(InetSocketAddress relayAddress, InetSocketAddress mediaAddress, ByteBuf payload) {
                local.add(new Sent(null, relayAddress, mediaAddress, take(payload)));
            }
        };
        server = new TurnServer(settings, relayPorts, sink, PooledByteBufAllocator.DEFAULT, NONCE_KEY, START_NS, START_UNIX_MS);
    }

    private static byte[] take(ByteBuf buf) {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    void advanceSeconds(long seconds) {
        nowNs += seconds * SECOND_NS;
        if (server.nextTimeoutNs() - nowNs <= 0) {
            server.handleTimeout(nowNs);
        }
    }

    long unixNow() {
        return START_UNIX_MS / 1000 + (nowNs - START_NS) / SECOND_NS;
    }

    /** Feeds {@code bytes} from {@code tuple} in a pooled direct buffer (as epoll delivers), then releases it. */
    void fromClient(TurnFiveTuple tuple, byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 7);
        buf.writeZero(7).writeBytes(bytes).readerIndex(7);
        try {
            server.handleClientPacket(nowNs, tuple, buf);
        } finally {
            assertTrue(buf.release(), "the server kept a reference to a borrowed packet");
        }
    }

    void fromPeer(InetSocketAddress relay, InetSocketAddress peer, byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        try {
            server.handlePeerPacket(nowNs, relay, peer, buf);
        } finally {
            assertTrue(buf.release(), "the server kept a reference to a borrowed packet");
        }
    }

    /** The one message sent to the client, parsed. */
    Response response() {
        assertEquals(1, toClient.size(), () -> "expected one message to the client, got " + toClient.size());
        return Response.parse(toClient.poll().bytes());
    }

    // ---- independent credentials ----

    static String restPassword(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A TURN client on one 5-tuple. */
    final class Client {
        final TurnFiveTuple tuple;
        String username;
        StunIntegrity integrity;
        String nonce;
        String realm = REALM;
        private final SecureRandom random = new SecureRandom();
        final StunWriter writer = new StunWriter();

        Client(TurnTransport transport, InetSocketAddress address) {
            this.tuple = new TurnFiveTuple(transport, address, SERVER);
            user("alice", 86_400);
        }

        /** REST credentials for {@code user} valid for {@code ttlSeconds} from now. */
        Client user(String user, long ttlSeconds) {
            username = (unixNow() + ttlSeconds) + ":" + user;
            integrity = StunIntegrity.ofKey(longTermKey(username, REALM, restPassword(username)));
            return this;
        }

        byte[] newTransactionId() {
            byte[] id = new byte[12];
            random.nextBytes(id);
            return id;
        }

        /** A request of {@code type} with {@code body}'s attributes, then credentials (if {@code signed}) and FINGERPRINT. */
        byte[] request(int type, byte[] transactionId, boolean signed, Consumer<StunWriter> body) {
            ByteBuf out = Unpooled.buffer();
            try {
                writer.begin(out, type, transactionId);
                body.accept(writer);
                if (signed) {
                    writer.username(username).realm(realm).nonce(nonce == null ? "none" : nonce).messageIntegrity(integrity);
                }
                writer.fingerprint().finish();
                byte[] b = new byte[out.readableBytes()];
                out.getBytes(0, b);
                return b;
            } finally {
                out.release();
            }
        }

        /** Sends a request, learning REALM and NONCE from a 401 or 438 and retrying once, like a real client. */
        Response send(int type, Consumer<StunWriter> body) {
            byte[] id = newTransactionId();
            fromClient(tuple, request(type, id, nonce != null, body));
            Response r = response();
            if (r.errorCode == 401 && r.nonce != null && nonce == null || r.errorCode == 438) {
                nonce = r.nonce;
                fromClient(tuple, request(type, newTransactionId(), true, body));
                r = response();
            }
            return r;
        }

        Response allocate() {
            return send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17));
        }

        InetSocketAddress allocateOk() {
            Response r = allocate();
            assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, r.type, () -> "Allocate failed: " + r);
            assertTrue(r.verifies(integrity));
            return r.relayed.get(0);
        }

        Response createPermission(InetSocketAddress... peers) {
            return send(StunMessageType.CREATE_PERMISSION_REQUEST, w -> {
                for (InetSocketAddress peer : peers) w.xorPeerAddress(peer);
            });
        }

        Response channelBind(int channel, InetSocketAddress peer) {
            return send(StunMessageType.CHANNEL_BIND_REQUEST, w -> w.channelNumber(channel).xorPeerAddress(peer));
        }

        Response refresh(long lifetimeSeconds) {
            return send(StunMessageType.REFRESH_REQUEST, w -> {
                if (lifetimeSeconds >= 0) w.lifetime(lifetimeSeconds);
            });
        }

        byte[] sendIndication(InetSocketAddress peer, byte[] data) {
            ByteBuf out = Unpooled.buffer();
            try {
                writer.begin(out, StunMessageType.SEND_INDICATION, newTransactionId()).xorPeerAddress(peer)
                        .data(data, 0, data.length).finish();
                byte[] b = new byte[out.readableBytes()];
                out.getBytes(0, b);
                return b;
            } finally {
                out.release();
            }
        }
    }

    /** A parsed message to the client. */
    static final class Response {
        final byte[] bytes;
        final int type;
        final int errorCode;
        final String nonce;
        final String realm;
        final long lifetime;
        final List<InetSocketAddress> relayed = new ArrayList<>();
        final InetSocketAddress mapped;
        final InetSocketAddress peer;
        final byte[] data;
        final boolean integrity;
        final boolean fingerprint;
        final int addressErrorCode;
        final List<Integer> unknownAttributes = new ArrayList<>();

        private Response(byte[] bytes, StunMessage m) {
            this.bytes = bytes;
            type = m.messageType();
            errorCode = m.errorCode();
            nonce = m.nonce();
            realm = m.realm();
            lifetime = m.lifetimeSeconds();
            for (int i = m.xorRelayedAddressIndex(); i >= 0; i = m.nextIndexOf(dev.junction.codec.stun.StunAttribute.XOR_RELAYED_ADDRESS, i + 1)) {
                relayed.add(m.xorSocketAddress(i));
            }
            mapped = m.xorMappedSocketAddress();
            peer = m.xorPeerAddressIndex() < 0 ? null : m.xorSocketAddress(m.xorPeerAddressIndex());
            if (m.hasData()) {
                data = new byte[m.dataLength()];
                m.buffer().getBytes(m.dataOffset(), data);
            } else {
                data = null;
            }
            integrity = m.hasMessageIntegrity();
            fingerprint = m.hasFingerprint();
            addressErrorCode = m.addressErrorCode();
            for (int i = 0; i < m.reportedUnknownAttributeCount(); i++) unknownAttributes.add(m.reportedUnknownAttribute(i));
        }

        static Response parse(byte[] bytes) {
            StunMessage m = new StunMessage();
            assertEquals(StunParseResult.OK, m.wrap(Unpooled.wrappedBuffer(bytes), 0, bytes.length), "the server wrote bad STUN");
            return new Response(bytes, m);
        }

        boolean verifies(StunIntegrity key) {
            StunMessage m = new StunMessage();
            m.wrap(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
            return key.verify(m);
        }

        @Override
        public String toString() {
            return "Response[type=0x" + Integer.toHexString(type) + ", error=" + errorCode + ", relayed=" + relayed + "]";
        }
    }

    /** Relay ports from a fixed pool; IPv6 only when enabled. */
    static final class FakeRelayPorts implements RelayPorts {
        boolean ipv6 = true;
        int capacity = 100;
        int nextPort = 50000;
        final Set<InetSocketAddress> inUse = new HashSet<>();
        final List<InetSocketAddress> released = new ArrayList<>();
        int allocations;

        @Override
        public boolean supports(int family) {
            return family == StunMessage.FAMILY_IPV4 || (ipv6 && family == StunMessage.FAMILY_IPV6);
        }

        @Override
        public InetSocketAddress allocate(int family, boolean evenPort) {
            if (inUse.size() >= capacity) return null;
            allocations++;
            int port = nextPort;
            nextPort += 2;
            InetSocketAddress a = new InetSocketAddress(family == StunMessage.FAMILY_IPV4 ? "198.51.100.1" : "2001:db8::100", port);
            inUse.add(a);
            return a;
        }

        @Override
        public void release(InetSocketAddress relayAddress) {
            assertTrue(inUse.remove(relayAddress), "released twice or never allocated: " + relayAddress);
            released.add(relayAddress);
        }
    }
}
