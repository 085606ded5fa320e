package dev.junction.transport;

import dev.junction.codec.demux.PacketClassifier;
import dev.junction.codec.demux.PacketKind;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.transport.path.Path;
import dev.junction.transport.path.PathOwner;
import dev.junction.transport.path.PathTable;
import dev.junction.transport.path.RelayPath;
import dev.junction.transport.path.TcpPath;
import dev.junction.transport.socket.DatagramReceiver;
import dev.junction.transport.socket.FrameReceiver;
import dev.junction.transport.socket.IceTcpConnection;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.socket.RelayedReceiver;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The receiver of a loop's media sockets: classifies each datagram by its first byte (RFC 7983), finds the
 * {@link Path} it arrived on in the {@link PathTable} (the 5-tuple boundary), and hands both to the path's owner
 * (a {@link WebRtcTransport}). Anything that belongs to no session is dropped and counted by {@link DropReason}
 * before any crypto runs.
 *
 * <p>STUN is routed by what it says, not only by where it came from (RFC 8445 §7.2.2): a Binding request whose
 * USERNAME names the bound session's credentials goes to that session at once (a consent check, one byte
 * compare); any other request with a USERNAME goes to the session whose local ufrag it names, over a fresh
 * candidate path, so a new session's checks from an address an abandoned session still holds reach the new
 * session (which then takes the address over) instead of being refused by the old one. Other STUN goes to the
 * address's owner.
 *
 * <p>STUN that arrives on no path already authorized for its session (a first check, or a forged one) is admitted
 * against the {@link StunRateLimiter}'s budgets before the session verifies its integrity; past them it is
 * dropped unanswered. Consent checks on an authorized path skip the budgets.
 *
 * <p>ICE-TCP connections (RFC 6544) deliver their frames here too: a connection is its own path, a candidate
 * until an authenticated check over it binds it to the session the check names, and it never changes session.
 *
 * <p>Datagrams relayed in process by the embedded TURN server ({@link RelayPath}, issue 10) arrive the same way:
 * the path stands for the allocation, a candidate until an authenticated check over it binds it.
 *
 * <p>Threading: owned by its loop (single writer). Sessions are added and removed only there; the control plane
 * gets there through the loop. The drop counters may be read from any thread. Buffers: datagrams are borrowed
 * from the socket, which releases them.
 */
public final class MediaDemux implements DatagramReceiver, FrameReceiver, RelayedReceiver {

    private static final DropReason[] REASONS = DropReason.values();

    /** A session reachable by its local ufrag, with its budget for unvouched STUN. */
    private record Registration(PathOwner owner, StunRateLimiter.Bucket budget) {
    }

    // Allocated by this.
    private final PathTable paths = new PathTable();
    private final Map<UfragKey, Registration> byLocalUfrag = new HashMap<>();
    private final UfragKey probe = UfragKey.probe();
    private final StunMessage stun = new StunMessage();
    private final StunRateLimiter limiter;
    private final AtomicLongArray drops = new AtomicLongArray(REASONS.length);
    private final AtomicInteger publishedUfrags = new AtomicInteger();
    /** Where its ufrags are published for a shared port, and as which loop; null when nobody asks. */
    private UfragRoutes routes;
    private int loopIndex;

    public MediaDemux() {
        this(StunRateLimiter.Limits.DEFAULT);
    }

    /** A demux with other budgets for STUN that no authorized path vouches for (tests, load tools). */
    public MediaDemux(StunRateLimiter.Limits stunLimits) {
        this.limiter = new StunRateLimiter(stunLimits);
    }

