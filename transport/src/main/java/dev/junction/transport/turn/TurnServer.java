package dev.junction.transport.turn;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunAttribute;
import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sans-IO core of Junction's embedded TURN server (RFC 8656; RFC 5766 clients work, issue 10).
 *
 * <p>Input: {@link #handleClientPacket} for each datagram (UDP) or frame (TCP, TLS) from a client,
 * {@link #handlePeerPacket} for each datagram arriving on a relayed address, {@link #handleClientClosed} when
 * a TCP or TLS connection ends, and {@link #handleTimeout} when {@link #nextTimeoutNs} is reached. Output:
 * calls on the {@link TurnSink} (to a client, to a peer through the kernel, or in process to our own media
 * sockets). Relayed addresses come from {@link RelayPorts}. It never reads a clock, touches a socket or starts
 * a thread: time is {@code nowNs} (monotonic, any origin), and Unix time, which REST usernames carry, is that
 * plus the anchor given at construction ({@link #syncWallClock}).
 *
 * <p>What it does (RFC 8656 section numbers):
 * <ul>
 *   <li>Allocate (§7.2): UDP relays only (else 442); one allocation per 5-tuple (else 437, but a
 *       retransmitted Allocate gets the same answer again); IPv4, IPv6 and dual allocations (440 for a family
 *       {@link RelayPorts} cannot serve); lifetimes between the default and the maximum; quotas per user (486)
 *       and in total (508).</li>
 *   <li>Refresh (§7.3; lifetime 0 deletes), CreatePermission (§9, 300 s per peer IP), ChannelBind (§11, 600 s,
 *       0x4000-0x4FFF, conflicts are 400, and an expired binding is reserved for 5 more minutes), Send and Data
 *       indications (§10), ChannelData both ways (§12), Binding (§4: any TURN server answers it).</li>
 *   <li>Long-term credentials (RFC 8489 §9.2) in the REST form ({@link RestCredentials}), with stateless
 *       nonces that expire ({@link NonceIssuer}, 438).</li>
 *   <li>Not an open relay ({@link PeerPolicy}): permissions only for our media addresses and configured ranges
 *       (else 403), and data only to our media ports or inside those ranges.</li>
 *   <li>A token bucket per allocation; every discarded packet and refused request counted by
 *       {@link TurnDropReason}.</li>
 * </ul>
 *
 * <p>Threading: single writer. Create it, call it and read its state on one thread (a media loop); only the
 * counters ({@link #drops}, {@code relayed…}) may be read from any thread. Buffers: packets passed to
 * {@code handle…} are borrowed for the call and the caller releases them afterwards; every buffer given to the
 * sink is owned by the sink. Data relayed towards a peer is a retained slice of the client's packet (no copy);
 * data towards a client is written once into a buffer from the allocator (it needs the 4-byte ChannelData or
 * 36-byte Data indication header in front). Nothing else is allocated per relayed packet.
 */
public final class TurnServer {

    /** REQUESTED-TRANSPORT for UDP, the only relay protocol (RFC 8656 §7.2). */
    public static final int PROTOCOL_UDP = 17;

    private static final TurnDropReason[] REASONS = TurnDropReason.values();
    private static final int METHODS = TurnMethod.values().length;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    /** RFC 8656 §12: a channel number or peer stays reserved for 5 minutes after its binding expires. */
    private static final long CHANNEL_GUARD_NS = 300 * NS_PER_SECOND;
    /** Largest DATA a Data indication can carry: 65535 - 20 header - 24 XOR-PEER-ADDRESS(IPv6) - 4 DATA header - 3 padding. */
    private static final int MAX_DATA_INDICATION_PAYLOAD = 0xFFFF - 20 - 24 - 4 - 3;
    private static final int RESPONSE_CAPACITY = 256;

    private static final int RELAYED_TO_PEER = 0;
    private static final int RELAYED_LOCALLY = 1;
    private static final int RELAYED_TO_CLIENT = 2;

    // Passed by argument.
    private final TurnSettings settings;
    private final RelayPorts relayPorts;
    private final TurnSink sink;
    private final ByteBufAllocator allocator;
    private final byte[] secret;

    // Allocated by this.
    private final PeerPolicy policy;
    private final NonceIssuer nonces;
    private final StunMessage stun = new StunMessage();
    private final ChannelData channelData = new ChannelData();
    private final StunWriter writer = new StunWriter();
    private final Map<TurnFiveTuple, Allocation> byTuple = new HashMap<>();
    private final Map<InetSocketAddress, Allocation> byRelay = new HashMap<>();
    private final Map<String, Integer> allocationsPerUser = new HashMap<>();
    private final AtomicLongArray drops = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray relayed = new AtomicLongArray(3);
    /** Answers sent, per method: success at {@code 2 * ordinal}, error at {@code 2 * ordinal + 1}. */
    private final AtomicLongArray answers = new AtomicLongArray(2 * METHODS);
    /** {@code byTuple.size()}, published for other threads. */
    private final java.util.concurrent.atomic.AtomicInteger publishedAllocations = new java.util.concurrent.atomic.AtomicInteger();
    private final byte[] addressScratch = new byte[16];
    private final byte[] transactionId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
    private final IndicationIds indicationIds;

    // State.
    private long wallAnchorNs;
    private long wallAnchorUnixMillis;
    private long earliestDeadlineNs;
    private boolean hasDeadline;
    private boolean closed;

    /**
     * @param nonceKey          at least 16 random bytes (from a CSPRNG) keying the nonces; fixed in tests
     * @param nowNs             the core's time now
     * @param unixMillisAtNowNs the wall clock at {@code nowNs}, for REST username expiry
     */
    public TurnServer(TurnSettings settings, RelayPorts relayPorts, TurnSink sink, ByteBufAllocator allocator,
                      byte[] nonceKey, long nowNs, long unixMillisAtNowNs) {
        this.settings = settings;
        this.relayPorts = relayPorts;
        this.sink = sink;
        this.allocator = allocator;
        this.secret = settings.secret();
        this.policy = new PeerPolicy(settings.mediaAddresses(), settings.allowedPeerRanges());
        this.nonces = new NonceIssuer(nonceKey, settings.nonceLifetimeSeconds() * NS_PER_SECOND);
        long seed = 0;
        for (byte b : nonceKey) {
            seed = seed * 31 + b;
        }
        this.indicationIds = new IndicationIds(seed);
        syncWallClock(nowNs, unixMillisAtNowNs);
    }

    /** Re-anchors Unix time (REST expiry) to {@code nowNs}; the I/O layer may call it now and then against drift. */
    public void syncWallClock(long nowNs, long unixMillis) {
        this.wallAnchorNs = nowNs;
        this.wallAnchorUnixMillis = unixMillis;
    }

    private long unixSeconds(long nowNs) {
        return Math.floorDiv(wallAnchorUnixMillis + (nowNs - wallAnchorNs) / 1_000_000, 1000);
    }

    // ---- input ----

    /**
     * One message from a client on {@code tuple}: a UDP datagram, or one frame of a TCP/TLS stream (a STUN
     * message or a padded ChannelData message; see {@link ChannelData#streamFrameLength}). The readable bytes
     * are the message. Borrowed: the caller releases {@code packet} after the call.
     */
    public void handleClientPacket(long nowNs, TurnFiveTuple tuple, ByteBuf packet) {
        if (closed) {
            drop(TurnDropReason.NO_ALLOCATION);
            return;
        }
        int offset = packet.readerIndex();
        int length = packet.readableBytes();
        if (length == 0) {
            drop(TurnDropReason.NOT_TURN);
            return;
        }
        int first = packet.getUnsignedByte(offset);
        if (ChannelData.isChannelData(first)) {
            onChannelData(nowNs, tuple, packet, offset, length);
        } else if ((first & 0xC0) == 0) {
            onStun(nowNs, tuple, packet, offset, length);
        } else {
            drop(TurnDropReason.NOT_TURN);
        }
    }

    /**
     * One datagram that arrived on the relayed address {@code relayAddress} from {@code peer} (through the
     * kernel, or in process from one of our media sockets). Borrowed: the caller releases it after the call.
     */
    public void handlePeerPacket(long nowNs, InetSocketAddress relayAddress, InetSocketAddress peer, ByteBuf payload) {
        Allocation allocation = byRelay.get(relayAddress);
        if (allocation == null || allocation.expiresNs - nowNs <= 0) {
            drop(TurnDropReason.NO_ALLOCATION);
            return;
        }
        Allocation.Permission permission = allocation.permission(peer.getAddress(), nowNs);
        if (permission == null) {
            drop(TurnDropReason.NO_PERMISSION);
            return;
        }
        if (!permission.anyPort && !policy.isLocal(peer)) {
            drop(TurnDropReason.FORBIDDEN_PEER);
            return;
        }
        int index = payload.readerIndex();
        int length = payload.readableBytes();
        Allocation.Channel channel = allocation.channel(peer);
        if (channel != null && !channel.isActive(nowNs)) {
            channel = null;
        }
        if (channel == null && length > MAX_DATA_INDICATION_PAYLOAD) {
            drop(TurnDropReason.OVERSIZED);
            return;
        }
        if (!allocation.bandwidth.tryConsume(length, nowNs)) {
            drop(TurnDropReason.BANDWIDTH_EXCEEDED);
            return;
        }
        ByteBuf out = allocator.buffer(channel != null ? ChannelData.streamFrameLength(length) : length + 48);
        try {
            if (channel != null) {
                ChannelData.write(out, channel.number, payload, index, length, allocation.tuple.transport().isStream());
            } else {
                indicationIds.next(transactionId);
                writer.begin(out, StunMessageType.DATA_INDICATION, transactionId)
                        .xorPeerAddress(permission.addressBytes, peer.getPort())
                        .data(payload, index, length)
                        .finish();
            }
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        count(RELAYED_TO_CLIENT);
        sink.sendToClient(allocation.tuple, out);
    }

    /** The TCP or TLS connection of {@code tuple} closed: its allocation goes with it (RFC 8656 §5). */
    public void handleClientClosed(TurnFiveTuple tuple) {
        Allocation allocation = byTuple.remove(tuple);
        if (allocation != null) {
            forget(allocation);
        }
    }

    /** When {@link #handleTimeout} should next run, or {@link Long#MAX_VALUE}. May be early, never late. */
    public long nextTimeoutNs() {
        return hasDeadline ? earliestDeadlineNs : Long.MAX_VALUE;
    }

    /** Expires allocations, permissions and channel bindings whose time has come. */
    public void handleTimeout(long nowNs) {
        if (!hasDeadline || earliestDeadlineNs - nowNs > 0) {
            return;
        }
        hasDeadline = false;
        for (Iterator<Allocation> it = byTuple.values().iterator(); it.hasNext(); ) {
            Allocation allocation = it.next();
            if (allocation.expiresNs - nowNs <= 0) {
                it.remove();
                forget(allocation);
            } else {
                deadline(allocation.sweep(nowNs, CHANNEL_GUARD_NS));
            }
        }
    }

    /** Deletes every allocation and releases its relayed addresses; later packets are dropped. */
    public void close() {
        closed = true;
        for (Allocation allocation : List.copyOf(byTuple.values())) {
            byTuple.remove(allocation.tuple);
            forget(allocation);
        }
        hasDeadline = false;
    }

    // ---- STUN ----

    private void onStun(long nowNs, TurnFiveTuple tuple, ByteBuf packet, int offset, int length) {
        if (stun.wrap(packet, offset, length) != StunParseResult.OK) {
            drop(TurnDropReason.MALFORMED_STUN);
            return;
        }
        int type = stun.messageType();
        if (type == StunMessageType.SEND_INDICATION) {
            onSend(nowNs, tuple);
            return;
        }
        if (stun.messageClass() != StunMessageType.CLASS_REQUEST) {
            drop(TurnDropReason.UNEXPECTED_STUN);
            return;
        }
        // RFC 8489 §6.3.1.1: unknown comprehension-required attributes are refused before anything else.
        if (stun.unknownComprehensionRequiredCount() > 0) {
            reject(tuple, StunErrorCode.UNKNOWN_ATTRIBUTE, null, false, nowNs, TurnDropReason.REJECTED_UNKNOWN_ATTRIBUTE);
            return;
        }
        switch (type) {
            case StunMessageType.BINDING_REQUEST -> onBinding(tuple);
            case StunMessageType.ALLOCATE_REQUEST -> onAllocate(nowNs, tuple);
            case StunMessageType.REFRESH_REQUEST -> onRefresh(nowNs, tuple);
            case StunMessageType.CREATE_PERMISSION_REQUEST -> onCreatePermission(nowNs, tuple);
            case StunMessageType.CHANNEL_BIND_REQUEST -> onChannelBind(nowNs, tuple);
            default -> reject(tuple, StunErrorCode.BAD_REQUEST, null, false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
        }
    }

    /** RFC 8656 §4: a TURN server answers Binding requests like a STUN server, without credentials. */
    private void onBinding(TurnFiveTuple tuple) {
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, StunMessageType.BINDING_SUCCESS_RESPONSE, stun).xorMappedAddress(tuple.client());
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Long-term authentication (RFC 8489 §9.2.4) with REST passwords. Returns the verified key, or null after
     * answering: 401 with REALM and NONCE without MESSAGE-INTEGRITY, 400 with it but no USERNAME, REALM or
     * NONCE, 438 for a nonce that is stale or not ours, 401 for an unknown or expired username or a wrong HMAC.
     */
    private StunIntegrity authenticate(long nowNs, TurnFiveTuple tuple, Allocation existing) {
        if (!stun.hasMessageIntegrity()) {
            reject(tuple, StunErrorCode.UNAUTHENTICATED, null, true, nowNs, TurnDropReason.CHALLENGED);
            return null;
        }
        String nonce = stun.nonce();
        String realm = stun.realm();
        if (!stun.hasUsername() || realm == null || nonce == null) {
            reject(tuple, StunErrorCode.BAD_REQUEST, null, false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return null;
        }
        if (!nonces.isValid(nonce, tuple, nowNs)) {
            reject(tuple, StunErrorCode.STALE_NONCE, null, true, nowNs, TurnDropReason.REJECTED_STALE_NONCE);
            return null;
        }
        String username = stun.username();
        long expiry = RestCredentials.expiry(username);
        if (expiry < 0 || expiry < unixSeconds(nowNs) || !realm.equals(settings.realm())) {
            reject(tuple, StunErrorCode.UNAUTHENTICATED, null, true, nowNs, TurnDropReason.REJECTED_UNAUTHENTICATED);
            return null;
        }
        StunIntegrity integrity = existing != null && existing.username.equals(username)
                ? existing.integrity
                : StunIntegrity.longTerm(username, settings.realm(), RestCredentials.password(secret, username));
        if (!integrity.verify(stun)) {
            reject(tuple, StunErrorCode.UNAUTHENTICATED, null, true, nowNs, TurnDropReason.REJECTED_UNAUTHENTICATED);
            return null;
        }
        return integrity;
    }

    /** The allocation, or null when it is absent or expired (an expired one is deleted now). */
    private Allocation live(TurnFiveTuple tuple, long nowNs) {
        Allocation allocation = byTuple.get(tuple);
        if (allocation != null && allocation.expiresNs - nowNs <= 0) {
            byTuple.remove(tuple);
            forget(allocation);
            return null;
        }
        return allocation;
    }

    private void onAllocate(long nowNs, TurnFiveTuple tuple) {
        Allocation existing = live(tuple, nowNs);
        StunIntegrity integrity = authenticate(nowNs, tuple, existing);
        if (integrity == null) {
            return;
        }
        if (existing != null) {
            // RFC 8656 §7.2: a retransmission gets the same success again; anything else on this 5-tuple is 437.
            if (stun.transactionIdEquals(existing.transactionId) && existing.username.equals(stun.username())) {
                sendAllocateSuccess(tuple, existing, integrity, nowNs);
            } else {
                reject(tuple, StunErrorCode.ALLOCATION_MISMATCH, integrity, false, nowNs, TurnDropReason.REJECTED_ALLOCATION_MISMATCH);
            }
            return;
        }
        int protocol = stun.requestedTransport();
        if (protocol < 0) {
            reject(tuple, StunErrorCode.BAD_REQUEST, integrity, false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return;
        }
        if (protocol != PROTOCOL_UDP) {
            reject(tuple, StunErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL, integrity, false, nowNs,
                    TurnDropReason.REJECTED_UNSUPPORTED_TRANSPORT);
            return;
        }
        if (stun.dontFragment()) {
            // RFC 8656 §7.2: a server that cannot set DF answers 420 naming DONT-FRAGMENT; the client retries without.
            rejectUnknown(tuple, StunAttribute.DONT_FRAGMENT, integrity);
            return;
        }
        int requestedFamily = stun.requestedAddressFamily();
        int additionalFamily = stun.additionalAddressFamily();
        if (stun.hasReservationToken()) {
            // We keep no reservations (EVEN-PORT's R bit is not honoured), so no token is ever valid: 508.
            boolean contradictory = stun.hasEvenPort() || requestedFamily >= 0 || additionalFamily >= 0;
            reject(tuple, contradictory ? StunErrorCode.BAD_REQUEST : StunErrorCode.INSUFFICIENT_CAPACITY, integrity, false, nowNs,
                    contradictory ? TurnDropReason.REJECTED_BAD_REQUEST : TurnDropReason.REJECTED_CAPACITY);
            return;
        }
        if ((requestedFamily >= 0 && additionalFamily >= 0)
                || (additionalFamily >= 0 && additionalFamily != StunMessage.FAMILY_IPV6)) {
            reject(tuple, StunErrorCode.BAD_REQUEST, integrity, false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return;
        }
        String username = stun.username();
        String user = RestCredentials.user(username);
        if (allocationsPerUser.getOrDefault(user, 0) >= settings.maxAllocationsPerUser()) {
            reject(tuple, StunErrorCode.ALLOCATION_QUOTA_REACHED, integrity, false, nowNs, TurnDropReason.REJECTED_QUOTA);
            return;
        }
        if (byTuple.size() >= settings.maxAllocations()) {
            reject(tuple, StunErrorCode.INSUFFICIENT_CAPACITY, integrity, false, nowNs, TurnDropReason.REJECTED_CAPACITY);
            return;
        }
        int family = requestedFamily >= 0 ? requestedFamily : StunMessage.FAMILY_IPV4;
        if ((family != StunMessage.FAMILY_IPV4 && family != StunMessage.FAMILY_IPV6) || !relayPorts.supports(family)) {
            reject(tuple, StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED, integrity, false, nowNs, TurnDropReason.REJECTED_ADDRESS_FAMILY);
            return;
        }
        boolean evenPort = stun.hasEvenPort();
        InetSocketAddress primary = relayPorts.allocate(family, evenPort);
        if (primary == null) {
            reject(tuple, StunErrorCode.INSUFFICIENT_CAPACITY, integrity, false, nowNs, TurnDropReason.REJECTED_CAPACITY);
            return;
        }
        InetSocketAddress secondary = null;
        int ipv6Error = 0;
        if (additionalFamily == StunMessage.FAMILY_IPV6) {
            // RFC 8656 §7.2 dual allocation: the IPv4 half stands alone if the IPv6 half fails, with ADDRESS-ERROR-CODE.
            if (!relayPorts.supports(StunMessage.FAMILY_IPV6)) {
                ipv6Error = StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED;
            } else if ((secondary = relayPorts.allocate(StunMessage.FAMILY_IPV6, evenPort)) == null) {
                ipv6Error = StunErrorCode.INSUFFICIENT_CAPACITY;
            }
        }
        byte[] id = new byte[StunMessage.TRANSACTION_ID_LENGTH];
        stun.copyTransactionId(id, 0);
        InetSocketAddress relayV4 = family == StunMessage.FAMILY_IPV4 ? primary : null;
        InetSocketAddress relayV6 = family == StunMessage.FAMILY_IPV6 ? primary : secondary;
        long expiresNs = nowNs + grantedLifetimeSeconds(stun.lifetimeSeconds()) * NS_PER_SECOND;
        Allocation allocation = new Allocation(tuple, username, user, integrity, id, relayV4, relayV6, ipv6Error,
                new TokenBucket(settings.bandwidthBytesPerSecond(), settings.burstBytes(), nowNs), expiresNs);
        byTuple.put(tuple, allocation);
        byRelay.put(primary, allocation);
        if (secondary != null) {
            byRelay.put(secondary, allocation);
        }
        allocationsPerUser.merge(user, 1, Integer::sum);
        publishedAllocations.setRelease(byTuple.size());
        deadline(expiresNs);
        sendAllocateSuccess(tuple, allocation, integrity, nowNs);
    }

    /** RFC 8656 §7.2/§7.3: the requested lifetime capped at the maximum, and never below the default. */
    private long grantedLifetimeSeconds(long requested) {
        if (requested < 0) {
            return settings.defaultLifetimeSeconds();
        }
        return Math.max(settings.defaultLifetimeSeconds(), Math.min(requested, settings.maxLifetimeSeconds()));
    }

    private void sendAllocateSuccess(TurnFiveTuple tuple, Allocation allocation, StunIntegrity integrity, long nowNs) {
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, StunMessageType.ALLOCATE_SUCCESS_RESPONSE, stun);
            if (allocation.relayV4 != null) {
                writer.xorRelayedAddress(allocation.relayV4);
            }
            if (allocation.relayV6 != null) {
                writer.xorRelayedAddress(allocation.relayV6);
            }
            if (allocation.ipv6ErrorCode != 0) {
                writer.addressErrorCode(StunMessage.FAMILY_IPV6, allocation.ipv6ErrorCode, StunErrorCode.reason(allocation.ipv6ErrorCode));
            }
            writer.lifetime(remainingSeconds(allocation.expiresNs, nowNs))
                    .xorMappedAddress(tuple.client())
                    .messageIntegrity(integrity);
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static long remainingSeconds(long deadlineNs, long nowNs) {
        long remaining = deadlineNs - nowNs;
        return remaining <= 0 ? 0 : (remaining + NS_PER_SECOND - 1) / NS_PER_SECOND;
    }

    /** Authenticates a request on an existing allocation: the allocation, or null after answering 4xx. */
    private Allocation authenticatedAllocation(long nowNs, TurnFiveTuple tuple, StunIntegrity[] integrityOut) {
        Allocation allocation = live(tuple, nowNs);
        StunIntegrity integrity = authenticate(nowNs, tuple, allocation);
        if (integrity == null) {
            return null;
        }
        integrityOut[0] = integrity;
        if (allocation == null) {
            reject(tuple, StunErrorCode.ALLOCATION_MISMATCH, integrity, false, nowNs, TurnDropReason.REJECTED_ALLOCATION_MISMATCH);
            return null;
        }
        if (!allocation.username.equals(stun.username())) {
            reject(tuple, StunErrorCode.WRONG_CREDENTIALS, integrity, false, nowNs, TurnDropReason.REJECTED_WRONG_CREDENTIALS);
            return null;
        }
        return allocation;
    }

    private void onRefresh(long nowNs, TurnFiveTuple tuple) {
        StunIntegrity[] integrity = new StunIntegrity[1];
        Allocation allocation = authenticatedAllocation(nowNs, tuple, integrity);
        if (allocation == null) {
            return;
        }
        int family = stun.requestedAddressFamily();
        if (family >= 0 && allocation.relayFor(family) == null) {
            reject(tuple, StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, integrity[0], false, nowNs,
                    TurnDropReason.REJECTED_PEER_FAMILY_MISMATCH);
            return;
        }
        long requested = stun.lifetimeSeconds();
        long granted;
        if (requested == 0) {
            byTuple.remove(tuple);
            forget(allocation);
            granted = 0;
        } else {
            granted = grantedLifetimeSeconds(requested);
            allocation.expiresNs = nowNs + granted * NS_PER_SECOND;
            deadline(allocation.expiresNs);
        }
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, StunMessageType.REFRESH_SUCCESS_RESPONSE, stun)
                    .lifetime(granted)
                    .messageIntegrity(integrity[0]);
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void onCreatePermission(long nowNs, TurnFiveTuple tuple) {
        StunIntegrity[] integrity = new StunIntegrity[1];
        Allocation allocation = authenticatedAllocation(nowNs, tuple, integrity);
        if (allocation == null) {
            return;
        }
        if (stun.xorPeerAddressIndex() < 0) {
            reject(tuple, StunErrorCode.BAD_REQUEST, integrity[0], false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return;
        }
        // RFC 8656 §9.2: all or nothing, so every peer is checked before any permission is installed.
        List<InetAddress> peers = new ArrayList<>(2);
        List<Boolean> anyPort = new ArrayList<>(2);
        int added = 0;
        for (int i = stun.xorPeerAddressIndex(); i >= 0; i = stun.nextIndexOf(StunAttribute.XOR_PEER_ADDRESS, i + 1)) {
            if (allocation.relayFor(stun.xorAddressFamily(i)) == null) {
                reject(tuple, StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, integrity[0], false, nowNs,
                        TurnDropReason.REJECTED_PEER_FAMILY_MISMATCH);
                return;
            }
            InetAddress peer = stun.xorSocketAddress(i).getAddress();
            PeerPolicy.Scope scope = policy.scope(peer);
            if (scope == PeerPolicy.Scope.FORBIDDEN) {
                reject(tuple, StunErrorCode.FORBIDDEN, integrity[0], false, nowNs, TurnDropReason.REJECTED_FORBIDDEN);
                return;
            }
            if (allocation.anyPermission(peer) == null && !peers.contains(peer)) {
                added++;
            }
            peers.add(peer);
            anyPort.add(scope == PeerPolicy.Scope.ANY_PORT);
        }
        if (allocation.permissionCount + added > settings.maxPermissionsPerAllocation()) {
            reject(tuple, StunErrorCode.INSUFFICIENT_CAPACITY, integrity[0], false, nowNs, TurnDropReason.REJECTED_CAPACITY);
            return;
        }
        long expiresNs = nowNs + settings.permissionLifetimeSeconds() * NS_PER_SECOND;
        for (int i = 0; i < peers.size(); i++) {
            allocation.installPermission(peers.get(i), anyPort.get(i), expiresNs);
        }
        deadline(expiresNs);
        sendEmptySuccess(tuple, StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, integrity[0]);
    }

    private void onChannelBind(long nowNs, TurnFiveTuple tuple) {
        StunIntegrity[] integrity = new StunIntegrity[1];
        Allocation allocation = authenticatedAllocation(nowNs, tuple, integrity);
        if (allocation == null) {
            return;
        }
        int number = stun.channelNumber();
        int peerIndex = stun.xorPeerAddressIndex();
        // RFC 5766's 0x4000-0x7FFF, not only RFC 8656's 0x4000-0x4FFF: RFC 5766 clients must work (issue 10), and
        // on the TURN port nothing else shares the first byte (RFC 7983's DTLS and SRTP ranges are elsewhere).
        if (peerIndex < 0 || !ChannelData.isRfc5766Channel(number)) {
            reject(tuple, StunErrorCode.BAD_REQUEST, integrity[0], false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return;
        }
        InetSocketAddress relay = allocation.relayFor(stun.xorAddressFamily(peerIndex));
        if (relay == null) {
            reject(tuple, StunErrorCode.PEER_ADDRESS_FAMILY_MISMATCH, integrity[0], false, nowNs,
                    TurnDropReason.REJECTED_PEER_FAMILY_MISMATCH);
            return;
        }
        InetSocketAddress peer = stun.xorSocketAddress(peerIndex);
        PeerPolicy.Scope scope = policy.scope(peer.getAddress());
        if (scope == PeerPolicy.Scope.FORBIDDEN || (scope == PeerPolicy.Scope.MEDIA_PORTS && !policy.isLocal(peer))) {
            reject(tuple, StunErrorCode.FORBIDDEN, integrity[0], false, nowNs, TurnDropReason.REJECTED_FORBIDDEN);
            return;
        }
        // RFC 8656 §11.2: a number bound to another peer, or a peer bound to another number, is 400 (also while
        // an expired binding is still reserved).
        Allocation.Channel byNumber = allocation.channel(number);
        Allocation.Channel byPeer = allocation.channel(peer);
        if ((byNumber != null && !byNumber.peer.equals(peer)) || (byPeer != null && byPeer.number != number)) {
            reject(tuple, StunErrorCode.BAD_REQUEST, integrity[0], false, nowNs, TurnDropReason.REJECTED_BAD_REQUEST);
            return;
        }
        if ((byNumber == null && allocation.channelCount >= settings.maxChannelsPerAllocation())
                || (allocation.anyPermission(peer.getAddress()) == null
                    && allocation.permissionCount >= settings.maxPermissionsPerAllocation())) {
            reject(tuple, StunErrorCode.INSUFFICIENT_CAPACITY, integrity[0], false, nowNs, TurnDropReason.REJECTED_CAPACITY);
            return;
        }
        long channelExpiresNs = nowNs + settings.channelLifetimeSeconds() * NS_PER_SECOND;
        if (byNumber == null) {
            allocation.addChannel(new Allocation.Channel(number, peer, relay, channelExpiresNs));
        } else {
            byNumber.expiresNs = channelExpiresNs;
            byNumber.cooling = false;
        }
        // RFC 8656 §11.2: binding a channel installs or refreshes the permission for the peer's IP too.
        long permissionExpiresNs = nowNs + settings.permissionLifetimeSeconds() * NS_PER_SECOND;
        allocation.installPermission(peer.getAddress(), scope == PeerPolicy.Scope.ANY_PORT, permissionExpiresNs);
        deadline(Allocation.earlier(channelExpiresNs, permissionExpiresNs));
        sendEmptySuccess(tuple, StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, integrity[0]);
    }

    private void sendEmptySuccess(TurnFiveTuple tuple, int type, StunIntegrity integrity) {
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, type, stun).messageIntegrity(integrity);
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    // ---- data from the client ----

    /** RFC 8656 §10.2: Send indications are not authenticated; anything wrong is dropped silently. */
    private void onSend(long nowNs, TurnFiveTuple tuple) {
        Allocation allocation = byTuple.get(tuple);
        if (allocation == null || allocation.expiresNs - nowNs <= 0) {
            drop(TurnDropReason.NO_ALLOCATION);
            return;
        }
        int peerIndex = stun.xorPeerAddressIndex();
        if (peerIndex < 0 || !stun.hasData() || stun.dontFragment() || stun.unknownComprehensionRequiredCount() > 0) {
            drop(TurnDropReason.BAD_SEND_INDICATION);
            return;
        }
        int family = stun.xorAddressFamily(peerIndex);
        InetSocketAddress relay = allocation.relayFor(family);
        if (relay == null) {
            drop(TurnDropReason.PEER_FAMILY_MISMATCH);
            return;
        }
        int addressLength = stun.xorAddress(peerIndex, addressScratch, 0);
        Allocation.Permission permission = allocation.permission(addressScratch, addressLength, nowNs);
        if (permission == null) {
            drop(TurnDropReason.NO_PERMISSION);
            return;
        }
        InetSocketAddress peer = permission.peer(stun.xorAddressPort(peerIndex));
        relayToPeer(allocation, relay, peer, permission.anyPort, stun.buffer(), stun.dataOffset(), stun.dataLength(), nowNs);
    }

    private void onChannelData(long nowNs, TurnFiveTuple tuple, ByteBuf packet, int offset, int length) {
        if (channelData.wrap(packet, offset, length, tuple.transport().isStream(), true) != ChannelData.ParseResult.OK) {
            drop(TurnDropReason.MALFORMED_CHANNEL_DATA);
            return;
        }
        Allocation allocation = byTuple.get(tuple);
        if (allocation == null || allocation.expiresNs - nowNs <= 0) {
            drop(TurnDropReason.NO_ALLOCATION);
            return;
        }
        Allocation.Channel channel = allocation.channel(channelData.channel());
        if (channel == null || !channel.isActive(nowNs)) {
            drop(TurnDropReason.NO_CHANNEL);
            return;
        }
        Allocation.Permission permission = allocation.permission(channel.peer.getAddress(), nowNs);
        if (permission == null) {
            drop(TurnDropReason.NO_PERMISSION);
            return;
        }
        relayToPeer(allocation, channel.relay, channel.peer, permission.anyPort, packet, channelData.dataOffset(),
                channelData.dataLength(), nowNs);
    }

    /**
     * Sends {@code length} bytes at {@code index} of the client's packet to {@code peer}: in process when the
     * peer is one of our media sockets (the short-circuit), else through the kernel if the peer's range allows
     * any port. The payload is a retained slice; the sink owns it.
     */
    private void relayToPeer(Allocation allocation, InetSocketAddress relay, InetSocketAddress peer, boolean anyPort,
                             ByteBuf packet, int index, int length, long nowNs) {
        boolean local = policy.isLocal(peer);
        if (!local && !anyPort) {
            drop(TurnDropReason.FORBIDDEN_PEER);
            return;
        }
        if (!allocation.bandwidth.tryConsume(length, nowNs)) {
            drop(TurnDropReason.BANDWIDTH_EXCEEDED);
            return;
        }
        ByteBuf payload = packet.retainedSlice(index, length);
        if (local) {
            count(RELAYED_LOCALLY);
            sink.deliverLocally(relay, peer, payload);
        } else {
            count(RELAYED_TO_PEER);
            sink.sendToPeer(relay, peer, payload);
        }
    }

    // ---- responses ----

    /** Answers the wrapped request with an error; {@code integrity} signs it when the request was authenticated. */
    private void reject(TurnFiveTuple tuple, int code, StunIntegrity integrity, boolean realmAndNonce, long nowNs, TurnDropReason reason) {
        drop(reason);
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, StunMessageType.errorResponseOf(stun.messageType()), stun).errorCode(code);
            if (code == StunErrorCode.UNKNOWN_ATTRIBUTE) {
                writer.unknownAttributes(stun);
            }
            if (realmAndNonce) {
                writer.realm(settings.realm()).nonce(nonces.issue(tuple, nowNs));
            }
            if (integrity != null) {
                writer.messageIntegrity(integrity);
            }
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private void rejectUnknown(TurnFiveTuple tuple, int attribute, StunIntegrity integrity) {
        drop(TurnDropReason.REJECTED_UNKNOWN_ATTRIBUTE);
        ByteBuf out = allocator.buffer(RESPONSE_CAPACITY);
        try {
            writer.beginResponse(out, StunMessageType.errorResponseOf(stun.messageType()), stun)
                    .errorCode(StunErrorCode.UNKNOWN_ATTRIBUTE)
                    .unknownAttributes(new int[] {attribute}, 1)
                    .messageIntegrity(integrity);
            finishAndSend(tuple, out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Adds FINGERPRINT when the request had one (RFC 8489 §7.3: answer in kind), finishes and hands over. */
    private void finishAndSend(TurnFiveTuple tuple, ByteBuf out) {
        if (stun.hasFingerprint()) {
            writer.fingerprint();
        }
        writer.finish();
        int type = out.getUnsignedShort(out.readerIndex());
        int answer = 2 * TurnMethod.of(type).ordinal()
                + (StunMessageType.messageClass(type) == StunMessageType.CLASS_ERROR_RESPONSE ? 1 : 0);
        answers.setRelease(answer, answers.getPlain(answer) + 1);
        sink.sendToClient(tuple, out);
    }

    // ---- bookkeeping ----

    /** Removes an allocation (already out of {@code byTuple}) from the other indexes and releases its relay ports. */
    private void forget(Allocation allocation) {
        for (InetSocketAddress relay : new InetSocketAddress[] {allocation.relayV4, allocation.relayV6}) {
            if (relay != null && byRelay.remove(relay, allocation)) {
                relayPorts.release(relay);
            }
        }
        allocationsPerUser.computeIfPresent(allocation.user, (user, n) -> n <= 1 ? null : n - 1);
        publishedAllocations.setRelease(byTuple.size());
    }

    private void deadline(long deadlineNs) {
        if (!hasDeadline || deadlineNs - earliestDeadlineNs < 0) {
            earliestDeadlineNs = deadlineNs;
            hasDeadline = true;
        }
    }

    private void drop(TurnDropReason reason) {
        int i = reason.ordinal();
        drops.setRelease(i, drops.getPlain(i) + 1);
    }

    private void count(int counter) {
        relayed.setRelease(counter, relayed.getPlain(counter) + 1);
    }

    // ---- state, for the I/O layer, /metrics and tests ----

    /** How many packets or requests were discarded or refused for {@code reason}; any thread. */
    public long drops(TurnDropReason reason) {
        return drops.getAcquire(reason.ordinal());
    }

    /** Requests of {@code method} answered with success ({@code error} false) or an error response; any thread. */
    public long answers(TurnMethod method, boolean error) {
        return answers.getAcquire(2 * method.ordinal() + (error ? 1 : 0));
    }

    /** Whether the 5-tuple has a live allocation now; on the core's thread, allocation-free. */
    public boolean hasAllocation(TurnFiveTuple tuple, long nowNs) {
        Allocation allocation = byTuple.get(tuple);
        return allocation != null && allocation.expiresNs - nowNs > 0;
    }

    /** Datagrams relayed to peers through the kernel; any thread. */
    public long relayedToPeers() {
        return relayed.getAcquire(RELAYED_TO_PEER);
    }

    /** Datagrams handed in process to our own media sockets; any thread. */
    public long relayedLocally() {
        return relayed.getAcquire(RELAYED_LOCALLY);
    }

    /** Data indications and ChannelData messages sent to clients; any thread. */
    public long relayedToClients() {
        return relayed.getAcquire(RELAYED_TO_CLIENT);
    }

    /** Allocations, as last published by the core's thread; any thread (for /metrics). */
    public int publishedAllocationCount() {
        return publishedAllocations.getAcquire();
    }

    /** Live (not yet swept) allocations; on the core's thread. */
    public int allocationCount() {
        return byTuple.size();
    }

    /** The relayed addresses of the allocation on {@code tuple} (one, or two for a dual allocation), or an empty list. */
    public List<InetSocketAddress> relayedAddresses(TurnFiveTuple tuple) {
        Allocation allocation = byTuple.get(tuple);
        if (allocation == null) {
            return List.of();
        }
        List<InetSocketAddress> relays = new ArrayList<>(2);
        if (allocation.relayV4 != null) relays.add(allocation.relayV4);
        if (allocation.relayV6 != null) relays.add(allocation.relayV6);
        return relays;
    }

    /** The 5-tuple of the allocation that owns {@code relayAddress}, or null (for the I/O layer's routing). */
    public TurnFiveTuple ownerOf(InetSocketAddress relayAddress) {
        Allocation allocation = byRelay.get(relayAddress);
        return allocation == null ? null : allocation.tuple;
    }

    /** Whether {@code relayAddress} has a live permission for {@code peerIp} at {@code nowNs}. */
    public boolean hasPermission(InetSocketAddress relayAddress, InetAddress peerIp, long nowNs) {
        Allocation allocation = byRelay.get(relayAddress);
        return allocation != null && allocation.permission(peerIp, nowNs) != null;
    }

    /** Whether channel {@code number} of the allocation on {@code tuple} is bound and active at {@code nowNs}. */
    public boolean hasActiveChannel(TurnFiveTuple tuple, int number, long nowNs) {
        Allocation allocation = byTuple.get(tuple);
        Allocation.Channel channel = allocation == null ? null : allocation.channel(number);
        return channel != null && channel.isActive(nowNs);
    }
}
