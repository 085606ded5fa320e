package dev.junction.transport.socket;

import dev.junction.config.MediaSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * The media event loops ({@link MediaLoop}) and their UDP sockets: loop {@code i} owns one socket on base port
 * + {@code i} (DESIGN §3.2). Uses epoll with recvmmsg/sendmmsg where the native transport loads, NIO otherwise.
 */
public final class MediaPlane implements AutoCloseable {

    /** Largest datagram we read; anything longer is truncated by the kernel and fails authentication. */
    public static final int MAX_DATAGRAM_BYTES = 2048;
    /** Datagrams read per recvmmsg call on epoll. */
    static final int DATAGRAMS_PER_READ = 32;
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final EventLoopGroup group;
    private final List<MediaLoop> loops;
    private final List<MediaSocket> sockets;
    private final List<MediaSocket> extra = new CopyOnWriteArrayList<>();
    private final List<IceTcpListener> tcpListeners = new CopyOnWriteArrayList<>();
    private final List<IceTcpListener> adopters = new CopyOnWriteArrayList<>();
    private final List<Channel> tcpClients = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean epoll;

    private MediaPlane(EventLoopGroup group, List<MediaLoop> loops, List<MediaSocket> sockets, boolean epoll) {
        this.group = group;
        this.loops = List.copyOf(loops);
        this.sockets = List.copyOf(sockets);
        this.epoll = epoll;
    }

