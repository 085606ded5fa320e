package dev.junction.transport.socket;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.transport.path.RelayPath;
import dev.junction.transport.turn.RelayPorts;
import dev.junction.transport.turn.TurnDropReason;
import dev.junction.transport.turn.TurnFiveTuple;
import dev.junction.transport.turn.TurnServer;
import dev.junction.transport.turn.TurnSettings;
import dev.junction.transport.turn.TurnSink;
import dev.junction.transport.turn.TurnTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Junction's embedded TURN server on real sockets (issue 10): the sans-IO {@link TurnServer} core, a UDP socket
 * and a TCP listener on one port, a TLS listener on another, and one UDP relay socket per relayed address. A thin
 * shell: it reads, calls the core, and carries out what the core's {@link TurnSink} asks.
 *
 * <p><b>One loop.</b> Everything here lives on media loop 0: the core is single-writer, and putting its sockets on
 * the loop that runs it means the kernel path needs no hand-off at all (a client's datagram is read, relayed and
 * written in one burst, flushed once). Any loop would do; loop 0 always exists. Sessions on other loops are reached
 * through a {@link HandOverRing} per loop and direction (one to each other loop, one from each loop): a relayed
 * packet takes a preallocated slot, not a task, and each ring wakes its consumer once per burst of its producer
 * (issue 10: no allocation per relayed packet, also with several loops). A full ring drops the packet and counts
 * it as {@link TurnDropReason#HANDOVER_FULL}.
 *
 * <p><b>The short-circuit.</b> Data a client relays to one of our own media addresses does not go through the
 * kernel a second time: {@link #deliverLocally} hands it to that media socket's loop's demux on a {@link RelayPath}
 * (the allocation as the session's peer), and what the session sends on that path comes back through
 * {@link #sendFromMedia} into {@link TurnServer#handlePeerPacket} as if the relay socket had received it from the
 * media address. NOTE: deliveries are queued while the core runs and handed over after it returns, so a session
 * that answers at once never re-enters the core in the middle of the call that reached it.
 *
 * <p><b>Bounded before authentication</b> (as {@link IceTcpListener}): TCP and TLS connections without an
 * allocation are limited per source address and in all, and closed after {@link Limits#authTimeoutMs}; a stream
 * whose next bytes are neither STUN nor ChannelData is closed. Everything refused is counted.
 *
 * <p>Threading: built and closed on any thread; everything else on loop 0. Counters and the core's counters may be
 * read from any thread. Buffers: inbound datagrams are released by their {@link MediaSocket}, stream reads by
 * {@link TurnStreamConnection}; everything the core hands the sink is written (Netty releases it) or released
 * here; a datagram handed to another loop is owned by its ring until drained (released there after the demux
 * returns), dropped or closed; {@link #releaseQueued} frees what is left once the loops have stopped.
 */
public final class EmbeddedTurnServer implements TurnSink, RelayPorts, MediaLoop.Participant, RelayPath.Sender,
        TurnStreamConnection.Owner {

    /**
     * Where and how to listen.
     *
     * @param bindAddress  the media bind address: TURN's listeners and relay sockets bind there
     * @param port         UDP and TCP port (0: free ones, possibly different numbers)
     * @param tlsPort      TLS port; 0 for no TLS, -1 for a free one
     * @param tls          the TLS context when TLS is on, else null
     * @param announce     the announced addresses: relayed addresses are given out with these IPs
     * @param relayPortMin first relay port, 0 (with max 0) for ephemeral ports
     * @param relayPortMax last relay port
     * @param limits       connection limits before authentication
     */
    public record Listen(String bindAddress, int port, int tlsPort, SslContext tls, List<String> announce,
            int relayPortMin, int relayPortMax, Limits limits) {
        public Listen {
            announce = List.copyOf(announce);
            if (tlsPort != 0 && tls == null) throw new IllegalArgumentException("TLS port without a TLS context");
        }
    }

    /**
     * @param maxUnauthenticatedPerSource TCP/TLS connections without an allocation, per source IP
     * @param maxUnauthenticated          the same, in all
     * @param authTimeoutMs               how long a connection may stay without an allocation
     * @param writeHighWaterBytes         queued bytes past which data to a TCP/TLS client is dropped
     */
    public record Limits(int maxUnauthenticatedPerSource, int maxUnauthenticated, long authTimeoutMs, int writeHighWaterBytes) {
        /** As ICE-TCP's, with 10 s to allocate (a TLS handshake and two round trips of Allocate). */
        public static final Limits DEFAULT = new Limits(64, 1024, 10_000, 1 << 20);
    }

    /** Counter indexes for {@link #counter(int)}. */
    public static final int BYTES_TO_PEERS = 0;
    public static final int BYTES_TO_CLIENTS = 1;
    public static final int BYTES_LOCALLY = 2;
    public static final int STREAMS_ACCEPTED = 3;
    public static final int STREAMS_REFUSED_SOURCE_LIMIT = 4;
    public static final int STREAMS_REFUSED_TOTAL_LIMIT = 5;
    public static final int STREAMS_AUTH_TIMEOUTS = 6;
    /** TCP/TLS streams closed because their bytes were neither STUN nor ChannelData. */
    public static final int STREAMS_GARBAGE = 7;
    public static final int STREAM_ERRORS = 8;
    /** Messages to TCP/TLS clients dropped: the client read too slowly, or its connection had gone. */
    public static final int CLIENT_SEND_DROPPED = 9;
    /** Relay sockets that could not be bound (port range exhausted, or the kernel refused). */
    public static final int RELAY_BIND_FAILURES = 10;
    /** In-process hand-overs a media loop refused (shutting down); a full ring counts as {@link TurnDropReason#HANDOVER_FULL}. */
    public static final int LOCAL_HANDOFF_REFUSED = 11;
    /** Bytes of messages from clients (UDP datagrams, TCP/TLS frames). */
    public static final int BYTES_FROM_CLIENTS = 12;
    private static final int COUNTERS = 13;
    private static final System.Logger LOG = System.getLogger(EmbeddedTurnServer.class.getName());
    /** Per-client 5-tuples remembered for UDP before the cache starts over (it only saves allocations). */
    private static final int MAX_CACHED_TUPLES = 4096;
    private static final int MAX_RELAY_BIND_ATTEMPTS = 64;
    /**
     * Datagrams that may wait in one hand-over ring: a read burst's fan-out (a video packet to every relayed
     * subscriber on a loop) several times over, so only a stalled loop fills it.
     */
    static final int HANDOVER_CAPACITY = 1 << 12;

    // Passed by argument.
    private final MediaPlane plane;
    private final MediaLoop loop;
    private final List<? extends RelayedReceiver> receivers;
    private final Listen listen;

    // Allocated by this.
    private final TurnServer core;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private final MediaSocket udp;
    private final Channel tcpServer;
    private final Channel tlsServer;
    /** Our media sockets' announced addresses, and the loop each belongs to. */
    private final Map<InetSocketAddress, Integer> mediaLoops = new HashMap<>();
    private final InetAddress relayBindV4;
    private final InetAddress relayAdvertisedV4;
    private final InetAddress relayBindV6;
    private final InetAddress relayAdvertisedV6;
    private final SecureRandom random = new SecureRandom();
    /** Relayed to a session on loop i (null for loop 0, which is delivered to directly). */
    private final List<HandOverRing<RelayPath>> toLoops = new ArrayList<>();
    /** Sent by a session on loop i to the core on loop 0 (also loop 0's, for sends while the core runs). */
    private final List<HandOverRing<RelayPath>> toCore = new ArrayList<>();
    /** Datagrams a full hand-over ring dropped, either way; counted on the producing loops. */
    private final AtomicLong handOverDrops = new AtomicLong();

    // On the loop.
    private final Map<InetSocketAddress, TurnFiveTuple> udpTuples = new HashMap<>();
    /**
     * Per UDP client, the GSO batch its relayed data joins during a burst: a frame's ChannelData messages to one
     * client leave as one segmented send, and no envelope is made per message. Bounded as {@link #udpTuples}; a
     * batch dropped from the map while open is still flushed by the socket's batcher.
     */
    private final Map<TurnFiveTuple, GsoBatcher.Batch> udpBatches = new HashMap<>();
    private final Map<TurnFiveTuple, TurnStreamConnection> streams = new HashMap<>();
    private final Map<TurnStreamConnection, InetAddress> unauthenticated = new HashMap<>();
    private final Map<InetAddress, Integer> unauthenticatedBySource = new HashMap<>();
    private final Map<InetSocketAddress, MediaSocket> relays = new HashMap<>();
    private final Map<InetSocketAddress, List<RelayPath>> relayPaths = new HashMap<>();
    private final ArrayDeque<RelayPath> pendingPaths = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> pendingPayloads = new ArrayDeque<>();
    private final List<RelayPath> pendingCloses = new ArrayList<>();
    private boolean inCore;
    private int nextRangePort;
    private boolean closed;

    private EmbeddedTurnServer(MediaPlane plane, List<? extends RelayedReceiver> receivers, TurnSettings settings, Listen listen) {
        this.plane = plane;
        this.loop = plane.loops().get(0);
        this.receivers = List.copyOf(receivers);
        this.listen = listen;
        if (this.receivers.size() != plane.loops().size()) throw new IllegalArgumentException("one receiver per media loop");
        for (MediaLoop other : plane.loops()) {
            RelayedReceiver receiver = this.receivers.get(other.index());
            toLoops.add(other == loop ? null
                    : new HandOverRing<>(HANDOVER_CAPACITY, loop, other, (path, tag, datagram, nowNs) -> receiver.onRelayed(path, datagram, nowNs)));
            toCore.add(new HandOverRing<>(HANDOVER_CAPACITY, other, loop, (path, tag, datagram, nowNs) -> fromMedia(path, datagram, nowNs)));
        }
        for (MediaSocket s : plane.sockets()) {
            for (String ip : listen.announce()) mediaLoops.put(new InetSocketAddress(ip, s.localAddress().getPort()), s.index());
        }
        InetAddress bind = new InetSocketAddress(listen.bindAddress(), 0).getAddress();
        InetAddress announcedV4 = firstOf(listen.announce(), Inet4Address.class);
        InetAddress announcedV6 = firstOf(listen.announce(), Inet6Address.class);
        // IPv4 relays where the media sockets have IPv4 (an IPv4 bind address, or the dual-stack wildcard); IPv6 where
        // they bind IPv6. A relayed address is given out with the announced IP of its family.
        boolean v4 = announcedV4 != null && (bind instanceof Inet4Address || bind.isAnyLocalAddress());
        boolean v6 = announcedV6 != null && bind instanceof Inet6Address;
        this.relayBindV4 = v4 ? (bind instanceof Inet4Address ? bind : new InetSocketAddress("0.0.0.0", 0).getAddress()) : null;
        this.relayAdvertisedV4 = v4 ? announcedV4 : null;
        this.relayBindV6 = v6 ? bind : null;
        this.relayAdvertisedV6 = v6 ? announcedV6 : null;
        if (listen.relayPortMin() > 0) {
            nextRangePort = listen.relayPortMin() + random.nextInt(listen.relayPortMax() - listen.relayPortMin() + 1);
        }
        byte[] nonceKey = new byte[32];
        random.nextBytes(nonceKey);
        this.core = new TurnServer(settings, this, this, PooledByteBufAllocator.DEFAULT, nonceKey, System.nanoTime(),
                System.currentTimeMillis());
        MediaSocket udpSocket = null;
        Channel tcp = null;
        Channel tlsChannel = null;
        try {
            // TCP on the UDP socket's port number (TCP and UDP are separate spaces), so one number serves both. With
            // port 0 the kernel picks the UDP port, whose number may be taken in TCP's space (an outbound connection's
            // ephemeral port): then another UDP port is tried, a few times.
            for (int attempt = 1; tcp == null; attempt++) {
                udpSocket = MediaPlane.bindSocket(loop, new InetSocketAddress(listen.bindAddress(), listen.port()), this::onClientDatagram,
                        plane.usesEpoll());
                try {
                    tcp = listenStream(new InetSocketAddress(listen.bindAddress(), udpSocket.localAddress().getPort()), null);
                } catch (IllegalStateException e) {
                    if (listen.port() != 0 || attempt == 8) throw e;
                    udpSocket.channel().close().syncUninterruptibly();
                    udpSocket = null;
                }
            }
            if (listen.tlsPort() != 0) {
                tlsChannel = listenStream(new InetSocketAddress(listen.bindAddress(), Math.max(0, listen.tlsPort())), listen.tls());
            }
        } catch (RuntimeException e) {
            if (udpSocket != null) udpSocket.channel().close().syncUninterruptibly();
            if (tcp != null) tcp.close().syncUninterruptibly();
            throw e;
        }
        this.udp = udpSocket;
        this.tcpServer = tcp;
        this.tlsServer = tlsChannel;
    }

    /**
     * Starts TURN on {@code plane}'s loop 0: binds its UDP socket, TCP listener and (if asked) TLS listener, and
     * registers its timer. {@code receivers} are the media loops' demuxes, in loop order (the short-circuit's
     * targets). Call off the media loops.
     *
     * @throws IllegalStateException when a port cannot be bound
     */
    public static EmbeddedTurnServer start(MediaPlane plane, List<? extends RelayedReceiver> receivers, TurnSettings settings, Listen listen) {
        EmbeddedTurnServer server = new EmbeddedTurnServer(plane, receivers, settings, listen);
        CompletableFuture<Void> registered = new CompletableFuture<>();
        if (!server.loop.execute(() -> {
            server.loop.add(server);
            registered.complete(null);
        })) {
            server.close();
            throw new IllegalStateException("media loop 0 is shutting down");
        }
        registered.join();
        return server;
    }

    private static InetAddress firstOf(List<String> ips, Class<? extends InetAddress> family) {
        for (String ip : ips) {
            InetAddress a = new InetSocketAddress(ip, 0).getAddress();
            if (family.isInstance(a)) return a;
        }
        return null;
    }

    private Channel listenStream(InetSocketAddress bind, SslContext tls) {
        TurnTransport transport = tls == null ? TurnTransport.TCP : TurnTransport.TLS;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop.eventLoop(), loop.eventLoop())
                .channel(plane.usesEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(listen.limits().writeHighWaterBytes() / 2, listen.limits().writeHighWaterBytes()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        TurnStreamConnection connection = admit(child, transport);
                        if (connection == null) {
                            child.close();
                            return;
                        }
                        if (tls != null) child.pipeline().addLast(tls.newHandler(child.alloc()));
                        child.pipeline().addLast(connection);
                    }
                });
        try {
            return bootstrap.bind(bind).syncUninterruptibly().channel();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
            throw new IllegalStateException("cannot listen for TURN over " + transport + " on " + bind + ": " + e.getMessage(), e);
        }
    }

    // ---- addresses and state, any thread ------------------------------------------------------------------------

    /** The UDP socket's bound address. */
    public InetSocketAddress udpAddress() {
        return udp.localAddress();
    }

    /** The TCP listener's bound address. */
    public InetSocketAddress tcpAddress() {
        return (InetSocketAddress) tcpServer.localAddress();
    }

    /** The TLS listener's bound address, or null without TLS. */
    public InetSocketAddress tlsAddress() {
        return tlsServer == null ? null : (InetSocketAddress) tlsServer.localAddress();
    }

    /** The core, for its counters (any thread) and, on loop 0, its state. */
    public TurnServer core() {
        return core;
    }

    /** The loop TURN runs on. */
    public MediaLoop loop() {
        return loop;
    }

    /** The UDP socket's counters ({@link MediaSocket#counter}). */
    public MediaSocket udpSocket() {
        return udp;
    }

    /**
     * Packets dropped for {@code reason}: the core's count, plus, for {@link TurnDropReason#HANDOVER_FULL}, this
     * shell's. Any thread.
     */
    public long drops(TurnDropReason reason) {
        return core.drops(reason) + (reason == TurnDropReason.HANDOVER_FULL ? handOverDrops.get() : 0);
    }

    /** Any thread; values may lag by a packet. */
    public long counter(int which) {
        return counters.getAcquire(which);
    }

    private void count(int which, long n) {
        counters.setRelease(which, counters.getPlain(which) + n);
    }

    // ---- from clients ------------------------------------------------------------------------------------------

    /** A datagram on the TURN UDP port. */
    private void onClientDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        TurnFiveTuple tuple = udpTuples.get(sender);
        if (tuple == null) {
            if (udpTuples.size() >= MAX_CACHED_TUPLES) udpTuples.clear();
            tuple = new TurnFiveTuple(TurnTransport.UDP, sender, socket.localAddress());
            udpTuples.put(sender, tuple);
        }
        count(BYTES_FROM_CLIENTS, content.readableBytes());
        enterCore();
        try {
            core.handleClientPacket(nowNs, tuple, content);
        } finally {
            leaveCore();
        }
    }

    /** A new TCP/TLS connection, before its handler is added: the handler, or null when over a limit. */
    private TurnStreamConnection admit(Channel child, TurnTransport transport) {
        InetAddress source = ((InetSocketAddress) child.remoteAddress()).getAddress();
        if (closed || unauthenticated.size() >= listen.limits().maxUnauthenticated()) {
            count(STREAMS_REFUSED_TOTAL_LIMIT, 1);
            return null;
        }
        int fromSource = unauthenticatedBySource.getOrDefault(source, 0);
        if (fromSource >= listen.limits().maxUnauthenticatedPerSource()) {
            count(STREAMS_REFUSED_SOURCE_LIMIT, 1);
            return null;
        }
        count(STREAMS_ACCEPTED, 1);
        TurnStreamConnection connection = new TurnStreamConnection(this, loop, transport);
        unauthenticatedBySource.put(source, fromSource + 1);
        unauthenticated.put(connection, source);
        child.eventLoop().schedule(() -> {
            if (unauthenticated.containsKey(connection)) {
                count(STREAMS_AUTH_TIMEOUTS, 1);
                child.close();
            }
        }, listen.limits().authTimeoutMs(), TimeUnit.MILLISECONDS);
        return connection;
    }

    /**
     * Takes over {@code child}, a connection the one public port accepted on this server's loop and classified as
     * TURN over TCP or, with {@code tls}, over TLS (RFC 8656 §3.1): it gets the same limits, timeout and handling as
     * one accepted on the TURN ports, TLS terminated here with {@code tls}, and then sees {@code preamble}, the bytes
     * read while it was classified, as its first read. On the loop; takes ownership of {@code preamble}. False,
     * having closed the connection and released the bytes, when it is over a limit.
     */
    public boolean adopt(Channel child, SslContext tls, ByteBuf preamble) {
        assert loop.inLoop() : "EmbeddedTurnServer.adopt off its loop";
        TurnStreamConnection connection = admit(child, tls == null ? TurnTransport.TCP : TurnTransport.TLS);
        if (connection == null) {
            preamble.release();
            child.close();
            return false;
        }
        if (tls != null) child.pipeline().addLast(tls.newHandler(child.alloc()));
        child.pipeline().addLast(connection);
        child.pipeline().fireChannelRead(preamble);
        child.pipeline().fireChannelReadComplete();
        return true;
    }

    @Override
    public void onStreamOpened(TurnStreamConnection connection) {
        streams.put(connection.tuple(), connection);
    }

    @Override
    public boolean hasAllocation(TurnFiveTuple tuple, long nowNs) {
        return core.hasAllocation(tuple, nowNs);
    }

    @Override
    public void onStreamAuthenticated(TurnStreamConnection connection) {
        forgetUnauthenticated(connection);
    }

    @Override
    public void onStreamFrame(TurnStreamConnection connection, ByteBuf frame, long nowNs) {
        count(BYTES_FROM_CLIENTS, frame.readableBytes());
        enterCore();
        try {
            core.handleClientPacket(nowNs, connection.tuple(), frame);
        } finally {
            leaveCore();
        }
    }

    @Override
    public void onStreamGarbage(TurnStreamConnection connection) {
        count(STREAMS_GARBAGE, 1);
    }

    @Override
    public void onStreamError(TurnStreamConnection connection) {
        count(STREAM_ERRORS, 1);
    }

    /** The connection closed (by either side, possibly before it was ever active). */
    @Override
    public void onStreamClosed(TurnStreamConnection connection) {
        forgetUnauthenticated(connection);
        if (connection.tuple() == null) return;
        streams.remove(connection.tuple(), connection);
        enterCore();
        try {
            core.handleClientClosed(connection.tuple());
        } finally {
            leaveCore();
        }
    }

    private void forgetUnauthenticated(TurnStreamConnection connection) {
        InetAddress source = unauthenticated.remove(connection);
        if (source != null) unauthenticatedBySource.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
    }

    // ---- the core's calls, and what follows them ---------------------------------------------------------------

    private void enterCore() {
        inCore = true;
    }

    /**
     * The core returned: hand over the in-process deliveries it queued, tell media loops about relay paths whose
     * allocation went, and re-arm the timer for the core's next deadline.
     */
    private void leaveCore() {
        inCore = false;
        RelayPath path;
        while ((path = pendingPaths.poll()) != null) handOver(path, pendingPayloads.poll());
        if (!pendingCloses.isEmpty()) {
            for (RelayPath p : pendingCloses) {
                RelayedReceiver receiver = receivers.get(p.loopIndex());
                if (p.loopIndex() == loop.index()) receiver.onRelayClosed(p);
                else plane.loops().get(p.loopIndex()).execute(() -> receiver.onRelayClosed(p));
            }
            pendingCloses.clear();
        }
        loop.wakeAt(this, core.nextTimeoutNs());
    }

    /** One datagram relayed to our media socket, to its loop's demux; owns {@code payload}. */
    private void handOver(RelayPath path, ByteBuf payload) {
        if (path.loopIndex() == loop.index()) {
            try {
                receivers.get(path.loopIndex()).onRelayed(path, payload, System.nanoTime());
            } finally {
                payload.release();
            }
            return;
        }
        if (!toLoops.get(path.loopIndex()).offer(path, 0, payload)) handOverDrops.incrementAndGet();
    }

    @Override
    public void sendToClient(TurnFiveTuple tuple, ByteBuf message) {
        boolean data = isData(message);
        if (data) count(BYTES_TO_CLIENTS, message.readableBytes());
        if (tuple.transport() == TurnTransport.UDP) {
            if (data) {
                GsoBatcher.Batch batch = udpBatches.get(tuple);
                if (batch == null) {
                    if (udpBatches.size() >= MAX_CACHED_TUPLES) udpBatches.clear();
                    batch = new GsoBatcher.Batch();
                    udpBatches.put(tuple, batch);
                }
                udp.write(message, tuple.client(), batch);
            } else {
                udp.write(message, tuple.client());
            }
            return;
        }
        TurnStreamConnection connection = streams.get(tuple);
        if (connection == null || !connection.write(message, data)) {
            if (connection == null) message.release();
            count(CLIENT_SEND_DROPPED, 1);
        }
    }

    /** ChannelData or a Data indication (relayed data), as opposed to a response. */
    private static boolean isData(ByteBuf message) {
        int first = message.getUnsignedByte(message.readerIndex());
        return ChannelData.isChannelData(first)
                || message.getUnsignedShort(message.readerIndex()) == StunMessageType.DATA_INDICATION;
    }

    @Override
    public void sendToPeer(InetSocketAddress relayAddress, InetSocketAddress peer, ByteBuf payload) {
        MediaSocket relay = relays.get(relayAddress);
        if (relay == null) {
            payload.release();
            return;
        }
        count(BYTES_TO_PEERS, payload.readableBytes());
        relay.write(payload, peer);
    }

    @Override
    public void deliverLocally(InetSocketAddress relayAddress, InetSocketAddress mediaAddress, ByteBuf payload) {
        Integer loopIndex = mediaLoops.get(mediaAddress);
        if (loopIndex == null || !relays.containsKey(relayAddress)) {
            // Not one of the sockets we know in process (cannot happen with consistent settings): the kernel path.
            sendToPeer(relayAddress, mediaAddress, payload);
            return;
        }
        count(BYTES_LOCALLY, payload.readableBytes());
        pendingPaths.add(relayPath(relayAddress, mediaAddress, loopIndex));
        pendingPayloads.add(payload);
    }

    private RelayPath relayPath(InetSocketAddress relayAddress, InetSocketAddress mediaAddress, int loopIndex) {
        List<RelayPath> paths = relayPaths.computeIfAbsent(relayAddress, r -> new ArrayList<>(1));
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).mediaAddress().equals(mediaAddress)) return paths.get(i);
        }
        RelayPath path = new RelayPath(relayAddress, mediaAddress, loopIndex, this);
        paths.add(path);
        return path;
    }

    /**
     * A session sends to an allocation over its relay path; on the path's media loop, owns {@code datagram}. From
     * loop 0 it goes to the core now; from another loop, through that loop's ring to the core.
     */
    @Override
    public void sendFromMedia(RelayPath path, ByteBuf datagram) {
        if (loop.inLoop() && !inCore) {
            try {
                fromMedia(path, datagram, System.nanoTime());
            } finally {
                datagram.release();
            }
            return;
        }
        // NOTE: on loop 0 while the core runs (a media-side callback inside it), the send waits in loop 0's own ring
        // for the core to return.
        MediaLoop from = plane.loops().get(path.loopIndex());
        if (from.inLoop()) {
            if (!toCore.get(path.loopIndex()).offer(path, 0, datagram)) handOverDrops.incrementAndGet();
            return;
        }
        // Off the path's loop (a path is used on its own loop, so not on the media path): a task, as for any thread.
        if (!loop.execute(() -> loop.burst(() -> sendFromMedia(path, datagram)))) {
            datagram.release();
            count(LOCAL_HANDOFF_REFUSED, 1);
        }
    }

    /** On loop 0: {@code datagram} (borrowed) from our media address to the allocation, as a peer's. */
    private void fromMedia(RelayPath path, ByteBuf datagram, long nowNs) {
        enterCore();
        try {
            core.handlePeerPacket(nowNs, path.remoteAddress(), path.mediaAddress(), datagram);
        } finally {
            leaveCore();
        }
    }

    // ---- relay sockets (RelayPorts) ---------------------------------------------------------------------------

    /** A relay socket's receiver: datagrams from peers, to the core. */
    private final class RelayReceiver implements DatagramReceiver {
        InetSocketAddress relayAddress;

        @Override
        public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
            enterCore();
            try {
                core.handlePeerPacket(nowNs, relayAddress, sender, content);
            } finally {
                leaveCore();
            }
        }
    }

    @Override
    public boolean supports(int family) {
        return family == StunMessage.FAMILY_IPV4 ? relayBindV4 != null : family == StunMessage.FAMILY_IPV6 && relayBindV6 != null;
    }

    /** Binds a relay socket now, on the loop (a bind is one system call; registering on our own loop is immediate). */
    @Override
    public InetSocketAddress allocate(int family, boolean evenPort) {
        if (closed) return null;
        InetAddress bindIp = family == StunMessage.FAMILY_IPV4 ? relayBindV4 : relayBindV6;
        InetAddress advertised = family == StunMessage.FAMILY_IPV4 ? relayAdvertisedV4 : relayAdvertisedV6;
        if (bindIp == null) return null;
        int span = listen.relayPortMin() == 0 ? 0 : listen.relayPortMax() - listen.relayPortMin() + 1;
        int attempts = span == 0 ? 8 : Math.min(span, MAX_RELAY_BIND_ATTEMPTS);
        for (int i = 0; i < attempts; i++) {
            int port = span == 0 ? 0 : nextRangePort(evenPort, span);
            if (port < 0) break;
            RelayReceiver receiver = new RelayReceiver();
            MediaSocket socket;
            try {
                socket = MediaPlane.bindSocket(loop, new InetSocketAddress(bindIp, port), receiver, plane.usesEpoll());
            } catch (IllegalStateException e) {
                continue; // taken: the next port
            }
            int bound = socket.localAddress().getPort();
            if (evenPort && (bound & 1) != 0) {
                socket.close();
                continue;
            }
            InetSocketAddress relay = new InetSocketAddress(advertised, bound);
            receiver.relayAddress = relay;
            relays.put(relay, socket);
            return relay;
        }
        count(RELAY_BIND_FAILURES, 1);
        return null;
    }

    private int nextRangePort(boolean even, int span) {
        for (int i = 0; i < span; i++) {
            int port = nextRangePort;
            nextRangePort = port >= listen.relayPortMax() ? listen.relayPortMin() : port + 1;
            if (!even || (port & 1) == 0) return port;
        }
        return -1;
    }

    @Override
    public void release(InetSocketAddress relayAddress) {
        MediaSocket socket = relays.remove(relayAddress);
        if (socket != null) socket.close();
        List<RelayPath> paths = relayPaths.remove(relayAddress);
        if (paths != null) pendingCloses.addAll(paths);
    }

    /** Relay sockets open now; on the loop. */
    public int relaySocketCount() {
        return relays.size();
    }

    // ---- the timer --------------------------------------------------------------------------------------------

    @Override
    public long nextTimeoutNs() {
        return core.nextTimeoutNs();
    }

    @Override
    public void handleTimeout(long nowNs) {
        // Unix time (REST expiry) follows the wall clock, which may have been stepped since the last firing.
        core.syncWallClock(nowNs, System.currentTimeMillis());
        enterCore();
        try {
            core.handleTimeout(nowNs);
        } finally {
            leaveCore();
        }
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /**
     * Releases what still waits in the hand-over rings: for the owner, once the media loops have stopped (nothing
     * drains them any more). Any thread then.
     */
    public void releaseQueued() {
        for (HandOverRing<RelayPath> ring : toLoops) {
            if (ring != null) ring.releaseQueued();
        }
        for (HandOverRing<RelayPath> ring : toCore) ring.releaseQueued();
    }

    /** Deletes every allocation, closes every socket and connection; any thread, blocks briefly. */
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable closing = () -> {
            try {
                if (closed) return;
                closed = true;
                loop.remove(this);
                enterCore();
                try {
                    core.close();
                } finally {
                    leaveCore();
                }
                for (TurnStreamConnection c : new HashSet<>(streams.values())) c.close();
                for (TurnStreamConnection c : Set.copyOf(unauthenticated.keySet())) c.close();
                // Sessions may still send until they hear their paths closed: the drains release what comes.
                for (HandOverRing<RelayPath> ring : toCore) ring.close();
            } finally {
                done.complete(null);
            }
        };
        if (loop.inLoop()) closing.run();
        else if (!loop.execute(closing)) done.complete(null);
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "TURN server did not close within 5 s: " + e);
        }
        // After the core's last deliveries: each other loop frees what waits for it (or releaseQueued, once stopped).
        for (int i = 0; i < toLoops.size(); i++) {
            HandOverRing<RelayPath> ring = toLoops.get(i);
            if (ring == null) continue;
            CompletableFuture<Void> ringClosed = new CompletableFuture<>();
            Runnable closeRing = () -> {
                ring.close();
                ringClosed.complete(null);
            };
            if (plane.loops().get(i).execute(closeRing)) ringClosed.completeOnTimeout(null, 2, TimeUnit.SECONDS).join();
        }
        tcpServer.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (tlsServer != null) tlsServer.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        udp.channel().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
