package dev.junction.transport.path;

import dev.junction.transport.socket.MediaSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 5-tuple boundary of one demux (DESIGN §3.5), in one place: which path, and so which session, each
 * remote address belongs to. A session's paths are its {@link PathSet}; the table and the sets never disagree,
 * because only this class writes either.
 *
 * <ul>
 *   <li>A path is bound by {@link PathSet#authorize} after an authenticated STUN check over it, or
 *       {@linkplain PathSet#register registered} unauthorized (the client role's candidates from an answer it
 *       trusts, so that the server's responses find their session). DTLS and SRTP reach the owner of an
 *       authorized path only.</li>
 *   <li>One address, one owner: an authenticated check for another session from a bound address takes the
 *       address over (RFC 8445 lets the latest nomination win) and the previous owner is told
 *       ({@link PathOwner#onPathRevoked}). A browser that reloads, or a NAT that reuses a port, reaches its new
 *       session at once instead of waiting for the abandoned one's consent to expire.</li>
 *   <li>Bounded: at most {@link #MAX_PATHS_PER_OWNER} paths per session; beyond that its oldest path other than
 *       the one it sends on is unbound (and its owner told), so one peer cannot grow the table.</li>
 * </ul>
 *
 * <p>Threading: the demux's loop only (single writer, no locks).
 */
public final class PathTable {

    /** Paths per session: IPv4 + IPv6, a NAT rebinding or two, and the client role's candidates. */
    public static final int MAX_PATHS_PER_OWNER = 8;

    private final Map<InetSocketAddress, UdpPath> udp = new HashMap<>();
    /** Bound paths that are connections (ICE-TCP), not addresses. */
    private int streamPaths;
    /** {@link #size()} for other threads, published with a release store on every change. */
    private final AtomicInteger publishedSize = new AtomicInteger();

    /** The path bound to {@code remote} on {@code socket}, authorized or registered, or null. */
    public UdpPath find(MediaSocket socket, InetSocketAddress remote) {
        UdpPath path = udp.get(remote);
        return path != null && path.socket() == socket ? path : null;
    }

    /** A fresh, unbound path from {@code socket} to {@code remote}, for a check that may authorize it. */
    public UdpPath candidate(MediaSocket socket, InetSocketAddress remote) {
        return new UdpPath(socket, remote);
    }

    /** A new, empty set of paths for {@code owner}. */
    public PathSet newSet(PathOwner owner) {
        return new PathSet(owner);
    }

    /** Addresses bound to any session, as last published; any thread (for /metrics). */
    public int publishedSize() {
        return publishedSize.getAcquire();
    }

    /** Paths bound to any session, UDP addresses and TCP connections (for tests and diagnostics); on the loop. */
    public int size() {
        return udp.size() + streamPaths;
    }

    private void put(Path path) {
        if (!(path instanceof UdpPath u)) {
            // A connection-backed path (ICE-TCP) is its own 5-tuple: nothing to look up by address, no takeover.
            streamPaths++;
            publishedSize.setRelease(udp.size() + streamPaths);
            return;
        }
        UdpPath previous = udp.put(u.remoteAddress(), u);
        publishedSize.setRelease(udp.size() + streamPaths);
        if (previous != null && previous != u) {
            PathSet old = previous.set;
            if (old != null) old.forget(previous);
            if (previous.owner != null) {
                PathOwner revoked = previous.owner;
                unlink(previous);
                revoked.onPathRevoked(previous);
            }
        }
    }

    private void remove(Path path) {
        if (path instanceof UdpPath u) {
            if (udp.remove(u.remoteAddress(), u)) publishedSize.setRelease(udp.size() + streamPaths);
        } else if (path.set != null) {
            streamPaths--;
            publishedSize.setRelease(udp.size() + streamPaths);
        }
    }

    /**
     * {@code path}'s connection closed: it leaves its session, which is told ({@link PathOwner#onPathRevoked}).
     * Nothing happens for a path bound to no session.
     */
    public void closed(Path path) {
        PathSet set = path.set;
        if (set == null) return;
        PathOwner owner = path.owner;
        set.forget(path);
        remove(path);
        unlink(path);
        owner.onPathRevoked(path);
    }

    private static void unlink(Path path) {
        path.owner = null;
        path.set = null;
        path.authorized = false;
        path.onUnbound();
    }

    /**
     * The paths of one session, bounded. Created with {@link #newSet}; {@link #releaseAll} when the session ends.
     * Threading as the table.
     */
    public final class PathSet {
        private final PathOwner owner;
        private final List<Path> paths = new ArrayList<>(2);

        private PathSet(PathOwner owner) {
            this.owner = Objects.requireNonNull(owner, "owner");
        }

        /**
         * Binds {@code path} to this set's owner as authorized: DTLS and SRTP from it now reach the owner. Called
         * after an authenticated check over it (or an authenticated answer to ours). {@code keep} (the path the
         * owner sends on, may be null) is never evicted to make room.
         */
        public void authorize(Path path, Path keep) {
            bind(path, keep);
            path.authorized = true;
        }

        /** Binds {@code path} unauthorized: STUN from it reaches the owner, DTLS and SRTP do not. */
        public void register(Path path) {
            bind(path, null);
        }

        private void bind(Path path, Path keep) {
            if (path.set == this) return;
            if (path.set != null) throw new IllegalStateException(path + " is bound to another session");
            if (paths.size() == MAX_PATHS_PER_OWNER) evictOldest(keep, path);
            path.owner = owner;
            path.set = this;
            paths.add(path);
            put(path);
        }

        private void evictOldest(Path keep, Path incoming) {
            for (int i = 0; i < paths.size(); i++) {
                Path p = paths.get(i);
                if (p == keep || p == incoming) continue;
                paths.remove(i);
                remove(p);
                unlink(p);
                owner.onPathRevoked(p);
                return;
            }
        }

        private void forget(Path path) {
            paths.remove(path);
        }

        /** Whether {@code path} is one of this owner's bound paths. */
        public boolean contains(Path path) {
            return path.set == this;
        }

        /** Paths bound to this owner now. */
        public int size() {
            return paths.size();
        }

        /** Unbinds every path of this owner (the session ended); the owner is not told. */
        public void releaseAll() {
            for (Path p : paths) {
                remove(p);
                unlink(p);
            }
            paths.clear();
        }
    }
}
