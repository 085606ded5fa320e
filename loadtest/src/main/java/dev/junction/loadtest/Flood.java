package dev.junction.loadtest;

import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile traffic at a media port at a steady rate, while real sessions run (issue 12, floods): what an attacker,
 * or an unlucky network, sends a media server. Each {@link Kind} is one class of datagram a server must drop
 * cheaply and count. Against a loopback target the datagrams come from {@link #LOOPBACK_SOURCES} addresses
 * (127.0.0.2, 127.0.0.3, ...), as a spoofed flood arrives from many, so per-source limits alone cannot stop it;
 * elsewhere from one wildcard socket.
 *
 * <p>Pacing: one Netty event loop wakes every millisecond and sends what the rate owes since the start, as UDP GSO
 * sends of up to {@link #SEGMENTS_PER_SEND} datagrams where the kernel supports it (one syscall each), else
 * sendmmsg batches. When the socket cannot take more (the kernel is behind), the rest of the tick is skipped and
 * counted as {@linkplain #skipped() skipped}, never queued: the flood holds bounded memory.
 *
 * <p>Threading: {@link #start} and {@link #close} from the caller; the counters may be read from any thread.
 * Buffers: each send's buffer is handed to Netty, which releases it.
 */
final class Flood implements AutoCloseable {

    /** A class of hostile datagram. */
    enum Kind {
        /** Random bytes, any first byte: every RFC 7983 class and none. */
        GARBAGE,
        /** Well-formed, signed Binding requests naming ufrags no session has. */
        UNKNOWN_UFRAG,
        /** Binding requests naming a live session's ufrag (learnt from an answer) with a wrong MESSAGE-INTEGRITY. */
        FORGED_INTEGRITY,
        /** DTLS 1.2 ClientHello records from addresses no check has bound. */
        DTLS_HELLO,
        /** SRTP-shaped packets from addresses no check has bound. */
        UNBOUND_SRTP;

        /** The command-line name: lower case with dashes ({@code forged-integrity}). */
        String flag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Kind ofFlag(String flag) {
            for (Kind k : values()) if (k.flag().equals(flag)) return k;
            return null;
        }
    }

    /** Answers (401s) are not read, only released. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static final Discard DISCARD = new Discard();
    static final int LOOPBACK_SOURCES = 16;
    static final int SEGMENTS_PER_SEND = 32;
    private static final int VARIANTS = 256;
    private static final long TICK_NS = 1_000_000;
    /** At most this much of a late tick is caught up; the rest is skipped. */
    private static final long MAX_CATCH_UP_NS = 20_000_000;

    private final Kind kind;
    private final long ratePerSecond;
    private final InetSocketAddress target;
    private final byte[][] variants;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private ScheduledFuture<?> pacer;
    private boolean gso;
    private long startNs;
    private long owed;
    private int nextVariant;
    private int nextChannel;

    /**
     * @param liveUfrag the server's ICE ufrag of a live session, for {@link Kind#FORGED_INTEGRITY}
     */
    Flood(Kind kind, long ratePerSecond, InetSocketAddress target, String liveUfrag, long seed) {
        if (ratePerSecond < 1) throw new IllegalArgumentException("flood rate must be positive: " + ratePerSecond);
        this.kind = kind;
        this.ratePerSecond = ratePerSecond;
        this.target = target;
        this.variants = variants(kind, liveUfrag, new Random(seed));
    }

    /** The datagrams of {@code kind}: {@link #VARIANTS} of them, all of one length (so GSO can carry them). */
    static byte[][] variants(Kind kind, String liveUfrag, Random random) {
        byte[][] out = new byte[VARIANTS][];
        for (int i = 0; i < VARIANTS; i++) {
            out[i] = switch (kind) {
                case GARBAGE -> bytes(random, 100);
                case UNKNOWN_UFRAG -> check(random, letters(random, 8) + ":" + letters(random, 8), letters(random, 24));
                case FORGED_INTEGRITY -> check(random, liveUfrag + ":" + letters(random, 8), letters(random, 24));
                case DTLS_HELLO -> clientHello(random);
                case UNBOUND_SRTP -> srtp(random);
            };
        }
        return out;
    }

    void start() {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("loadtest-flood"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        gso = epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> epoll ? new EpollDatagramChannel() : new NioDatagramChannel())
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(DISCARD);
        for (InetSocketAddress source : sources(target)) {
            channels.add(bootstrap.bind(source).syncUninterruptibly().channel());
        }
        startNs = System.nanoTime();
        pacer = group.next().scheduleAtFixedRate(this::tick, 0, TICK_NS, TimeUnit.NANOSECONDS);
    }

    /** Datagrams handed to the kernel. */
    long sent() {
        return sent.get();
    }

    /** Datagrams the rate owed but the sockets could not take (the kernel was behind) or a late tick gave up. */
    long skipped() {
        return skipped.get();
    }

    /** Datagrams whose send failed. */
    long failed() {
        return failed.get();
    }

    Kind kind() {
        return kind;
    }

    private void tick() {
        long due = (System.nanoTime() - startNs) * ratePerSecond / 1_000_000_000L;
        long behind = due - owed;
        long cap = Math.max(1, ratePerSecond * MAX_CATCH_UP_NS / 1_000_000_000L);
        if (behind > cap) {
            skipped.addAndGet(behind - cap);
            owed += behind - cap;
            behind = cap;
        }
        while (behind > 0) {
            Channel channel = channels.get(nextChannel);
            nextChannel = (nextChannel + 1) % channels.size();
            if (!channel.isWritable()) {
                boolean anyWritable = false;
                for (Channel c : channels) anyWritable |= c.isWritable();
                if (!anyWritable) {
                    skipped.addAndGet(behind);
                    owed += behind;
                    break;
                }
                continue;
            }
            int segments = (int) Math.min(behind, gso ? SEGMENTS_PER_SEND : 1);
            int length = variants[0].length;
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length * segments);
            for (int i = 0; i < segments; i++) {
                buffer.writeBytes(variants[nextVariant]);
                nextVariant = (nextVariant + 1) % variants.length;
            }
            DatagramPacket packet = segments > 1 ? new SegmentedDatagramPacket(buffer, length, target) : new DatagramPacket(buffer, target);
            int count = segments;
            channel.write(packet).addListener(f -> {
                if (f.isSuccess()) sent.addAndGet(count);
                else failed.addAndGet(count);
            });
            owed += segments;
            behind -= segments;
        }
        for (Channel c : channels) c.flush();
    }

    @Override
    public void close() {
        if (pacer != null) pacer.cancel(false);
        for (Channel c : channels) c.close().awaitUninterruptibly();
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** 127.0.0.2 .. 127.0.0.(1 + LOOPBACK_SOURCES) for an IPv4 loopback target, else the wildcard of its family. */
    private static List<InetSocketAddress> sources(InetSocketAddress target) {
        List<InetSocketAddress> out = new ArrayList<>();
        InetAddress address = target.getAddress();
        if (address instanceof Inet4Address && address.isLoopbackAddress()) {
            for (int i = 0; i < LOOPBACK_SOURCES; i++) {
                try {
                    out.add(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}), 0));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        } else {
            out.add(new InetSocketAddress(0));
        }
        return out;
    }

    private static byte[] check(Random random, String username, String password) {
        ByteBuf out = Unpooled.buffer();
        try {
            byte[] transaction = bytes(random, 12);
            new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, transaction)
                    .username(username).priority(random.nextInt() & 0x7fffffff).iceControlling(random.nextLong()).useCandidate()
                    .messageIntegrity(StunIntegrity.shortTerm(password))
                    .fingerprint().finish();
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * A DTLS 1.2 record carrying a ClientHello (RFC 6347 §4.1, §4.2.2; RFC 5246 §7.4.1.2): record header, handshake
     * header, then version, random, empty session id and cookie, one cipher suite, null compression.
     */
    static byte[] clientHello(Random random) {
        ByteBuf hello = Unpooled.buffer();
        try {
            hello.writeShort(0xFEFD).writeBytes(bytes(random, 32)).writeByte(0).writeByte(0)
                    .writeShort(2).writeShort(0xC02B).writeByte(1).writeByte(0);
            int bodyLength = hello.readableBytes();
            ByteBuf record = Unpooled.buffer();
            try {
                record.writeByte(22).writeShort(0xFEFD).writeShort(0).writeMedium(0).writeMedium(random.nextInt(1 << 16))
                        .writeShort(12 + bodyLength)
                        .writeByte(1).writeMedium(bodyLength).writeShort(0).writeMedium(0).writeMedium(bodyLength)
                        .writeBytes(hello);
                return ByteBufUtil.getBytes(record);
            } finally {
                record.release();
            }
        } finally {
            hello.release();
        }
    }

    /** An RTP header (RFC 3550 §5.1, V=2, PT 96) with a random SSRC, 160 bytes of payload and a 16-byte tag. */
    static byte[] srtp(Random random) {
        byte[] packet = bytes(random, 12 + 160 + 16);
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        return packet;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static String letters(Random random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + random.nextInt(26));
        return new String(b, StandardCharsets.US_ASCII);
    }
}
