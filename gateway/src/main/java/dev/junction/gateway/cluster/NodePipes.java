package dev.junction.gateway.cluster;

import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.loop.NodePipeIn;
import dev.junction.gateway.loop.NodePipeOut;
import dev.junction.gateway.loop.RoomKey;
import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.ProducerInfo;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.gateway.session.RoomDirectory;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node pipes (issue 14): a room's media carried from its home node to every other node with viewers of it, once
 * per stream per node pair, over UDP sealed with {@link PipeSeal}; each node then fans out locally.
 *
 * <p>The viewing node opens a pipe: for a room that has subscribers here, no publisher here, and a home elsewhere
 * in the directory, it makes a pipe id and a fresh 128-bit key, attaches a {@link NodePipeIn} to the room's loop,
 * and asks the home node over the cluster's event bus ({@code junction.pipe.<node>}, message {@code open}), the key
 * wrapped under the cluster secret for that pipe only ({@link PipeKeyWrap}): the event bus has no TLS. A home that
 * cannot unwrap it refuses the pipe, counted ({@code junction_cluster_pipe_opens_refused_total{reason="bad_key"}}). The
 * home node taps the room's Producers into an {@link Out} on the room's home loop, announces each Producer's
 * {@link ProducerInfo} ({@code added}, {@code removed}, Sender Reports as {@code sr}) over the event bus, and sends
 * each packet once as a sealed datagram to the viewing node's pipe address. Keyframe requests and repairs go back
 * as sealed datagrams. A pipe closes when the viewers leave ({@code close}), when the home's room goes
 * ({@code closed}), or when either node leaves the cluster: the piped Producers leave the viewers' room, their
 * slots free, and the transports stay up; a later home refills the slots through a new pipe.
 *
 * <p>Where a pipe datagram may come from is the membership's word only: each node announces its pipe address as a
 * member attribute, and a datagram whose source is not the pipe's peer's announced address, whose pipe id is
 * unknown, that fails authentication or that is a replay is dropped and counted
 * ({@code junction_cluster_pipe_dropped_total{reason}}).
 *
 * <p>Threading: the pipe socket has its own thread ({@code junction-pipe}), which opens datagrams and hands
 * packets to the room's loop through {@link LoopProxy}; {@link Out} seals on the room's home loop and writes to the
 * socket (Netty queues it to the socket's thread); event-bus messages arrive on a Vert.x event loop and only
 * touch this class's concurrent maps and the loops' proxies; {@link #tick} runs on {@code junction-cluster}.
 * Buffers: a received datagram is copied once into a pooled heap buffer, opened in place, and handed to the loop,
 * which releases it; each sent datagram is a pooled heap buffer Netty releases once written.
 */
final class NodePipes implements AutoCloseable {
    static final String ADDRESS = "junction.pipe.";
    private static final Logger LOG = LoggerFactory.getLogger("dev.junction.cluster");
    /** Room's RTP can be up to a full MTU; the sealed datagram adds a header, a producer id and a tag. */
    private static final int MAX_DATAGRAM = 2048;

    /** Why a pipe datagram was dropped. */
    enum Drop {
        MALFORMED, UNKNOWN_PIPE, UNKNOWN_SOURCE, BAD_AUTH, REPLAY, LOOP_GONE
    }

    // Passed by argument.
    private final String name;
    private final MediaSessions sessions;
    /** A live member's announced pipe address by node name; empty for a non-member. */
    private final Function<String, Optional<InetSocketAddress>> pipeAddressOf;
    /** Seals each pipe's key for the event bus under the cluster secret. */
    private final PipeKeyWrap keyWrap;

    // Allocated by this.
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Thread.ofPlatform().name("junction-pipe").daemon().factory(),
            NioIoHandler.newFactory());
    private final Channel channel;
    private final SecureRandom random = new SecureRandom();
    /** Pipes this node feeds, by pipe id. */
    private final Map<Integer, Out> outs = new ConcurrentHashMap<>();
    /** Pipes into this node, by pipe id. */
    private final Map<Integer, In> ins = new ConcurrentHashMap<>();
    private final EnumMap<Drop, AtomicLong> drops = new EnumMap<>(Drop.class);
    /** Per peer node: packets sent into pipes to it, packets received from pipes from it. */
    private final Map<String, AtomicLong> packetsOut = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> packetsIn = new ConcurrentHashMap<>();
    private final AtomicLong keyframeRequests = new AtomicLong();
    private final AtomicLong repairRequests = new AtomicLong();
    /** {@code open} messages refused because their wrapped key did not authenticate for that pipe. */
    private final AtomicLong badKeyOpens = new AtomicLong();
    private Vertx vertx;
    private MessageConsumer<JsonObject> consumer;

    NodePipes(String name, String host, MediaSessions sessions, Function<String, Optional<InetSocketAddress>> pipeAddressOf,
            PipeKeyWrap keyWrap) {
        this.name = name;
        this.sessions = sessions;
        this.pipeAddressOf = pipeAddressOf;
        this.keyWrap = keyWrap;
        for (Drop d : Drop.values()) drops.put(d, new AtomicLong());
        try {
            channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            onDatagram(packet.content(), packet.sender());
                        }
                    })
                    .bind(host, 0).sync().channel();
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted binding the pipe socket", e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    /** The bound pipe address, announced as a member attribute ({@code host:port}). */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Starts answering the other nodes' pipe messages on the clustered event bus. */
    void listen(Vertx clustered) {
        this.vertx = clustered;
        consumer = clustered.eventBus().consumer(ADDRESS + name, this::onMessage);
    }

    // ---- junction-cluster: which pipes should exist ---------------------------------------------------------------

    /**
     * Opens a pipe for each room with subscribers but no publisher here whose home is another live node, and closes
     * pipes that no longer fit (no viewers left, another home, a stale room). {@code homesOf} looks up the homes of
     * the rooms it is given in the directory (only this node's viewed rooms and open pipes are asked for).
     */
    void tick(Function<java.util.Set<String>, Map<String, String>> homesOf) {
        RoomDirectory local = sessions.roomDirectory();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (In in : ins.values()) wanted.add(in.room);
        for (RoomDirectory.Entry e : local.entries()) {
            if (e.subscribers() > 0 && e.publishers() == 0) wanted.add(e.key().name());
        }
        Map<String, String> homes = wanted.isEmpty() ? Map.of() : homesOf.apply(wanted);
        Map<String, In> byRoom = new HashMap<>();
        for (In in : ins.values()) byRoom.put(in.room, in);
        for (In in : ins.values()) {
            RoomDirectory.Entry e = local.find(in.room);
            String home = homes.get(in.room);
            if (e == null || e.key() != in.key || e.subscribers() == 0 || e.publishers() > 0 || !in.home.equals(home)) {
                closeIn(in, true);
                byRoom.remove(in.room);
            }
        }
        for (RoomDirectory.Entry e : local.entries()) {
            String room = e.key().name();
            String home = homes.get(room);
            if (e.subscribers() == 0 || e.publishers() > 0 || home == null || home.equals(name) || byRoom.containsKey(room)) continue;
            Optional<InetSocketAddress> peer = pipeAddressOf.apply(home);
            if (peer.isPresent()) openIn(room, e.key(), home, peer.get());
        }
        for (Out out : outs.values()) {
            RoomDirectory.Entry e = local.find(out.room);
            if (e == null || e.key() != out.key || pipeAddressOf.apply(out.peer).isEmpty()) closeOut(out, true);
        }
    }

    /** Node {@code node} left the cluster: every pipe to or from it ends, no message sent. */
    void forgetNode(String node) {
        for (In in : ins.values()) if (in.home.equals(node)) closeIn(in, false);
        for (Out out : outs.values()) if (out.peer.equals(node)) closeOut(out, false);
    }

    private void openIn(String room, RoomKey key, String home, InetSocketAddress peer) {
        int drawn;
        do {
            drawn = random.nextInt();
        } while (drawn == 0 || ins.containsKey(drawn));
        int id = drawn;
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        In in = new In(id, room, key, home, peer, secret);
        ins.put(id, in);
        LoopProxy loop = sessions.loop(key.home());
        if (!loop.attachNodePipeIn(key, in.end)) {
            ins.remove(id);
            return;
        }
        JsonObject open = new JsonObject().put("op", "open").put("pipe", id).put("room", room).put("node", name)
                .put("wrapped_key", keyWrap.wrap(secret, id, room, name, home));
        vertx.eventBus().<JsonObject>request(ADDRESS + home, open).onComplete(reply -> {
            if (reply.failed() || !reply.result().body().getBoolean("ok", false)) {
                String why = reply.failed() ? reply.cause().getMessage() : reply.result().body().getString("reason");
                LOG.info("node pipe refused room={} home={} pipe={}: {} (retried next tick)", room, home, id, why);
                closeIn(in, false);
            } else {
                in.confirmed = true;
                LOG.info("node pipe open room={} home={} pipe={}", room, home, id);
            }
        });
    }

    private void closeIn(In in, boolean tellHome) {
        if (ins.remove(in.id, in)) {
            sessions.loop(in.key.home()).detachNodePipeIn(in.key, in.end);
            if (tellHome && vertx != null) vertx.eventBus().send(ADDRESS + in.home, new JsonObject().put("op", "close").put("pipe", in.id));
            LOG.info("node pipe closed room={} home={} pipe={}", in.room, in.home, in.id);
        }
    }

    private void closeOut(Out out, boolean tellViewer) {
        if (outs.remove(out.id, out)) {
            sessions.loop(out.key.home()).removeNodePipeOut(out.key, out);
            if (tellViewer && vertx != null) vertx.eventBus().send(ADDRESS + out.peer, new JsonObject().put("op", "closed").put("pipe", out.id));
            LOG.info("node pipe out closed room={} to={} pipe={}", out.room, out.peer, out.id);
        }
    }

    // ---- the event bus (a Vert.x event loop) ------------------------------------------------------------------------

    private void onMessage(Message<JsonObject> message) {
        JsonObject m = message.body();
        try {
            switch (m.getString("op", "")) {
                case "open" -> onOpen(message, m);
                case "close" -> {
                    Out out = outs.get(m.getInteger("pipe", 0));
                    if (out != null) closeOut(out, false);
                }
                case "closed" -> {
                    In in = ins.get(m.getInteger("pipe", 0));
                    if (in != null) closeIn(in, false);
                }
                case "added" -> {
                    In in = ins.get(m.getInteger("pipe", 0));
                    if (in != null) sessions.loop(in.key.home()).nodePipeProducerAdded(in.end, in.producerInfo(m.getJsonObject("producer")));
                }
                case "removed" -> {
                    In in = ins.get(m.getInteger("pipe", 0));
                    if (in != null) sessions.loop(in.key.home()).nodePipeProducerRemoved(in.end, m.getInteger("producer"));
                }
                case "sr" -> {
                    In in = ins.get(m.getInteger("pipe", 0));
                    // Nanosecond clocks differ between JVMs: the report travels as its age.
                    if (in != null) sessions.loop(in.key.home()).nodePipeSenderReport(in.end, m.getInteger("producer"), m.getInteger("layer"),
                            m.getLong("rtp"), System.nanoTime() - m.getLong("age_ns"));
                }
                default -> LOG.warn("pipe message of unknown kind dropped: {}", m.getString("op"));
            }
        } catch (RuntimeException e) {
            // A malformed message (a peer of another version, or a bug): dropped, the pipe carries on or times out.
            LOG.warn("pipe message dropped op={}: {}", m.getString("op"), e.toString());
            if (message.replyAddress() != null) message.reply(new JsonObject().put("ok", false).put("reason", "malformed: " + e.getMessage()));
        }
    }

    private void onOpen(Message<JsonObject> message, JsonObject m) {
        int id = m.getInteger("pipe", 0);
        String room = m.getString("room", "");
        String viewer = m.getString("node", "");
        Optional<InetSocketAddress> peer = pipeAddressOf.apply(viewer);
        if (peer.isEmpty()) {
            message.reply(new JsonObject().put("ok", false).put("reason", "node " + viewer + " is not a live member with a pipe address"));
            return;
        }
        // The key first: nothing else in a message that does not authenticate is looked at.
        Optional<byte[]> secret = keyWrap.unwrap(m.getString("wrapped_key"), id, room, viewer, name);
        if (secret.isEmpty()) {
            // A peer with another secret, a wrapped key replayed from another pipe, or damage: dropped, counted, and
            // logged the first time only (whoever can send it can send it often).
            if (badKeyOpens.incrementAndGet() == 1) {
                LOG.warn("node pipe open refused: its key does not authenticate under this cluster's secret for pipe={} room={} from={}"
                        + " (counted in junction_cluster_pipe_opens_refused_total; not logged again)", id, room, viewer);
            }
            message.reply(new JsonObject().put("ok", false).put("reason", "the pipe key does not authenticate"));
            return;
        }
        RoomDirectory.Entry e = sessions.roomDirectory().find(room);
        String refusal = e == null || e.publishers() == 0 ? "room " + room + " has no publisher here"
                : id == 0 || outs.containsKey(id) ? "pipe id in use" : null;
        if (refusal != null) {
            message.reply(new JsonObject().put("ok", false).put("reason", refusal));
            return;
        }
        Out out = new Out(id, room, e.key(), viewer, peer.get(), secret.get());
        outs.put(id, out);
        message.reply(new JsonObject().put("ok", true));
        if (!sessions.loop(e.key().home()).addNodePipeOut(e.key(), out)) outs.remove(id, out);
        else LOG.info("node pipe out open room={} to={} pipe={}", room, viewer, id);
    }

    // ---- the pipe socket (junction-pipe) ----------------------------------------------------------------------------

    private void onDatagram(ByteBuf content, InetSocketAddress sender) {
        int id = PipeSeal.pipeId(content);
        if (id == 0) {
            drops.get(Drop.MALFORMED).incrementAndGet();
            return;
        }
        int type = PipeSeal.type(content);
        if (type == PipeSeal.RTP) {
            In in = ins.get(id);
            if (in == null) {
                drops.get(Drop.UNKNOWN_PIPE).incrementAndGet();
            } else if (!in.peer.equals(sender)) {
                drops.get(Drop.UNKNOWN_SOURCE).incrementAndGet();
            } else {
                in.onDatagram(content);
            }
        } else if (type == PipeSeal.KEYFRAME || type == PipeSeal.REPAIR) {
            Out out = outs.get(id);
            if (out == null) {
                drops.get(Drop.UNKNOWN_PIPE).incrementAndGet();
            } else if (!out.peerAddress.equals(sender)) {
                drops.get(Drop.UNKNOWN_SOURCE).incrementAndGet();
            } else {
                out.onDatagram(content);
            }
        } else {
            drops.get(Drop.MALFORMED).incrementAndGet();
        }
    }

    /** A copy of {@code content} in a pooled heap buffer (AES-GCM works on arrays), opened in place; null when refused. */
    private ByteBuf open(PipeSeal seal, ByteBuf content) {
        ByteBuf copy = PooledByteBufAllocator.DEFAULT.heapBuffer(content.readableBytes());
        copy.writeBytes(content, content.readerIndex(), content.readableBytes());
        PipeSeal.Refusal refusal = seal.open(copy);
        if (refusal == null) return copy;
        copy.release();
        drops.get(switch (refusal) {
            case MALFORMED -> Drop.MALFORMED;
            case BAD_AUTH -> Drop.BAD_AUTH;
            case REPLAY -> Drop.REPLAY;
        }).incrementAndGet();
        return null;
    }

    private void send(ByteBuf datagram, InetSocketAddress to) {
        channel.writeAndFlush(new DatagramPacket(datagram, to), channel.voidPromise());
    }

    // ---- one pipe into this node ------------------------------------------------------------------------------------

    /** A pipe bringing room {@code room} from node {@code home}. */
    private final class In implements NodePipeIn.Upstream {
        final int id;
        final String room;
        final RoomKey key;
        final String home;
        final InetSocketAddress peer;
        final NodePipeIn end = new NodePipeIn(this);
        /** Opens on junction-pipe. */
        final PipeSeal opener;
        /** Seals on the room's loop. */
        final PipeSeal sealer;
        final AtomicLong counter;
        /** Set once the home accepted the pipe (a Vert.x event loop); read by {@link #carriedRooms}. */
        volatile boolean confirmed;
        /** The home's publisher keys, one instance each (a room tells publishers apart by them). */
        private final Map<String, String> publishers = new ConcurrentHashMap<>();

        In(int id, String room, RoomKey key, String home, InetSocketAddress peer, byte[] secret) {
            this.id = id;
            this.room = room;
            this.key = key;
            this.home = home;
            this.peer = peer;
            this.opener = new PipeSeal(secret, PipeSeal.FROM_HOME);
            this.sealer = new PipeSeal(secret, PipeSeal.TO_HOME);
            this.counter = packetsIn.computeIfAbsent(home, n -> new AtomicLong());
        }

        ProducerInfo producerInfo(JsonObject json) {
            String publisher = publishers.computeIfAbsent(json.getString("publisher"), k -> k);
            return new ProducerInfo(json.getInteger("id"), publisher, RecordJson.decode(json.getJsonObject("media"),
                    dev.junction.codec.sdp.jsep.NegotiatedMedia.class), json.getInteger("index"), json.getLong("join_order"));
        }

        void onDatagram(ByteBuf content) {
            int at = content.readerIndex();
            int layer = content.getUnsignedByte(at + 2);
            boolean repair = (content.getUnsignedByte(at + 3) & PipeSeal.FLAG_REPAIR) != 0;
            ByteBuf plain = open(opener, content);
            if (plain == null) return;
            counter.incrementAndGet();
            int producerId = plain.readInt();
            sessions.loop(key.home()).nodePipeRtp(end, producerId, layer, plain, repair);
        }

        @Override
        public void requestKeyframe(int producerId, int layer) {
            keyframeRequests.incrementAndGet();
            ByteBuf d = PooledByteBufAllocator.DEFAULT.heapBuffer(PipeSeal.MIN_DATAGRAM);
            sealer.seal(PipeSeal.KEYFRAME, layer, 0, id, producerId, null, d);
            send(d, peer);
        }

        @Override
        public void requestRepair(int producerId, int layer, int seq) {
            repairRequests.incrementAndGet();
            ByteBuf body = PooledByteBufAllocator.DEFAULT.heapBuffer(2).writeShort(seq);
            ByteBuf d = PooledByteBufAllocator.DEFAULT.heapBuffer(PipeSeal.MIN_DATAGRAM + 2);
            try {
                sealer.seal(PipeSeal.REPAIR, layer, 0, id, producerId, body, d);
            } finally {
                body.release();
            }
            send(d, peer);
        }
    }

    // ---- one pipe from this node ------------------------------------------------------------------------------------

    /** A pipe carrying room {@code room} to node {@code peer}; its {@link NodePipeOut} side runs on the room's home loop. */
    private final class Out implements NodePipeOut {
        final int id;
        final String room;
        final RoomKey key;
        final String peer;
        final InetSocketAddress peerAddress;
        /** Seals on the room's loop. */
        final PipeSeal sealer;
        /** Opens on junction-pipe. */
        final PipeSeal opener;
        final AtomicLong counter;
        /** The room loop's publishers, each under a name the peer can hold (on the loop only). */
        private final Map<Object, String> publisherNames = new IdentityHashMap<>();

        Out(int id, String room, RoomKey key, String peer, InetSocketAddress peerAddress, byte[] secret) {
            this.id = id;
            this.room = room;
            this.key = key;
            this.peer = peer;
            this.peerAddress = peerAddress;
            this.sealer = new PipeSeal(secret, PipeSeal.FROM_HOME);
            this.opener = new PipeSeal(secret, PipeSeal.TO_HOME);
            this.counter = packetsOut.computeIfAbsent(peer, n -> new AtomicLong());
        }

        @Override
        public void onProducerAdded(ProducerInfo info) {
            String publisher = publisherNames.computeIfAbsent(info.publisherKey(), k -> name + "/" + publisherNames.size());
            JsonObject producer = new JsonObject().put("id", info.id()).put("publisher", publisher).put("media", RecordJson.encode(info.media()))
                    .put("index", info.index()).put("join_order", info.joinOrder());
            vertx.eventBus().send(ADDRESS + peer, new JsonObject().put("op", "added").put("pipe", id).put("producer", producer));
        }

        @Override
        public void onProducerRemoved(int producerId) {
            vertx.eventBus().send(ADDRESS + peer, new JsonObject().put("op", "removed").put("pipe", id).put("producer", producerId));
        }

        @Override
        public void onRoomClosed() {
            outs.remove(id, this);
        }

        @Override
        public void onRtp(Producer producer, int layer, ByteBuf packet, boolean repair) {
            if (packet.readableBytes() > MAX_DATAGRAM - PipeSeal.MIN_DATAGRAM) return;
            ByteBuf d = PooledByteBufAllocator.DEFAULT.heapBuffer(PipeSeal.MIN_DATAGRAM + packet.readableBytes());
            sealer.seal(PipeSeal.RTP, layer, repair ? PipeSeal.FLAG_REPAIR : 0, id, producer.id(), packet, d);
            counter.incrementAndGet();
            send(d, peerAddress);
        }

        @Override
        public void onSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs) {
            vertx.eventBus().send(ADDRESS + peer, new JsonObject().put("op", "sr").put("pipe", id).put("producer", producer.id())
                    .put("layer", layer).put("rtp", rtpTimestamp).put("age_ns", Math.max(0, System.nanoTime() - atNs)));
        }

        /** A keyframe request or a repair from the viewing node (junction-pipe). */
        void onDatagram(ByteBuf content) {
            int at = content.readerIndex();
            int type = PipeSeal.type(content);
            int layer = content.getUnsignedByte(at + 2);
            ByteBuf plain = open(opener, content);
            if (plain == null) return;
            try {
                int producerId = plain.readInt();
                LoopProxy loop = sessions.loop(key.home());
                if (type == PipeSeal.KEYFRAME) {
                    keyframeRequests.incrementAndGet();
                    loop.nodePipeKeyframe(key, producerId, layer);
                } else if (plain.readableBytes() >= 2) {
                    repairRequests.incrementAndGet();
                    loop.nodePipeRepair(key, this, producerId, layer, plain.readUnsignedShort());
                } else {
                    drops.get(Drop.MALFORMED).incrementAndGet();
                }
            } finally {
                plain.release();
            }
        }
    }

    // ---- /metrics, /admin/cluster (any thread) ----------------------------------------------------------------------

    void appendMetrics(StringBuilder out) {
        out.append("# HELP junction_cluster_pipes Node pipes open now: out, this node feeds another; in, another node feeds this one.\n")
                .append("# TYPE junction_cluster_pipes gauge\n")
                .append("junction_cluster_pipes{direction=\"out\"} ").append(outs.size()).append('\n')
                .append("junction_cluster_pipes{direction=\"in\"} ").append(ins.size()).append('\n')
                .append("# HELP junction_cluster_pipe_packets_total RTP packets sent into node pipes to a node (out) or received from one (in): one per stream per node pair.\n")
                .append("# TYPE junction_cluster_pipe_packets_total counter\n");
        packetsOut.forEach((node, n) -> out.append("junction_cluster_pipe_packets_total{direction=\"out\",node=\"").append(node).append("\"} ")
                .append(n.get()).append('\n'));
        packetsIn.forEach((node, n) -> out.append("junction_cluster_pipe_packets_total{direction=\"in\",node=\"").append(node).append("\"} ")
                .append(n.get()).append('\n'));
        out.append("# HELP junction_cluster_pipe_requests_total Keyframe requests and repairs sent or answered over node pipes.\n")
                .append("# TYPE junction_cluster_pipe_requests_total counter\n")
                .append("junction_cluster_pipe_requests_total{kind=\"keyframe\"} ").append(keyframeRequests.get()).append('\n')
                .append("junction_cluster_pipe_requests_total{kind=\"repair\"} ").append(repairRequests.get()).append('\n')
                .append("# HELP junction_cluster_pipe_opens_refused_total Pipe open requests refused because their wrapped key did not authenticate for that pipe under this cluster's secret.\n")
                .append("# TYPE junction_cluster_pipe_opens_refused_total counter\n")
                .append("junction_cluster_pipe_opens_refused_total{reason=\"bad_key\"} ").append(badKeyOpens.get()).append('\n')
                .append("# HELP junction_cluster_pipe_dropped_total Pipe datagrams dropped: malformed, unknown pipe, not from the pipe's member, failed authentication, replayed.\n")
                .append("# TYPE junction_cluster_pipe_dropped_total counter\n");
        for (Map.Entry<Drop, AtomicLong> e : drops.entrySet()) {
            out.append("junction_cluster_pipe_dropped_total{reason=\"").append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append("\"} ")
                    .append(e.getValue().get()).append('\n');
        }
    }

    /** Rooms this node carries through a pipe its home accepted: published in this node's {@link NodeRecord}. */
    Set<String> carriedRooms() {
        Set<String> rooms = new TreeSet<>();
        for (In in : ins.values()) if (in.confirmed) rooms.add(in.room);
        return rooms;
    }

    /** The open pipes, for {@code /admin/cluster}. */
    io.vertx.core.json.JsonArray describe() {
        io.vertx.core.json.JsonArray a = new io.vertx.core.json.JsonArray();
        for (In in : ins.values()) a.add(new JsonObject().put("id", in.id).put("room", in.room).put("direction", "in").put("node", in.home));
        for (Out o : outs.values()) a.add(new JsonObject().put("id", o.id).put("room", o.room).put("direction", "out").put("node", o.peer));
        return a;
    }

    @Override
    public void close() {
        if (consumer != null) consumer.unregister();
        for (In in : ins.values()) closeIn(in, false);
        for (Out out : outs.values()) closeOut(out, false);
        channel.close().awaitUninterruptibly(2_000);
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(3_000);
    }
}