    @Override
    public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        dispatch(paths.find(socket, sender), socket, sender, content, nowNs);
    }

    /** An ICE-TCP frame: the connection is the path, bound to a session or still a candidate (RFC 6544). */
    @Override
    public void onFrame(IceTcpConnection connection, ByteBuf frame, long nowNs) {
        TcpPath path = connection.path();
        dispatch(path, null, path.remoteAddress(), frame, nowNs);
    }

    /** The connection's path leaves its session, which is told. */
    @Override
    public void onClosed(IceTcpConnection connection) {
        paths.closed(connection.path());
    }

    /**
     * A datagram through a TURN relay: one a TURN client relayed to this loop's media socket, handed over in process
     * ({@link RelayPath}), or, in the client role, one a peer sent to our allocation ({@code TurnPath}).
     */
    @Override
    public void onRelayed(Path path, ByteBuf datagram, long nowNs) {
        dispatch(path, null, path.remoteAddress(), datagram, nowNs);
    }

    /** The allocation is gone: its path leaves its session, which is told. */
    @Override
    public void onRelayClosed(Path path) {
        paths.closed(path);
    }

    /**
     * One packet from {@code sender}: over UDP {@code socket} ({@code found} is its bound path or null), or over a
     * TCP connection ({@code socket} null, {@code found} the connection's path, bound or not).
     */
    private void dispatch(Path found, MediaSocket socket, InetSocketAddress sender, ByteBuf content, long nowNs) {
        int offset = content.readerIndex();
        int length = content.readableBytes();
        PacketKind kind = PacketClassifier.classify(content, offset, length);
        switch (kind) {
            case STUN -> onStun(found, socket, content, offset, length, sender, nowNs);
            case DTLS -> {
                if (found == null || !found.isAuthorized()) drop(DropReason.DTLS_UNBOUND);
                else count(found.owner().handleDtls(found, content));
            }
            case RTP, RTCP -> {
                if (found == null || !found.isAuthorized()) drop(DropReason.SRTP_UNBOUND);
                else count(found.owner().handleSrtp(found, content, kind == PacketKind.RTCP, nowNs));
            }
            default -> drop(DropReason.NOT_WEBRTC);
        }
    }

    private void onStun(Path found, MediaSocket socket, ByteBuf content, int offset, int length, InetSocketAddress sender, long nowNs) {
        if (stun.wrap(content, offset, length) != StunParseResult.OK) {
            drop(DropReason.MALFORMED_STUN);
            return;
        }
        Path path = found;
        PathOwner owner = path == null ? null : path.owner();
        Registration named = null;
        if (stun.isBindingRequest() && stun.hasUsername() && (owner == null || !owner.acceptsUsername(stun))) {
            // The ufrag before ':' names the session (RFC 8445 §7.2.2); an unknown one falls back to the address's.
            named = registration();
            if (named != null) owner = named.owner();
        }
        if (owner == null) {
            drop(stun.isBindingRequest() ? DropReason.STUN_NO_SESSION : DropReason.STUN_UNEXPECTED);
            return;
        }
        if (path == null || path.owner() != owner || !path.isAuthorized()) {
            // No authorized path vouches for it: it spends the budgets before the owner's HMAC runs (issue 12).
            if (named == null && stun.hasUsername()) named = registration();
            DropReason limited = limiter.admit(named != null && named.owner() == owner ? named.budget() : null,
                    sender.getAddress(), nowNs);
            if (limited != null) {
                drop(limited);
                return;
            }
            if (path == null || path.owner() != owner) {
                if (socket != null) {
                    path = paths.candidate(socket, sender);
                } else if (path.owner() != null) {
                    // A TCP connection (or a TURN allocation's path) carries one session's checks: it is not taken
                    // over as an address is.
                    drop(DropReason.STUN_UNEXPECTED);
                    return;
                }
            }
        }
        count(owner.handleStun(stun, path, nowNs));
    }

    /** The session the wrapped message's USERNAME names, looked up in place, or null. */
    private Registration registration() {
        int length = stun.usernameLocalPartLength();
        if (length < 0) return null;
        Registration found = byLocalUfrag.get(probe.point(stun.buffer(), stun.usernameOffset(), length));
        probe.clear();
        return found;
    }

    /** The 5-tuple boundary: which path, and which session, each remote address belongs to. */
    public PathTable paths() {
        return paths;
    }

    /** How many datagrams were dropped for {@code reason}. */
    public long drops(DropReason reason) {
        return drops.getAcquire(reason.ordinal());
    }

    /** Sessions currently registered by ufrag (for tests); on the loop. */
    public int sessionCount() {
        return byLocalUfrag.size();
    }

    /** Addresses currently bound to a session; on the loop. */
    public int boundAddressCount() {
        return paths.size();
    }

    /** ICE ufrags registered, as last published; any thread (for /metrics). */
    public int publishedUfragCount() {
        return publishedUfrags.getAcquire();
    }

    /** Addresses bound to a session, as last published; any thread (for /metrics). */
    public int publishedBoundAddressCount() {
        return paths.publishedSize();
    }

    /**
     * From now on, publishes every ufrag registered here to {@code routes} as served by loop {@code loopIndex} (the
     * one public port finds a connection's loop there). Call before the first session registers, off the loop.
     */
    public void routeUfragsTo(UfragRoutes routes, int loopIndex) {
        this.routes = routes;
        this.loopIndex = loopIndex;
    }

    /** Routes checks whose USERNAME starts with {@code localUfrag} to {@code owner}. */
    void addUfrag(String localUfrag, PathOwner owner) {
        Registration previous = byLocalUfrag.putIfAbsent(UfragKey.of(localUfrag), new Registration(owner, new StunRateLimiter.Bucket()));
        if (previous != null && previous.owner() != owner) throw new IllegalStateException("ice-ufrag already in use: " + localUfrag);
        publishedUfrags.setRelease(byLocalUfrag.size());
        if (routes != null) routes.add(localUfrag, loopIndex);
    }

    void removeUfrag(String localUfrag, PathOwner owner) {
        UfragKey key = UfragKey.of(localUfrag);
        Registration registered = byLocalUfrag.get(key);
        if (registered != null && registered.owner() == owner) {
            byLocalUfrag.remove(key);
            publishedUfrags.setRelease(byLocalUfrag.size());
            if (routes != null) routes.remove(localUfrag, loopIndex);
        }
    }

    /** Counts a drop the owner reported (null: it took the datagram). */
    private void count(DropReason reason) {
        if (reason != null) drop(reason);
    }

    private void drop(DropReason reason) {
        int i = reason.ordinal();
        drops.setRelease(i, drops.getPlain(i) + 1);
    }
}