    /**
     * Starts {@code settings.effectiveLoops()} loops, each with a socket bound to
     * {@code settings.bindAddress()} on consecutive ports from {@code settings.basePort()} (any free
     * ports when it is 0), delivering to the receiver that {@code receivers} makes for that loop index.
     */
    public static MediaPlane start(MediaSettings settings, IntFunction<DatagramReceiver> receivers) {
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("junction.media.nio");
        int loops = settings.effectiveLoops();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("junction-media"), io);
        List<MediaSocket> sockets = new ArrayList<>(loops);
        List<MediaLoop> mediaLoops = new ArrayList<>(loops);
        try {
            Iterator<io.netty.util.concurrent.EventExecutor> executors = group.iterator();
            for (int i = 0; i < loops; i++) {
                int port = settings.basePort() == 0 ? 0 : settings.basePort() + i;
                MediaLoop loop = new MediaLoop(i, (EventLoop) executors.next());
                mediaLoops.add(loop);
                sockets.add(bindSocket(loop, new InetSocketAddress(settings.bindAddress(), port), receivers.apply(i), epoll));
            }
        } catch (IllegalStateException e) {
            for (MediaSocket s : sockets) s.channel().close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IllegalStateException("cannot bind media UDP port(s) on " + settings.bindAddress() + " from " + settings.basePort() + ": " + e.getMessage(), e);
        }
        return new MediaPlane(group, mediaLoops, sockets, epoll);
    }

    /** One UDP socket registered on {@code loop} and bound to {@code address}; a failed bind closes it and throws. */
    static MediaSocket bindSocket(MediaLoop loop, InetSocketAddress address, DatagramReceiver receiver, boolean epoll) {
        MediaSocket socket = new MediaSocket(loop.index(), loop, receiver);
        DatagramChannel channel = epoll ? new EpollDatagramChannel() : new NioDatagramChannel();
        configure(channel, epoll);
        channel.pipeline().addLast(socket);
        socket.bind(channel, epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported());
        try {
            loop.eventLoop().register(channel).syncUninterruptibly();
            channel.bind(address).syncUninterruptibly();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
            channel.close().awaitUninterruptibly();
            throw new IllegalStateException(e.getMessage(), e);
        }
        return socket;
    }

    private static void configure(DatagramChannel channel, boolean epoll) {
        var config = channel.config();
        config.setAllocator(PooledByteBufAllocator.DEFAULT);
        config.setOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        config.setOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        if (epoll) {
            // recvmmsg: one read fills a buffer with up to DATAGRAMS_PER_READ datagrams (DESIGN §8).
            config.setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM_BYTES);
            config.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES * DATAGRAMS_PER_READ));
        } else {
            config.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES));
        }
    }

    /** The loops, in index order. */
    public List<MediaLoop> loops() {
        return loops;
    }

    /** Each loop's socket, in loop order. */
    public List<MediaSocket> sockets() {
        return sockets;
    }

    /**
     * Opens one more socket on loop {@code loopIndex}, bound to {@code bind} (port 0 for any), delivering to
     * {@code receiver}. The client role uses one socket per peer, as a browser has one per connection. The
     * caller closes it with {@link MediaSocket#close()}; {@link #close()} closes it too.
     */
    public MediaSocket open(int loopIndex, InetSocketAddress bind, DatagramReceiver receiver) {
        MediaSocket socket;
        try {
            socket = bindSocket(loops.get(loopIndex), bind, receiver, epoll);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot bind a UDP socket on " + bind + ": " + e.getMessage(), e);
        }
        extra.add(socket);
        // A closed socket leaves the list, so a client that opens and closes many (a churn run) holds none of them.
        socket.channel().closeFuture().addListener(closed -> extra.remove(socket));
        return socket;
    }

    /**
     * Opens an ICE-TCP listener (RFC 6544 passive candidates) on loop {@code loopIndex}, bound to {@code bind} (port
     * 0 for any): its connections live on that loop and deliver their frames to {@code receiver}. {@link #close()}
     * closes it and its connections.
     *
     * @throws IllegalStateException when the port cannot be bound
     */
    public IceTcpListener listenTcp(int loopIndex, InetSocketAddress bind, FrameReceiver receiver, IceTcpListener.Limits limits) {
        MediaLoop loop = loops.get(loopIndex);
        IceTcpListener listener = new IceTcpListener(loop, receiver, limits);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop.eventLoop(), loop.eventLoop())
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeHighWaterBytes() / 2, limits.writeHighWaterBytes()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        IceTcpConnection connection = listener.accept(child);
                        if (connection == null) child.close();
                        else child.pipeline().addLast(connection);
                    }
                });
        Channel server;
        try {
            server = bootstrap.bind(bind).syncUninterruptibly().channel();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
            throw new IllegalStateException("cannot listen for ICE-TCP on " + bind + ": " + e.getMessage(), e);
        }
        listener.bind(server);
        tcpListeners.add(listener);
        return listener;
    }

    /**
     * An ICE-TCP listener on loop {@code loopIndex} with no port of its own: it {@linkplain IceTcpListener#adopt
     * adopts} connections the one public port accepted and classified, delivering their frames to {@code receiver}.
     * {@link #close()} closes its connections.
     */
    public IceTcpListener adoptingTcp(int loopIndex, FrameReceiver receiver, IceTcpListener.Limits limits) {
        IceTcpListener listener = new IceTcpListener(loops.get(loopIndex), receiver, limits);
        adopters.add(listener);
        return listener;
    }

    /**
     * Connects to {@code remote} from loop {@code loopIndex} (the client role's active ICE-TCP candidate, as a
     * browser opens one). The connection's frames go to {@code receiver}; it completes once connected.
     */
    public CompletableFuture<IceTcpConnection> connectTcp(int loopIndex, InetSocketAddress remote, FrameReceiver receiver) {
        IceTcpConnection connection = new IceTcpConnection(loops.get(loopIndex), receiver, null);
        return connectStream(loopIndex, remote, connection).thenApply(channel -> connection);
    }

    /**
     * Connects a TCP channel from loop {@code loopIndex} to {@code remote} with {@code handler} (a connection, or an
     * initializer that adds TLS before it): ICE-TCP's active candidates and the client role's TURN over TCP and TLS.
     * It completes once connected; {@link #close()} closes it if its owner has not.
     */
    CompletableFuture<Channel> connectStream(int loopIndex, InetSocketAddress remote, ChannelHandler handler) {
        MediaLoop loop = loops.get(loopIndex);
        CompletableFuture<Channel> connected = new CompletableFuture<>();
        new Bootstrap().group(loop.eventLoop())
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(handler)
                .connect(remote)
                .addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        tcpClients.add(f.channel());
                        f.channel().closeFuture().addListener(c -> tcpClients.remove(f.channel()));
                        connected.complete(f.channel());
                    } else {
                        connected.completeExceptionally(f.cause());
                    }
                });
        return connected;
    }

    /** The ICE-TCP listeners opened with {@link #listenTcp}, in opening order. */
    public List<IceTcpListener> tcpListeners() {
        return List.copyOf(tcpListeners);
    }

    public EventLoopGroup group() {
        return group;
    }

    /** True when the native epoll transport is in use (recvmmsg/sendmmsg), false on the NIO fallback. */
    public boolean usesEpoll() {
        return epoll;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (IceTcpListener l : tcpListeners) l.close().syncUninterruptibly();
        for (IceTcpListener l : adopters) l.close().syncUninterruptibly();
        for (Channel c : tcpClients) c.close().syncUninterruptibly();
        for (MediaSocket s : extra) s.channel().close().syncUninterruptibly();
        for (MediaSocket s : sockets) s.channel().close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
