package dev.junction.transport.turn;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The sans-IO core of a TURN client (RFC 8656; RFC 5766 servers work too, issue 10): one allocation on one
 * server, over UDP, TCP or TLS.
 *
 * <p>Input: {@link #allocate}, {@link #createPermission}, {@link #bindChannel}, {@link #deallocate} (commands),
 * {@link #handleInput} for each datagram (UDP) or frame (TCP, TLS: a STUN message or a padded ChannelData message,
 * see {@code TurnStreamConnection}) from the server, and {@link #handleTimeout} when {@link #nextTimeoutNs} is
 * reached. Output: {@link #pollTransmit} (requests and their retransmissions), {@link #pollEvent}, and for data
 * {@link #wrap} (a ChannelData message or Send indication, returned to the caller to send). It never reads a
 * clock, touches a socket or starts a thread.
 *
 * <p>What it does (RFC 8656 section numbers):
 * <ul>
 *   <li>Allocate (§7.1) for a UDP relay, first without credentials; a 401 with REALM and NONCE is answered by the
 *       same request signed with the long-term key (RFC 8489 §9.2.3); a 438 takes the fresh NONCE and retries
 *       (§9.2.5). Every request after the challenge carries USERNAME, REALM, NONCE, MESSAGE-INTEGRITY and
 *       FINGERPRINT; success responses without a valid MESSAGE-INTEGRITY are discarded (RFC 8489 §9.2.5).</li>
 *   <li>Refresh (§8.1) when a fifth of the granted lifetime is left (at most a minute before it ends), and with
 *       lifetime 0 to delete the allocation; {@link Event.Expired} when the lifetime ends unrefreshed.</li>
 *   <li>CreatePermission (§9.1) per peer IP, refreshed every 4 minutes (permissions last 5, §9);
 *       ChannelBind (§11.1) from 0x4000 up, refreshed every 9 minutes (bindings last 10, §11).</li>
 *   <li>Data out as ChannelData once the peer's channel is confirmed (§12.4), as a Send indication before
 *       (§10.1); data in from Data indications (§10.4) and ChannelData (§12.6), as (peer, payload).</li>
 *   <li>Retransmission over UDP (RFC 8489 §6.2.1): RTO 500 ms doubling, 7 sends, then 16 RTO; over TCP and TLS one
 *       send and 39.5 s (Ti). A transaction that times out is a {@link Event.Failed} with code 0.</li>
 * </ul>
 *
 * <p>Threading: single writer; create and call it on one thread (the connection's loop). Buffers: packets passed
 * to {@link #handleInput} are borrowed for the call (after {@link Input#DATA} the payload is
 * {@code [dataOffset, dataOffset + dataLength)} of that same buffer, valid until the caller releases it); every
 * buffer returned by {@link #pollTransmit} and {@link #wrap} is owned by the caller; {@link #wrap} takes ownership
 * of its payload. Per data packet out it allocates one pooled buffer (the one the socket needs anyway, written once
 * with the 4-byte header in front); per data packet in nothing.
 */
public final class TurnClient {

    /** What {@link #handleInput} found. */
    public enum Input {
        /** Relayed data: see {@link #dataPeer}, {@link #dataOffset}, {@link #dataLength}. */
        DATA,
        /** A response or other message this core consumed (events may follow). */
        HANDLED,
        /** Malformed, unsolicited, unauthentic, or for no peer we know: discarded. */
        DROPPED
    }

    /** Where the allocation is. */
    public enum State { NEW, ALLOCATING, ALLOCATED, DEALLOCATING, CLOSED, FAILED, EXPIRED }

    /** What happened, from {@link #pollEvent}; rare, so they are objects. */
    public sealed interface Event {
        /** The allocation exists: its relayed address, our address as the server saw it, and the lifetime granted. */
        record Allocated(InetSocketAddress relayed, InetSocketAddress mapped, long lifetimeSeconds) implements Event {
        }

        /** A Refresh (lifetime above 0) succeeded. */
        record Refreshed(long lifetimeSeconds) implements Event {
        }

        record PermissionCreated(InetSocketAddress peer) implements Event {
        }

        record ChannelBound(InetSocketAddress peer, int channel) implements Event {
        }

        /**
         * A request failed: {@code method} is the STUN method (e.g. {@link StunMessageType#METHOD_ALLOCATE}), code 0
         * when it timed out. A failed Allocate ends the client ({@link State#FAILED}).
         */
        record Failed(int method, int errorCode, String reason) implements Event {
        }

        /** The allocation's lifetime ended without a successful Refresh (or the server said it is gone, 437). */
        record Expired() implements Event {
        }

        /** The Refresh with lifetime 0 was answered: the allocation is deleted. */
        record Deallocated() implements Event {
        }
    }

    /** RFC 8489 §6.2.1: initial RTO over UDP. */
    static final long RTO_NS = 500_000_000L;
    /** RFC 8489 §6.2.1: Rc, sends over UDP. */
    static final int MAX_SENDS = 7;
    /** RFC 8489 §6.2.1: Rm, the wait after the last send, in RTOs. */
    static final int LAST_WAIT_RTOS = 16;
    /** RFC 8489 §6.2.2: Ti over TCP and TLS. */
    static final long STREAM_TIMEOUT_NS = 39_500_000_000L;
    /** RFC 8656 §9: permissions last 300 s, so they are refreshed at 240 s. */
    static final long PERMISSION_REFRESH_NS = 240_000_000_000L;
    /** RFC 8656 §11: channel bindings last 600 s, so they are refreshed at 540 s. */
    static final long CHANNEL_REFRESH_NS = 540_000_000_000L;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final long ONE_MINUTE_NS = 60 * NS_PER_SECOND;
    /** 438 retries per transaction before giving up (a server whose nonces are always stale). */
    private static final int MAX_NONCE_RETRIES = 3;
    private static final int REQUEST_CAPACITY = 256;
    /** The 36 bytes of a Send indication around its data: header 20, XOR-PEER-ADDRESS up to 24, DATA header 4. */
    private static final int SEND_OVERHEAD = 20 + 24 + 4 + 3;
    private static final int CHANNELS = ChannelData.MAX_CHANNEL - ChannelData.MIN_CHANNEL + 1;

    /** One peer (a transport address): its permission and, if asked for, its channel. */
    private static final class Peer {
        final InetSocketAddress address;
        final byte[] ip;
        int channel;
        boolean channelConfirmed;
        boolean permissionConfirmed;
        boolean wantsPermission;
        boolean permissionPending;
        boolean channelPending;
        long permissionRefreshNs;
        long channelRefreshNs;

        Peer(InetSocketAddress address) {
            this.address = address;
            this.ip = address.getAddress().getAddress();
        }
    }

    /** One outstanding request: enough to write it again (a retransmission, or a retry after 401 or 438). */
    private static final class Transaction {
        final int type;
        final Peer peer;
        final long lifetimeSeconds;
        final byte[] id = new byte[StunMessage.TRANSACTION_ID_LENGTH];
        ByteBuf encoded;
        boolean signed;
        int sends;
        int nonceRetries;
        long rtoNs;
        long nextNs;

        Transaction(int type, Peer peer, long lifetimeSeconds) {
            this.type = type;
            this.peer = peer;
            this.lifetimeSeconds = lifetimeSeconds;
        }
    }

    // Passed by argument.
    private final TurnTransport transport;
    private final String username;
    private final String password;
    private final ByteBufAllocator allocator;
    private final Random random;
    private final long requestedLifetimeSeconds;

    // Allocated by this.
    private final StunMessage stun = new StunMessage();
    private final ChannelData channelData = new ChannelData();
    private final StunWriter writer = new StunWriter();
    private final ArrayDeque<ByteBuf> transmits = new ArrayDeque<>();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final List<Transaction> transactions = new ArrayList<>();
    private final Map<InetSocketAddress, Peer> peers = new HashMap<>();
    private final List<Peer> peerList = new ArrayList<>();
    private final Peer[] byChannel = new Peer[CHANNELS];
    private final byte[] addressScratch = new byte[16];
    private final byte[] indicationId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
    private final IndicationIds indicationIds;

    // State.
    private State state = State.NEW;
    private String realm;
    private String nonce;
    private StunIntegrity integrity;
    private InetSocketAddress relayed;
    private long expiresNs;
    private long refreshAtNs;
    private boolean refreshPending;
    private int nextChannel = ChannelData.MIN_CHANNEL;
    // The last DATA result of handleInput.
    private InetSocketAddress dataPeer;
    private int dataOffset;
    private int dataLength;

    /**
     * @param transport                how we reach the server: UDP retransmits; TCP and TLS pad ChannelData
     * @param username                 long-term credentials (for Junction: REST, {@code expiry:user})
     * @param requestedLifetimeSeconds LIFETIME asked for in Allocate and Refresh, or -1 to leave it to the server
     * @param random                   transaction IDs (a {@link java.security.SecureRandom} outside tests)
     */
    public TurnClient(TurnTransport transport, String username, String password, long requestedLifetimeSeconds,
                      ByteBufAllocator allocator, Random random) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password");
        this.requestedLifetimeSeconds = requestedLifetimeSeconds;
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.random = Objects.requireNonNull(random, "random");
        this.indicationIds = new IndicationIds(random.nextLong());
    }

    // ---- commands ----

    /** Starts the Allocate transaction (RFC 8656 §7.1): the first request goes without credentials, to learn them. */
    public void allocate(long nowNs) {
        if (state != State.NEW) throw new IllegalStateException("allocate() once, not in " + state);
        state = State.ALLOCATING;
        start(new Transaction(StunMessageType.ALLOCATE_REQUEST, null, requestedLifetimeSeconds), nowNs);
    }

    /** Asks for a permission for {@code peer}'s IP (RFC 8656 §9.1), kept refreshed from now on. */
    public void createPermission(long nowNs, InetSocketAddress peer) {
        requireAllocated();
        Peer p = peer(peer);
        p.wantsPermission = true;
        if (!p.permissionPending) {
            p.permissionPending = true;
            start(new Transaction(StunMessageType.CREATE_PERMISSION_REQUEST, p, -1), nowNs);
        }
    }

    /**
     * Binds a channel to {@code peer} (RFC 8656 §11.1), which also installs its permission, and keeps both refreshed;
     * data to the peer goes as ChannelData once the server confirmed it. Returns the channel number.
     */
    public int bindChannel(long nowNs, InetSocketAddress peer) {
        requireAllocated();
        Peer p = peer(peer);
        p.wantsPermission = true;
        if (p.channel == 0) {
            if (nextChannel > ChannelData.MAX_CHANNEL) throw new IllegalStateException("no channel numbers left");
            p.channel = nextChannel++;
            byChannel[p.channel - ChannelData.MIN_CHANNEL] = p;
        }
        if (!p.channelPending) {
            p.channelPending = true;
            start(new Transaction(StunMessageType.CHANNEL_BIND_REQUEST, p, -1), nowNs);
        }
        return p.channel;
    }

    /** Refreshes the allocation now with the configured lifetime (done by itself before it ends). */
    public void refresh(long nowNs) {
        requireAllocated();
        sendRefresh(nowNs, requestedLifetimeSeconds);
    }

    /** Deletes the allocation (Refresh with lifetime 0, RFC 8656 §8.1); {@link Event.Deallocated} follows. */
    public void deallocate(long nowNs) {
        if (state != State.ALLOCATED) {
            close();
            return;
        }
        state = State.DEALLOCATING;
        start(new Transaction(StunMessageType.REFRESH_REQUEST, null, 0), nowNs);
    }

    /** Releases everything queued and outstanding; the client is done. */
    public void close() {
        if (state != State.FAILED && state != State.EXPIRED) state = State.CLOSED;
        for (Transaction t : transactions) t.encoded.release();
        transactions.clear();
        ByteBuf b;
        while ((b = transmits.poll()) != null) b.release();
    }

    private void requireAllocated() {
        if (state != State.ALLOCATED) throw new IllegalStateException("no allocation (" + state + ")");
    }

    private Peer peer(InetSocketAddress address) {
        Peer p = peers.get(address);
        if (p == null) {
            if (address.isUnresolved()) throw new IllegalArgumentException("unresolved peer " + address);
            p = new Peer(address);
            peers.put(address, p);
            peerList.add(p);
        }
        return p;
    }

    // ---- data out ----

    /**
     * Wraps {@code payload} for {@code peer}: ChannelData when its channel is confirmed, else a Send indication.
     * Takes ownership of {@code payload}; returns the message to send to the server (owned by the caller), or null
     * when there is no allocation (the payload is released).
     */
    public ByteBuf wrap(InetSocketAddress peer, ByteBuf payload) {
        try {
            Peer p = peers.get(peer);
            if (state != State.ALLOCATED || p == null) return null;
            int index = payload.readerIndex();
            int length = payload.readableBytes();
            // Direct: the socket would copy a heap buffer into a direct one anyway; this copy replaces that one.
            if (p.channelConfirmed) {
                ByteBuf out = allocator.directBuffer(ChannelData.streamFrameLength(length));
                ChannelData.write(out, p.channel, payload, index, length, transport.isStream());
                return out;
            }
            ByteBuf out = allocator.directBuffer(length + SEND_OVERHEAD);
            try {
                indicationIds.next(indicationId);
                writer.begin(out, StunMessageType.SEND_INDICATION, indicationId)
                        .xorPeerAddress(p.ip, p.address.getPort())
                        .data(payload, index, length)
                        .finish();
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
            return out;
        } finally {
            payload.release();
        }
    }

    /** Whether data to {@code peer} goes as ChannelData now. */
    public boolean hasChannel(InetSocketAddress peer) {
        Peer p = peers.get(peer);
        return p != null && p.channelConfirmed;
    }

    // ---- input ----

    /**
     * One message from the server: a UDP datagram, or one frame of a TCP/TLS stream. Borrowed. After
     * {@link Input#DATA}, {@link #dataPeer}, {@link #dataOffset} and {@link #dataLength} say where the payload is.
     */
    public Input handleInput(long nowNs, ByteBuf message) {
        int offset = message.readerIndex();
        int length = message.readableBytes();
        if (length == 0 || state == State.CLOSED) return Input.DROPPED;
        int first = message.getUnsignedByte(offset);
        if (ChannelData.isChannelData(first)) return onChannelData(message, offset, length);
        if ((first & 0xC0) != 0 || stun.wrap(message, offset, length) != StunParseResult.OK) return Input.DROPPED;
        if (stun.messageType() == StunMessageType.DATA_INDICATION) return onDataIndication();
        int messageClass = stun.messageClass();
        if (messageClass != StunMessageType.CLASS_SUCCESS_RESPONSE && messageClass != StunMessageType.CLASS_ERROR_RESPONSE) {
            return Input.DROPPED;
        }
        Transaction t = null;
        for (int i = 0; i < transactions.size(); i++) {
            if (stun.transactionIdEquals(transactions.get(i).id)) {
                t = transactions.get(i);
                break;
            }
        }
        if (t == null || stun.method() != StunMessageType.method(t.type)) return Input.DROPPED;
        if (messageClass == StunMessageType.CLASS_SUCCESS_RESPONSE) {
            // RFC 8489 §9.2.5: a response to a signed request must be signed with the same key, or it is discarded.
            if (t.signed && (!stun.hasMessageIntegrity() || !integrity.verify(stun))) return Input.DROPPED;
            finish(t);
            onSuccess(t, nowNs);
        } else {
            onError(t, nowNs);
        }
        return Input.HANDLED;
    }

    private Input onChannelData(ByteBuf message, int offset, int length) {
        if (channelData.wrap(message, offset, length, transport.isStream(), true) != ChannelData.ParseResult.OK) {
            return Input.DROPPED;
        }
        int number = channelData.channel();
        Peer p = number <= ChannelData.MAX_CHANNEL ? byChannel[number - ChannelData.MIN_CHANNEL] : null;
        // RFC 8656 §12.1/§12.5: a channel is bound once its ChannelBind succeeded; before that (the request only
        // sent) its number names nothing, and ChannelData on it is discarded.
        if (p == null || !p.channelConfirmed || state != State.ALLOCATED) return Input.DROPPED;
        return data(p.address, channelData.dataOffset(), channelData.dataLength());
    }

    private Input onDataIndication() {
        int index = stun.xorPeerAddressIndex();
        if (index < 0 || !stun.hasData() || state != State.ALLOCATED) return Input.DROPPED;
        int addressLength = stun.xorAddress(index, addressScratch, 0);
        int port = stun.xorAddressPort(index);
        // The peers we asked permissions for are few: find ours without making an address per packet.
        for (int i = 0; i < peerList.size(); i++) {
            Peer p = peerList.get(i);
            if (p.address.getPort() == port && p.ip.length == addressLength
                    && java.util.Arrays.equals(p.ip, 0, addressLength, addressScratch, 0, addressLength)) {
                return data(p.address, stun.dataOffset(), stun.dataLength());
            }
        }
        // Another port of a permitted IP (a permission is per IP, RFC 8656 §9): still data, from a new address.
        return data(stun.xorSocketAddress(index), stun.dataOffset(), stun.dataLength());
    }

    private Input data(InetSocketAddress peer, int offset, int length) {
        dataPeer = peer;
        dataOffset = offset;
        dataLength = length;
        return Input.DATA;
    }

    /** The peer the last {@link Input#DATA} came from. */
    public InetSocketAddress dataPeer() {
        return dataPeer;
    }

    /** Absolute index of the last {@link Input#DATA}'s payload in the buffer given to {@link #handleInput}. */
    public int dataOffset() {
        return dataOffset;
    }

    public int dataLength() {
        return dataLength;
    }

    // ---- responses ----

    private void onSuccess(Transaction t, long nowNs) {
        switch (t.type) {
            case StunMessageType.ALLOCATE_REQUEST -> {
                int relayIndex = stun.xorRelayedAddressIndex();
                long lifetime = stun.lifetimeSeconds();
                if (relayIndex < 0 || lifetime <= 0) {
                    fail(t, StunErrorCode.SERVER_ERROR, "Allocate success without XOR-RELAYED-ADDRESS or LIFETIME");
                    return;
                }
                relayed = stun.xorSocketAddress(relayIndex);
                InetSocketAddress mapped = stun.xorMappedAddressFamily() > 0 ? stun.xorMappedSocketAddress() : null;
                state = State.ALLOCATED;
                lifetime(nowNs, lifetime);
                events.add(new Event.Allocated(relayed, mapped, lifetime));
            }
            case StunMessageType.REFRESH_REQUEST -> {
                refreshPending = false;
                long lifetime = stun.lifetimeSeconds();
                if (t.lifetimeSeconds == 0 || lifetime == 0) {
                    state = State.CLOSED;
                    events.add(new Event.Deallocated());
                } else if (state == State.ALLOCATED) {
                    lifetime(nowNs, lifetime < 0 ? (expiresNs - nowNs) / NS_PER_SECOND : lifetime);
                    events.add(new Event.Refreshed(lifetime));
                }
            }
            case StunMessageType.CREATE_PERMISSION_REQUEST -> {
                Peer p = t.peer;
                p.permissionPending = false;
                p.permissionConfirmed = true;
                p.permissionRefreshNs = nowNs + PERMISSION_REFRESH_NS;
                events.add(new Event.PermissionCreated(p.address));
            }
            case StunMessageType.CHANNEL_BIND_REQUEST -> {
                Peer p = t.peer;
                p.channelPending = false;
                boolean first = !p.channelConfirmed;
                p.channelConfirmed = true;
                p.channelRefreshNs = nowNs + CHANNEL_REFRESH_NS;
                // RFC 8656 §11.2: the binding installed or refreshed the peer's permission too.
                p.permissionConfirmed = true;
                p.permissionRefreshNs = nowNs + PERMISSION_REFRESH_NS;
                if (first) events.add(new Event.ChannelBound(p.address, p.channel));
            }
            default -> {
            }
        }
    }

    private void lifetime(long nowNs, long seconds) {
        long lifetimeNs = seconds * NS_PER_SECOND;
        expiresNs = nowNs + lifetimeNs;
        refreshAtNs = expiresNs - Math.min(ONE_MINUTE_NS, lifetimeNs / 5);
    }

    private void onError(Transaction t, long nowNs) {
        int code = stun.errorCode();
        String newNonce = stun.nonce();
        String newRealm = stun.realm();
        // RFC 8489 §9.2.5: a 401 to an unsigned request carries the challenge; a 438 a fresh nonce for the same key.
        if (code == StunErrorCode.UNAUTHENTICATED && !t.signed && newRealm != null && newNonce != null) {
            realm = newRealm;
            nonce = newNonce;
            integrity = StunIntegrity.longTerm(username, realm, password);
            retry(t, nowNs);
            return;
        }
        if (code == StunErrorCode.STALE_NONCE && newNonce != null && t.nonceRetries < MAX_NONCE_RETRIES) {
            t.nonceRetries++;
            nonce = newNonce;
            if (newRealm != null && !newRealm.equals(realm)) {
                realm = newRealm;
                integrity = StunIntegrity.longTerm(username, realm, password);
            }
            retry(t, nowNs);
            return;
        }
        finish(t);
        if (t.type == StunMessageType.REFRESH_REQUEST && code == StunErrorCode.ALLOCATION_MISMATCH) {
            // RFC 8656 §8.3: 437 to a Refresh means the allocation is gone already.
            refreshPending = false;
            if (t.lifetimeSeconds == 0) {
                state = State.CLOSED;
                events.add(new Event.Deallocated());
            } else {
                expire();
            }
            return;
        }
        fail(t, code, stun.errorReason());
    }

    private void fail(Transaction t, int code, String reason) {
        switch (t.type) {
            case StunMessageType.ALLOCATE_REQUEST -> state = State.FAILED;
            case StunMessageType.REFRESH_REQUEST -> {
                refreshPending = false;
                if (t.lifetimeSeconds == 0) state = State.CLOSED;
            }
            case StunMessageType.CREATE_PERMISSION_REQUEST -> t.peer.permissionPending = false;
            case StunMessageType.CHANNEL_BIND_REQUEST -> t.peer.channelPending = false;
            default -> {
            }
        }
        events.add(new Event.Failed(StunMessageType.method(t.type), code, reason == null ? "" : reason));
    }

    private void expire() {
        state = State.EXPIRED;
        for (Transaction t : transactions) t.encoded.release();
        transactions.clear();
        events.add(new Event.Expired());
    }

    // ---- transactions ----

    private void start(Transaction t, long nowNs) {
        transactions.add(t);
        encode(t);
        t.rtoNs = RTO_NS;
        send(t, nowNs);
    }

    /** The same request again with a new transaction ID, now signed (after 401) or with the new nonce (438). */
    private void retry(Transaction t, long nowNs) {
        t.encoded.release();
        encode(t);
        t.sends = 0;
        t.rtoNs = RTO_NS;
        send(t, nowNs);
    }

    private void encode(Transaction t) {
        random.nextBytes(t.id);
        ByteBuf out = allocator.buffer(REQUEST_CAPACITY);
        try {
            writer.begin(out, t.type, t.id);
            switch (t.type) {
                case StunMessageType.ALLOCATE_REQUEST -> {
                    writer.requestedTransport(TurnServer.PROTOCOL_UDP);
                    if (t.lifetimeSeconds >= 0) writer.lifetime(t.lifetimeSeconds);
                }
                case StunMessageType.REFRESH_REQUEST -> {
                    if (t.lifetimeSeconds >= 0) writer.lifetime(t.lifetimeSeconds);
                }
                case StunMessageType.CREATE_PERMISSION_REQUEST -> writer.xorPeerAddress(t.peer.ip, t.peer.address.getPort());
                case StunMessageType.CHANNEL_BIND_REQUEST ->
                        writer.channelNumber(t.peer.channel).xorPeerAddress(t.peer.ip, t.peer.address.getPort());
                default -> throw new IllegalStateException("not a TURN request: " + t.type);
            }
            t.signed = integrity != null;
            if (t.signed) writer.username(username).realm(realm).nonce(nonce).messageIntegrity(integrity);
            writer.fingerprint().finish();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        t.encoded = out;
    }

    private void send(Transaction t, long nowNs) {
        t.sends++;
        transmits.add(t.encoded.retainedDuplicate());
        if (transport.isStream()) {
            t.nextNs = nowNs + STREAM_TIMEOUT_NS;
        } else if (t.sends < MAX_SENDS) {
            t.nextNs = nowNs + t.rtoNs;
            t.rtoNs *= 2;
        } else {
            t.nextNs = nowNs + LAST_WAIT_RTOS * RTO_NS;
        }
    }

    private void finish(Transaction t) {
        transactions.remove(t);
        t.encoded.release();
    }

    // ---- time ----

    /** When {@link #handleTimeout} should next run, or {@link Long#MAX_VALUE}. */
    public long nextTimeoutNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < transactions.size(); i++) next = earlier(next, transactions.get(i).nextNs);
        if (state == State.ALLOCATED) {
            next = earlier(next, expiresNs);
            if (!refreshPending) next = earlier(next, refreshAtNs);
            for (int i = 0; i < peerList.size(); i++) {
                Peer p = peerList.get(i);
                if (p.permissionConfirmed && !p.permissionPending) next = earlier(next, p.permissionRefreshNs);
                if (p.channelConfirmed && !p.channelPending) next = earlier(next, p.channelRefreshNs);
            }
        }
        return next;
    }

    private static long earlier(long a, long b) {
        return a == Long.MAX_VALUE || b - a < 0 ? b : a;
    }

    /** Retransmits, times out, refreshes and expires whatever is due at {@code nowNs}. */
    public void handleTimeout(long nowNs) {
        for (int i = 0; i < transactions.size(); i++) {
            Transaction t = transactions.get(i);
            if (t.nextNs - nowNs > 0) continue;
            if (!transport.isStream() && t.sends < MAX_SENDS) {
                send(t, nowNs);
            } else {
                finish(t);
                i--;
                fail(t, 0, "timed out");
            }
        }
        if (state != State.ALLOCATED) return;
        if (expiresNs - nowNs <= 0) {
            expire();
            return;
        }
        if (!refreshPending && refreshAtNs - nowNs <= 0) sendRefresh(nowNs, requestedLifetimeSeconds);
        for (int i = 0; i < peerList.size(); i++) {
            Peer p = peerList.get(i);
            if (p.channelConfirmed && !p.channelPending && p.channelRefreshNs - nowNs <= 0) {
                // A ChannelBind refreshes the permission too (RFC 8656 §11.2).
                p.channelPending = true;
                start(new Transaction(StunMessageType.CHANNEL_BIND_REQUEST, p, -1), nowNs);
            } else if (p.wantsPermission && p.permissionConfirmed && !p.permissionPending && p.permissionRefreshNs - nowNs <= 0) {
                p.permissionPending = true;
                start(new Transaction(StunMessageType.CREATE_PERMISSION_REQUEST, p, -1), nowNs);
            }
        }
    }

    private void sendRefresh(long nowNs, long lifetimeSeconds) {
        if (refreshPending) return;
        refreshPending = true;
        start(new Transaction(StunMessageType.REFRESH_REQUEST, null, lifetimeSeconds), nowNs);
    }

    // ---- output ----

    /** The next request to send to the server (owned by the caller), or null. */
    public ByteBuf pollTransmit() {
        return transmits.poll();
    }

    /** The next event, or null. */
    public Event pollEvent() {
        return events.poll();
    }

    public State state() {
        return state;
    }

    /** The relayed transport address, once allocated. */
    public InetSocketAddress relayedAddress() {
        return relayed;
    }

    public TurnTransport transport() {
        return transport;
    }
}
