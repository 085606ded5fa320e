package dev.junction.transport.socket;

import dev.junction.transport.UfragRoutes;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One-port mode (issue 10): one TCP listener that serves everything a browser behind a firewall that lets only
 * this port through needs. Each connection's first bytes ({@link PreambleClassifier}) decide where it goes:
 * <ul>
 *   <li>a TLS ClientHello whose server name is the configured TURN name, or that offers ALPN {@code stun.turn}
 *       (RFC 7443), or (by default, with TURN on) that offers no ALPN at all: TURN over TLS, terminated here and
 *       handed to the {@link EmbeddedTurnServer} as its TLS port would;</li>
 *   <li>any other ClientHello: HTTPS, spliced to the HTTPS backend (the HTTP API's TLS listener on loopback);</li>
 *   <li>a plain HTTP request line: spliced to the plain backend (which redirects to HTTPS);</li>
 *   <li>a STUN message or ChannelData with no framing: TURN over TCP;</li>
 *   <li>an RFC 4571 frame of STUN: ICE-TCP, moved to the media loop of the session its USERNAME names
 *       ({@link UfragRoutes}) and adopted by that loop's {@link IceTcpListener};</li>
 *   <li>anything else: closed.</li>
 * </ul>
 * Splices start with a PROXY protocol v1 header, so the backend sees the client's own address (its per-source
 * limits and logs need it).
 *
 * <p><b>Bounded before classification.</b> At most {@link Limits#maxUnclassifiedPerSource} connections per
 * source address and {@link Limits#maxUnclassified} in all may wait to be classified; each must decide within
 * {@link Limits#preambleTimeoutMs} and {@link Limits#maxPreambleBytes}. Every connection is counted once, by the
 * protocol it was given to ({@link #connections}) or by why it was closed ({@link #refusals}).
 *
 * <p>Threading: listens on media loop 0 (TURN's loop, so TURN connections never move); classification and
 * splices live there; ICE-TCP connections move to their session's loop. Counters may be read from any thread.
 */
public final class PublicPort {

    /**
     * @param maxUnclassifiedPerSource connections still being classified, per source IP
     * @param maxUnclassified          the same, in all
     * @param preambleTimeoutMs        how long a connection may take to send enough bytes to be classified
     * @param maxPreambleBytes         the most bytes read before a decision (a ClientHello, a first ICE-TCP frame)
     * @param writeHighWaterBytes      queued bytes past which a connection stops reading from its other end (a
     *                                 splice) or drops media (ICE-TCP, TURN)
     */
    public record Limits(int maxUnclassifiedPerSource, int maxUnclassified, long preambleTimeoutMs, int maxPreambleBytes,
            int writeHighWaterBytes) {
        /** 64 per source (a NAT's users), 1,024 in all, 5 s, 16 KiB plus a record header (a ClientHello's limit), 1 MiB. */
        public static final Limits DEFAULT = new Limits(64, 1024, 5_000, (1 << 14) + 5, 1 << 20);

        public Limits {
            if (maxUnclassifiedPerSource < 1 || maxUnclassified < 1 || preambleTimeoutMs < 1 || maxPreambleBytes < 64
                    || writeHighWaterBytes < 1024) {
                throw new IllegalArgumentException("public port limits must be positive (preamble at least 64, high water 1024): " + this);
            }
        }
    }

    /** Where a connection went. */
    public enum Protocol {
        HTTPS, HTTP, TURN_TLS, TURN_TCP, ICE_TCP
    }

    /** Why a connection was closed before it reached a protocol. */
    public enum Refusal {
        /** Over {@link Limits#maxUnclassifiedPerSource}. */
        SOURCE_LIMIT,
        /** Over {@link Limits#maxUnclassified}. */
        TOTAL_LIMIT,
        /** Too few bytes to decide within {@link Limits#preambleTimeoutMs}. */
        TIMEOUT,
        /** More than {@link Limits#maxPreambleBytes} without a decision. */
        PREAMBLE_TOO_LONG,
        /** None of the protocols served here. */
        UNKNOWN_PROTOCOL,
        /** A TLS record that is not a well-formed ClientHello. */
        BAD_TLS,
        /** An ICE-TCP frame whose STUN message is malformed or names no session we have. */
        UNKNOWN_UFRAG,
        /** TURN over TCP or TLS while TURN is off. */
        TURN_OFF,
        /** The HTTP backend is not there (not started yet, or refused the splice). */
        BACKEND_UNAVAILABLE,
        /** The session's media loop refused the connection (shutting down). */
        LOOP_REFUSED,
        /** The client closed or reset before it could be classified. */
        PEER_CLOSED
    }

    /** RFC 7443 §3: the ALPN a TURN client over TLS offers, and the one our TURN TLS answers with. */
    public static final String ALPN_TURN = "stun.turn";

    private static final Protocol[] PROTOCOLS = Protocol.values();
    private static final Refusal[] REFUSALS = Refusal.values();

    // Passed by argument.
    private final MediaPlane plane;
    private final MediaLoop loop;
    private final List<IceTcpListener> adopters;
    private final UfragRoutes routes;
    private final EmbeddedTurnServer turn;
    private final SslContext turnTls;
    private final String turnName;
    private final boolean noAlpnToTurn;
    private final Limits limits;

    // Allocated by this.
    private final AtomicLongArray protocolCounts = new AtomicLongArray(PROTOCOLS.length);
    private final AtomicLongArray refusalCounts = new AtomicLongArray(REFUSALS.length);
    private final Channel server;
    private volatile Backends backends;
    // On the loop.
    private final Map<InetAddress, Integer> unclassifiedBySource = new HashMap<>();
    private int unclassified;

    /** Where HTTP splices go: the HTTPS listener and the plain one (either may be null: such connections are refused). */
    public record Backends(InetSocketAddress https, InetSocketAddress http) {
    }

    private PublicPort(MediaPlane plane, InetSocketAddress bind, List<IceTcpListener> adopters, UfragRoutes routes,
            EmbeddedTurnServer turn, SslContext turnTls, String turnName, boolean noAlpnToTurn, Limits limits) {
        this.plane = plane;
        this.loop = plane.loops().get(0);
        this.adopters = List.copyOf(adopters);
        this.routes = routes;
        this.turn = turn;
        this.turnTls = turnTls;
        this.turnName = turnName;
        this.noAlpnToTurn = noAlpnToTurn;
        this.limits = limits;
        if (this.adopters.size() != plane.loops().size()) throw new IllegalArgumentException("one adopting ICE-TCP listener per media loop");
        if (turn != null && turn.loop() != loop) throw new IllegalArgumentException("TURN must run on media loop 0");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop.eventLoop(), loop.eventLoop())
                .channel(plane.usesEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeHighWaterBytes() / 2, limits.writeHighWaterBytes()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        if (!admit(child)) {
                            child.close();
                            return;
                        }
                        child.pipeline().addLast(new PreambleClassifier(PublicPort.this, child));
                    }
                });
        try {
            this.server = bootstrap.bind(bind).syncUninterruptibly().channel();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
            throw new IllegalStateException("cannot listen on the public port " + bind + ": " + e.getMessage(), e);
        }
    }

    /**
     * Listens on {@code bind} on {@code plane}'s loop 0. {@code adopters} are one {@link IceTcpListener} per loop
     * ({@link MediaPlane#adoptingTcp}); {@code routes} finds a session's loop by ufrag; {@code turn} (null when off)
     * must run on loop 0; {@code turnTls} terminates TURN over TLS; {@code turnName} (empty for none) is the server
     * name that means TURN; {@code noAlpnToTurn} sends a ClientHello without ALPN to TURN (only with TURN on).
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    public static PublicPort start(MediaPlane plane, InetSocketAddress bind, List<IceTcpListener> adopters, UfragRoutes routes,
            EmbeddedTurnServer turn, SslContext turnTls, String turnName, boolean noAlpnToTurn, Limits limits) {
        return new PublicPort(plane, bind, adopters, routes, turn, turnTls, turnName, noAlpnToTurn && turn != null, limits);
    }

    /** Sets where HTTPS and HTTP connections are spliced to; any thread. Until then they are refused. */
    public void backends(Backends backends) {
        this.backends = backends;
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Connections given to {@code protocol}; any thread. */
    public long connections(Protocol protocol) {
        return protocolCounts.getAcquire(protocol.ordinal());
    }

    /** Connections closed for {@code reason} before reaching a protocol; any thread. */
    public long refusals(Refusal reason) {
        return refusalCounts.getAcquire(reason.ordinal());
    }

    /** The per-loop ICE-TCP listeners that adopt this port's ICE-TCP connections (their counters). */
    public List<IceTcpListener> adopters() {
        return adopters;
    }

    /** Stops accepting; open connections belong to their protocols and close with them. Any thread. */
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    // ---- for the classifier, on loop 0 ------------------------------------------------------------------------

    MediaPlane plane() {
        return plane;
    }

    MediaLoop loop() {
        return loop;
    }

    Limits limits() {
        return limits;
    }

    UfragRoutes routes() {
        return routes;
    }

    EmbeddedTurnServer turn() {
        return turn;
    }

    SslContext turnTls() {
        return turnTls;
    }

    String turnName() {
        return turnName;
    }

    boolean noAlpnToTurn() {
        return noAlpnToTurn;
    }

    Backends currentBackends() {
        return backends;
    }

    IceTcpListener adopter(int loopIndex) {
        return adopters.get(loopIndex);
    }

    /** Once per connection, not per packet: an atomic add, from whichever loop the connection is on. */
    void count(Protocol protocol) {
        protocolCounts.incrementAndGet(protocol.ordinal());
    }

    void count(Refusal reason) {
        refusalCounts.incrementAndGet(reason.ordinal());
    }

    private boolean admit(Channel child) {
        if (unclassified >= limits.maxUnclassified()) {
            count(Refusal.TOTAL_LIMIT);
            return false;
        }
        InetAddress source = ((InetSocketAddress) child.remoteAddress()).getAddress();
        int fromSource = unclassifiedBySource.getOrDefault(source, 0);
        if (fromSource >= limits.maxUnclassifiedPerSource()) {
            count(Refusal.SOURCE_LIMIT);
            return false;
        }
        unclassifiedBySource.put(source, fromSource + 1);
        unclassified++;
        return true;
    }

    /** A connection admitted by {@link #admit} was classified or closed: it no longer counts against the limits. */
    void onDecided(InetAddress source) {
        unclassifiedBySource.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
        unclassified--;
    }
}
