package dev.junction.transport.socket;

import dev.junction.codec.stun.StunMessageType;
import dev.junction.transport.path.TurnPath;
import dev.junction.transport.turn.TurnClient;
import dev.junction.transport.turn.TurnFiveTuple;
import dev.junction.transport.turn.TurnTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The client role's TURN allocation on real sockets (issue 10): the sans-IO {@link TurnClient} over a UDP
 * {@link MediaSocket}, or over a TCP or TLS connection framed by {@link TurnStreamConnection} (RFC 8656 §3.1, the
 * same framing the embedded server reads), on one media loop. A thin shell: it reads, calls the core, writes what
 * the core returns, and runs the core's timer from the loop's one timer ({@link MediaLoop.Participant}).
 *
 * <p>Each peer gets a {@link TurnPath} ({@link #path}): the session sends to it and {@link #sendThrough} wraps the
 * datagram for the server (ChannelData once bound); data the server relays from that peer goes to the
 * {@link RelayedReceiver} (the loop's demux) as arriving on the path, in place (the payload is the readable bytes of
 * the very buffer the socket read, no copy). When the allocation ends (deleted, expired, or the connection closed)
 * every path is closed on the receiver.
 *
 * <p>Threading: made and opened from any thread; everything else on its loop, except {@link #path} and
 * {@link #closeAsync}, which hand over to it, and the counters, which any thread may read. Buffers: datagrams and
 * frames from the server are released by their socket or connection; {@link #sendThrough} takes ownership.
 */
public final class TurnClientConnection implements DatagramReceiver, TurnStreamConnection.Owner, MediaLoop.Participant, TurnPath.Relay {

    /** A TURN server as a WHIP/WHEP answer's {@code Link: rel="ice-server"} names it (RFC 9725 §4.6). */
    public record Server(TurnTransport transport, InetSocketAddress address, String username, String password) {
        public Server {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }
    }

    /** Counter indexes for {@link #counter}. */
    public static final int DATA_IN = 0;
    public static final int DATA_OUT = 1;
    /** Data dropped: no allocation yet or any more, an unknown peer, or a TCP/TLS connection past its high water. */
    public static final int DROPPED = 2;
    /** Requests that failed (an error response or no answer), Allocate included. */
    public static final int REQUESTS_FAILED = 3;
    /** Refreshes of the allocation the server granted (lifetime above 0). */
    public static final int REFRESHES = 4;
    /** 1 once the server answered the Refresh with lifetime 0 (the allocation is deleted). */
    public static final int DEALLOCATIONS = 5;
    private static final int COUNTERS = 6;
    /** How long {@link #closeAsync} waits for the answer to its Refresh with lifetime 0 before closing anyway. */
    private static final long CLOSE_LINGER_MS = 2_000;
    private static final long REQUESTED_LIFETIME_SECONDS = 600;

    // Passed by argument.
    private final MediaLoop loop;
    private final Server server;
    private final RelayedReceiver receiver;

    // Allocated by this.
    private final TurnClient core;
    private final GsoBatcher.Batch batch = new GsoBatcher.Batch();
    private final Map<InetSocketAddress, TurnPath> paths = new HashMap<>();
    private final CompletableFuture<TurnClientConnection> allocated = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    /** The UDP socket, or null over TCP and TLS. */
    private MediaSocket udp;
    /** The TCP or TLS connection once it is up, or null. */
    private TurnStreamConnection stream;
    private boolean done;

    private TurnClientConnection(MediaLoop loop, Server server, RelayedReceiver receiver) {
        this.loop = loop;
        this.server = server;
        this.receiver = receiver;
        this.core = new TurnClient(server.transport(), server.username(), server.password(), REQUESTED_LIFETIME_SECONDS,
                PooledByteBufAllocator.DEFAULT, new SecureRandom());
    }

    /**
     * Opens a connection to {@code server} from loop {@code loopIndex} (a UDP socket of its own, or a TCP or TLS
     * connection) and allocates. The future completes once allocated, or exceptionally with the reason. TLS needs
     * {@code tls}, a client context ({@link TurnTls#trustingClient()} for a self-signed server); else it may be null.
     */
    public static CompletableFuture<TurnClientConnection> open(MediaPlane plane, int loopIndex, Server server, SslContext tls,
                                                               RelayedReceiver receiver) {
        TurnClientConnection connection = new TurnClientConnection(plane.loops().get(loopIndex), server, receiver);
        InetSocketAddress address = server.address();
        switch (server.transport()) {
            case UDP -> {
                InetSocketAddress any = new InetSocketAddress(address.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0", 0);
                connection.udp = plane.open(loopIndex, any, connection);
                // NOTE: the plane may close the socket first (it is shutting down): the core's buffers go with it.
                connection.udp.closeFuture().addListener(f -> connection.shutdown());
                if (!connection.loop.execute(() -> connection.start(System.nanoTime()))) {
                    connection.allocated.completeExceptionally(new IllegalStateException("the media loop is shutting down"));
                }
            }
            case TCP, TLS -> {
                if (server.transport() == TurnTransport.TLS && tls == null) throw new IllegalArgumentException("TLS needs a client context");
                TurnStreamConnection stream = new TurnStreamConnection(connection, connection.loop, server.transport());
                ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null && server.transport() == TurnTransport.TLS) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc(), address.getHostString(), address.getPort()));
                        }
                        channel.pipeline().addLast(stream);
                    }
                };
                plane.connectStream(loopIndex, address, initializer).whenComplete((channel, failure) -> {
                    if (failure != null) {
                        connection.allocated.completeExceptionally(new IllegalStateException(
                                "cannot connect to the TURN server " + address + " over " + server.transport() + ": " + failure.getMessage(), failure));
                    }
                });
            }
        }
        return connection.allocated;
    }

    /** The core starts once there is something to send on: the socket at once, a stream when it is up. On the loop. */
    private void start(long nowNs) {
        loop.add(this);
        core.allocate(nowNs);
        drain(nowNs);
    }

    /** The allocation's relayed address (what a peer sees us as, our relay candidate); after allocation. */
    public InetSocketAddress relayedAddress() {
        return core.relayedAddress();
    }

    public Server server() {
        return server;
    }

    public MediaLoop loop() {
        return loop;
    }

    /** How many of {@code which} ({@link #DATA_IN} ...) so far; any thread. */
    public long counter(int which) {
        return counters.getAcquire(which);
    }

    /**
     * The path to {@code peer} through this allocation, made on first use: it binds a channel to the peer (which
     * installs its permission, RFC 8656 §11.2), refreshed as long as the allocation lives. Any thread.
     */
    public TurnPath path(InetSocketAddress peer) {
        if (loop.inLoop()) return bind(peer);
        TurnPath path = new TurnPath(peer, this);
        loop.execute(() -> {
            if (done || paths.putIfAbsent(peer, path) != null) return;
            long nowNs = System.nanoTime();
            core.bindChannel(nowNs, peer);
            drain(nowNs);
        });
        return path;
    }

    private TurnPath bind(InetSocketAddress peer) {
        TurnPath path = paths.get(peer);
        if (path == null) {
            path = new TurnPath(peer, this);
            paths.put(peer, path);
            long nowNs = System.nanoTime();
            core.bindChannel(nowNs, peer);
            drain(nowNs);
        }
        return path;
    }

    /** Refreshes the allocation now (it refreshes itself before its lifetime ends anyway); any thread. */
    public void refresh() {
        loop.execute(() -> {
            if (done || core.state() != TurnClient.State.ALLOCATED) return;
            long nowNs = System.nanoTime();
            core.refresh(nowNs);
            drain(nowNs);
        });
    }

    /**
     * Deletes the allocation (Refresh with lifetime 0) and closes the socket or connection once answered, or after a
     * short linger when no answer comes. Any thread; completes when closed.
     */
    public CompletableFuture<Void> closeAsync() {
        if (!loop.execute(() -> {
            if (done) return;
            if (core.state() == TurnClient.State.ALLOCATED) {
                long nowNs = System.nanoTime();
                core.deallocate(nowNs);
                drain(nowNs);
                loop.eventLoop().schedule(this::shutdown, CLOSE_LINGER_MS, TimeUnit.MILLISECONDS);
            } else {
                shutdown();
            }
        })) {
            closed.complete(null);
        }
        return closed;
    }

    // ---- data ---------------------------------------------------------------------------------------------------

    @Override
    public void sendThrough(TurnPath path, ByteBuf datagram, boolean media) {
        ByteBuf message = core.wrap(path.remoteAddress(), datagram);
        if (message == null) {
            count(DROPPED);
            return;
        }
        count(DATA_OUT);
        write(message, media);
    }

    private void write(ByteBuf message, boolean data) {
        if (udp != null) {
            if (data) udp.write(message, server.address(), batch);
            else udp.write(message, server.address());
        } else if (stream == null) {
            message.release();
            count(DROPPED);
        } else if (!stream.write(message, data)) {
            count(DROPPED);
        }
    }

    /** One message from the server: a response (the core takes it) or relayed data (the receiver gets it, in place). */
    private void input(ByteBuf message, long nowNs) {
        TurnClient.Input result = core.handleInput(nowNs, message);
        if (result == TurnClient.Input.HANDLED) {
            drain(nowNs);
            return;
        }
        if (result != TurnClient.Input.DATA) {
            count(DROPPED);
            return;
        }
        TurnPath path = paths.get(core.dataPeer());
        if (path == null) {
            count(DROPPED);
            return;
        }
        count(DATA_IN);
        int readerIndex = message.readerIndex();
        int writerIndex = message.writerIndex();
        message.setIndex(core.dataOffset(), core.dataOffset() + core.dataLength());
        try {
            receiver.onRelayed(path, message, nowNs);
        } finally {
            message.setIndex(readerIndex, writerIndex);
        }
    }

    /** Sends what the core queued and acts on its events. */
    private void drain(long nowNs) {
        ByteBuf out;
        while ((out = core.pollTransmit()) != null) write(out, false);
        TurnClient.Event event;
        while ((event = core.pollEvent()) != null) onEvent(event);
        if (!done) loop.wakeAt(this, core.nextTimeoutNs());
    }

    private void onEvent(TurnClient.Event event) {
        switch (event) {
            case TurnClient.Event.Allocated a -> allocated.complete(this);
            case TurnClient.Event.Failed f -> {
                count(REQUESTS_FAILED);
                if (f.method() == StunMessageType.METHOD_ALLOCATE) {
                    allocated.completeExceptionally(new IllegalStateException("TURN Allocate on " + server.transport() + " "
                            + server.address() + " failed: " + (f.errorCode() == 0 ? "no answer" : f.errorCode() + " " + f.reason())));
                    shutdown();
                } else if (core.state() == TurnClient.State.CLOSED) {
                    shutdown();
                }
            }
            case TurnClient.Event.Expired e -> shutdown();
            case TurnClient.Event.Refreshed r -> count(REFRESHES);
            case TurnClient.Event.Deallocated d -> {
                count(DEALLOCATIONS);
                shutdown();
            }
            default -> {
            }
        }
    }

    /** The allocation is over: its paths leave their sessions, the socket or connection closes. On the loop. */
    private void shutdown() {
        if (done) return;
        done = true;
        loop.remove(this);
        List<TurnPath> gone = new ArrayList<>(paths.values());
        paths.clear();
        for (TurnPath path : gone) receiver.onRelayClosed(path);
        core.close();
        if (udp != null) udp.close();
        if (stream != null) stream.close();
        allocated.completeExceptionally(new IllegalStateException("the TURN connection closed before an allocation"));
        closed.complete(null);
    }

    private void count(int which) {
        counters.setRelease(which, counters.getPlain(which) + 1);
    }

    // ---- UDP ----------------------------------------------------------------------------------------------------

    @Override
    public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        if (done || !sender.equals(server.address())) {
            count(DROPPED);
            return;
        }
        input(content, nowNs);
    }

    // ---- TCP and TLS --------------------------------------------------------------------------------------------

    @Override
    public void onStreamOpened(TurnStreamConnection connection) {
        stream = connection;
        start(System.nanoTime());
    }

    @Override
    public boolean hasAllocation(TurnFiveTuple tuple, long nowNs) {
        return core.state() == TurnClient.State.ALLOCATED;
    }

    @Override
    public void onStreamAuthenticated(TurnStreamConnection connection) {
    }

    @Override
    public void onStreamFrame(TurnStreamConnection connection, ByteBuf frame, long nowNs) {
        if (!done) input(frame, nowNs);
    }

    @Override
    public void onStreamGarbage(TurnStreamConnection connection) {
        count(DROPPED);
    }

    @Override
    public void onStreamError(TurnStreamConnection connection) {
        count(REQUESTS_FAILED);
    }

    @Override
    public void onStreamClosed(TurnStreamConnection connection) {
        shutdown();
    }

    // ---- the loop's timer ---------------------------------------------------------------------------------------

    @Override
    public long nextTimeoutNs() {
        return core.nextTimeoutNs();
    }

    @Override
    public void handleTimeout(long nowNs) {
        core.handleTimeout(nowNs);
        drain(nowNs);
    }

    @Override
    public String toString() {
        return "turn-client:" + server.transport().name().toLowerCase(java.util.Locale.ROOT) + ":" + server.address()
                + (core.relayedAddress() == null ? "" : "->" + core.relayedAddress());
    }
}
