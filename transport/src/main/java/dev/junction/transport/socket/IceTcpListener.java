package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A media loop's ICE-TCP listener (RFC 6544 passive candidates): accepts TCP connections on the loop's own event
 * loop and gives each an {@link IceTcpConnection} that frames into the loop's demux. Opened with
 * {@link MediaPlane#listenTcp}; or, without a port of its own ({@link MediaPlane#adoptingTcp}), it
 * {@linkplain #adopt adopts} connections another listener accepted and classified (the one public port, issue 10),
 * with the same limits and counters.
 *
 * <p><b>Bounded before anyone is authenticated.</b> A connection is unauthenticated until an authenticated STUN
 * check arrives over it (its path is authorized). At most {@link Limits#maxUnauthenticatedPerSource()} such
 * connections per source address and {@link Limits#maxUnauthenticated()} in all are kept; more are closed as
 * they arrive, and one still unauthenticated after {@link Limits#authTimeoutMs()} is closed. Each refusal is
 * counted.
 *
 * <p>Threading: accepting, the tables and the connections live on the loop; {@link #counter} and
 * {@link #openConnections()} may be read from any thread.
 */
public final class IceTcpListener {

    /**
     * @param maxUnauthenticatedPerSource connections without an authenticated check, per source IP
     * @param maxUnauthenticated          the same, in all
     * @param authTimeoutMs               how long a connection may stay without an authenticated check
     * @param writeHighWaterBytes         queued bytes past which media to a connection is dropped (see
     *                                    {@link IceTcpConnection})
     */
    public record Limits(int maxUnauthenticatedPerSource, int maxUnauthenticated, long authTimeoutMs, int writeHighWaterBytes) {
        /**
         * 64 per source (the users of one NAT join at once, each unauthenticated for a round trip), 1,024 in all,
         * 5 s to authenticate, 1 MiB queued.
         */
        public static final Limits DEFAULT = new Limits(64, 1024, 5_000, 1 << 20);

        public Limits {
            if (maxUnauthenticatedPerSource < 1 || maxUnauthenticated < 1 || authTimeoutMs < 1 || writeHighWaterBytes < 1024) {
                throw new IllegalArgumentException("ICE-TCP limits must be positive (high water at least 1024): " + this);
            }
        }
    }

    /** Counter indexes for {@link #counter(int)}. */
    public static final int ACCEPTED = 0;
    public static final int REFUSED_SOURCE_LIMIT = 1;
    public static final int REFUSED_TOTAL_LIMIT = 2;
    public static final int AUTH_TIMEOUTS = 3;
    public static final int FRAMES_IN = 4;
    public static final int FRAMES_OUT = 5;
    /** Packets not sent: the peer read too slowly (back-pressure), or the connection was closed. */
    public static final int SEND_DROPPED = 6;
    public static final int RECEIVER_ERRORS = 7;
    public static final int CONNECTION_ERRORS = 8;
    /** Payload bytes of the frames in and out (the RFC 4571 length prefix excluded, as for UDP datagrams). */
    public static final int BYTES_IN = 9;
    public static final int BYTES_OUT = 10;
    private static final int COUNTERS = 11;

    private final MediaLoop loop;
    private final FrameReceiver receiver;
    private final Limits limits;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    // On the loop.
    private final Map<InetAddress, Integer> unauthenticatedBySource = new HashMap<>();
    /** Unauthenticated connections and their source address. */
    private final Map<IceTcpConnection, InetAddress> unauthenticated = new HashMap<>();
    private final Set<IceTcpConnection> open = new HashSet<>();
    private volatile int openCount;
    private Channel serverChannel;

    IceTcpListener(MediaLoop loop, FrameReceiver receiver, Limits limits) {
        this.loop = loop;
        this.receiver = receiver;
        this.limits = limits;
    }

    void bind(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /** The address it listens on; null for a listener that only adopts. */
    public InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    public MediaLoop loop() {
        return loop;
    }

    public Limits limits() {
        return limits;
    }

    /** Any thread; values may lag by a packet. */
    public long counter(int which) {
        return counters.getAcquire(which);
    }

    /** Connections open now, authenticated or not; any thread. */
    public int openConnections() {
        return openCount;
    }

    /** Stops accepting and closes every connection; any thread. */
    public Future<?> close() {
        Future<?> closing = serverChannel == null ? loop.eventLoop().newSucceededFuture(null) : serverChannel.close();
        loop.execute(() -> {
            for (IceTcpConnection c : Set.copyOf(open)) c.close();
        });
        return closing;
    }

    /**
     * Takes over {@code child}, a connection accepted elsewhere and already registered on this listener's loop,
     * whose first bytes, {@code preamble}, were read while it was classified: it gets the same limits, timeout and
     * handler as one accepted here, then sees {@code preamble} as its first read. On the loop; takes ownership of
     * {@code preamble}. False, having closed the connection and released the bytes, when it is over a limit.
     */
    public boolean adopt(Channel child, ByteBuf preamble) {
        assert loop.inLoop() : "IceTcpListener.adopt off its loop";
        IceTcpConnection connection = accept(child);
        if (connection == null) {
            preamble.release();
            child.close();
            return false;
        }
        child.pipeline().addLast(connection);
        child.pipeline().fireChannelRead(preamble);
        child.pipeline().fireChannelReadComplete();
        return true;
    }

    /** On the loop, the counters' single writer (frames are counted per packet): a release store, no atomic add. */
    void count(int which) {
        counters.setRelease(which, counters.getPlain(which) + 1);
    }

    /** One frame of {@code bytes} in or out ({@link #FRAMES_IN} and {@link #BYTES_IN}, or the OUT pair); on the loop. */
    void countFrame(int frames, int bytesCounter, int bytes) {
        counters.setRelease(frames, counters.getPlain(frames) + 1);
        counters.setRelease(bytesCounter, counters.getPlain(bytesCounter) + bytes);
    }

    /**
     * A new connection on the loop: its handler, or null when it is over a limit (the caller closes it).
     */
    IceTcpConnection accept(Channel child) {
        InetAddress source = ((InetSocketAddress) child.remoteAddress()).getAddress();
        if (unauthenticated.size() >= limits.maxUnauthenticated()) {
            count(REFUSED_TOTAL_LIMIT);
            return null;
        }
        int fromSource = unauthenticatedBySource.getOrDefault(source, 0);
        if (fromSource >= limits.maxUnauthenticatedPerSource()) {
            count(REFUSED_SOURCE_LIMIT);
            return null;
        }
        count(ACCEPTED);
        IceTcpConnection connection = new IceTcpConnection(loop, receiver, this);
        unauthenticatedBySource.put(source, fromSource + 1);
        unauthenticated.put(connection, source);
        open.add(connection);
        openCount = open.size();
        ScheduledFuture<?> unused = child.eventLoop().schedule(() -> {
            if (unauthenticated.containsKey(connection)) {
                count(AUTH_TIMEOUTS);
                child.close();
            }
        }, limits.authTimeoutMs(), TimeUnit.MILLISECONDS);
        return connection;
    }

    /** An authenticated check came over {@code connection}: it no longer counts against the limits. */
    void onAuthenticated(IceTcpConnection connection) {
        forgetUnauthenticated(connection);
    }

    void onClosed(IceTcpConnection connection) {
        forgetUnauthenticated(connection);
        open.remove(connection);
        openCount = open.size();
    }

    private void forgetUnauthenticated(IceTcpConnection connection) {
        InetAddress source = unauthenticated.remove(connection);
        if (source == null) return;
        unauthenticatedBySource.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
    }
}
