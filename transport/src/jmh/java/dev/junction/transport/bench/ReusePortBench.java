package dev.junction.transport.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Issue 5: one UDP port per media loop (today, DESIGN §3.2) against one port shared by every loop with
 * {@code SO_REUSEPORT}, over real loopback UDP with two epoll server loops.
 *
 * <p>K client sockets (one per session, on their own client loop) send 1200-byte datagrams at a fixed
 * total rate. Each session is owned by one server loop; the owner "handles" a datagram the way the media
 * path does per forwarded copy: copy into a pooled heap buffer, rewrite 4 bytes, and write it back to the
 * sender, flushed once per read burst (sendmmsg) or once per loop turn outside a burst, as
 * {@code MediaSocket} does. Modes:
 * <ul>
 *   <li>{@code port-per-loop}: loop {@code i} binds its own port, sessions are split evenly by the port
 *       the answer gave them, so every datagram lands on its owner.</li>
 *   <li>{@code reuseport+handoff}: both loops bind one port; session {@code c} is owned by loop
 *       {@code c % 2} (chosen by the server, as a room's loop is). The kernel picks the socket by a hash of
 *       the 4-tuple, so a datagram landing on the other loop is retained and passed with one
 *       {@code execute} per datagram; the owner replies on its own socket (same local port, same 5-tuple).</li>
 *   <li>{@code reuseport+batched-handoff}: the same, but handed-over datagrams go through an MPSC queue
 *       and the owner is woken once per read burst: the cheapest handoff we know how to write.</li>
 *   <li>{@code reuseport+follow-kernel}: the session is owned by whichever loop first receives from it, so
 *       nothing is handed over; the server no longer chooses the loop.</li>
 * </ul>
 *
 * <p>Measured per mode from the loop threads themselves (per-thread CPU from {@link ThreadMXBean}, read
 * on the loop together with its counters): datagrams handled per second, server CPU per handled datagram
 * (both loops summed; on loopback it includes the kernel's delivery of the echo to the client socket,
 * the same in every mode), the fraction handed over, and how the kernel split received datagrams and how
 * the handling work split across the two loops, and for handed-over datagrams the delay from the read on
 * one loop to the handling on the other. Modes are interleaved over several rounds and medians reported,
 * with each mode's CPU also compared to port-per-loop within the same round, because the machine is shared.
 *
 * <p>Threading: each {@link ServerSocket} is touched only by its loop except its handoff inbox (MPSC);
 * the {@link Clients} only by the client loop; main thread only submits tasks and reads snapshots.
 * Buffers: inbound datagrams are released in {@code channelRead}; a handed-over one is retained before
 * the handoff and released by the owner after handling; every written copy belongs to Netty.
 *
 * <p>Run: {@code ./junction bench transport --main ReusePortBench [rounds=8] [measureMs=900] [ratePerS=100000] [clients=64]}
 */
public final class ReusePortBench {

    private static final int LOOPS = 2;
    private static final int DATAGRAM_BYTES = 1200;
    private static final int MAX_DATAGRAM_BYTES = 2048;
    private static final int DATAGRAMS_PER_READ = 32;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final long PACER_TICK_US = 250;
    /** Where the client stamps its send time; the server's 4-byte rewrite at offset 8 leaves it alone. */
    private static final int SENT_AT_OFFSET = 12;
    private static final int RTT_BUCKETS = 16_384;
    private static final int WARM_UP_MS = 300;
    /** Handoff delay histogram: 1 µs buckets, the last one collects everything longer. */
    private static final int DELAY_BUCKETS = 4096;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    enum Mode {
        PORT_PER_LOOP("port-per-loop", false),
        REUSEPORT_HANDOFF("reuseport+handoff", true),
        REUSEPORT_BATCHED_HANDOFF("reuseport+batched-handoff", true),
        REUSEPORT_FOLLOW_KERNEL("reuseport+follow-kernel", true);

        final String label;
        final boolean reusePort;

        Mode(String label, boolean reusePort) {
            this.label = label;
            this.reusePort = reusePort;
        }
    }

    /** One mode's figures for one run; percentages are 0..100, the splits are loop 0's share. */
    record Result(Mode mode, double offeredPerS, double handledPerS, double lossPct, double cpuNsPerDatagram,
                  double handedOverPct, double rxSplit0Pct, double workSplit0Pct, double busy0Pct, double busy1Pct,
                  double handoffP50Us, double handoffP99Us, double rttP50Us, double rttP99Us, long unknown) {

        String line() {
            return String.format("%-26s offered %,7.0f/s  handled %,7.0f/s (loss %.2f%%)  server CPU %5.2f µs/dgram  rtt p50 %4.0f / p99 %5.0f µs  handed over %4.1f%%%s  rx split %2.0f/%2.0f  work split %2.0f/%2.0f  loop busy %2.0f%%/%2.0f%%",
                    mode.label, offeredPerS, handledPerS, lossPct, cpuNsPerDatagram / 1000, rttP50Us, rttP99Us, handedOverPct,
                    handedOverPct > 0 ? String.format(" (handoff delay p50 %.0f µs, p99 %.0f µs)", handoffP50Us, handoffP99Us) : "",
                    rxSplit0Pct, 100 - rxSplit0Pct, workSplit0Pct, 100 - workSplit0Pct, busy0Pct, busy1Pct);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = intArg(args, 0, 8);
        int measureMs = intArg(args, 1, 900);
        int ratePerS = intArg(args, 2, 100_000);
        int clients = intArg(args, 3, 64);
        if (!Epoll.isAvailable()) throw new IllegalStateException("epoll unavailable", Epoll.unavailabilityCause());
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(LOOPS, new DefaultThreadFactory("bench-server"), EpollIoHandler.newFactory());
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-client"), EpollIoHandler.newFactory());
        try {
            EventLoop[] loops = new EventLoop[LOOPS];
            Iterator<EventExecutor> it = serverGroup.iterator();
            for (int i = 0; i < LOOPS; i++) loops[i] = (EventLoop) it.next();
            EventLoop clientLoop = (EventLoop) clientGroup.next();
            System.out.printf("reuseport bench: %d epoll server loops, %d client sockets on 1 client loop, %d-byte datagrams at %,d/s total, 127.0.0.1, %d rounds x %d modes x %d ms (+%d ms warm-up each), %d CPUs%n",
                    LOOPS, clients, DATAGRAM_BYTES, ratePerS, rounds, Mode.values().length, measureMs, WARM_UP_MS, Runtime.getRuntime().availableProcessors());

            Mode[] modes = Mode.values();
            for (Mode m : modes) runMode(m, loops, clientLoop, clients, ratePerS, 300); // JIT warm-up, discarded
            Map<Mode, List<Result>> results = new EnumMap<>(Mode.class);
            // CPU per datagram relative to port-per-loop in the same round: adjacent in time, so slow drift in
            // what else the shared machine runs cancels out better than in the absolute medians.
            Map<Mode, List<Double>> ratios = new EnumMap<>(Mode.class);
            for (int r = 0; r < rounds; r++) {
                Map<Mode, Result> round = new EnumMap<>(Mode.class);
                for (int k = 0; k < modes.length; k++) {
                    Mode m = modes[(k + r) % modes.length]; // rotate the order so no mode always runs first
                    Result res = runMode(m, loops, clientLoop, clients, ratePerS, measureMs);
                    round.put(m, res);
                    results.computeIfAbsent(m, x -> new ArrayList<>()).add(res);
                    System.out.println("round " + (r + 1) + "  " + res.line());
                }
                double base = round.get(Mode.PORT_PER_LOOP).cpuNsPerDatagram;
                for (Mode m : modes) ratios.computeIfAbsent(m, x -> new ArrayList<>()).add(round.get(m).cpuNsPerDatagram / base - 1);
            }

            Map<Mode, Result> median = new EnumMap<>(Mode.class);
            Map<Mode, Double> ratio = new EnumMap<>(Mode.class);
            System.out.println();
            for (Mode m : modes) {
                Result med = median(m, results.get(m));
                median.put(m, med);
                List<Double> rs = ratios.get(m);
                ratio.put(m, medianOf(rs.stream().mapToDouble(Double::doubleValue).toArray()));
                System.out.printf("SUMMARY (median of %d)  %s  CPU vs port-per-loop %+.1f%% [%+.0f%%..%+.0f%%]%s%n", rounds, med.line(),
                        100 * ratio.get(m), 100 * rs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        100 * rs.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                        med.unknown > 0 ? "  UNKNOWN SENDERS " + med.unknown : "");
            }
            System.out.println(conclusion(median, ratio, ratios));
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID) {
            // A leaked buffer is reported once it has been collected and the detector next tracks a buffer.
            System.gc();
            Thread.sleep(200);
            for (int i = 0; i < 64; i++) ALLOC.heapBuffer(16).release();
            System.out.println("leak check (paranoid): any leak is logged above as LEAK");
        }
    }

    /**
     * A mode differs from port-per-loop only when the median paired difference exceeds this and all rounds
     * but one agree on the sign: on a shared 2-core machine single rounds swing by ±15%.
     */
    private static final double NOISE = 0.03;

    /** -1 measurably cheaper than port-per-loop, +1 measurably dearer, 0 within noise. */
    private static int verdict(List<Double> ratios, double median) {
        long cheaper = ratios.stream().filter(r -> r < 0).count();
        long dearer = ratios.stream().filter(r -> r > 0).count();
        int n = ratios.size();
        if (n < 4) return 0; // too few rounds to call anything on this machine
        if (median < -NOISE && cheaper >= n - 1) return -1;
        if (median > NOISE && dearer >= n - 1) return 1;
        return 0;
    }

    private static String conclusion(Map<Mode, Result> m, Map<Mode, Double> ratio, Map<Mode, List<Double>> ratios) {
        Mode best = ratio.get(Mode.REUSEPORT_BATCHED_HANDOFF) <= ratio.get(Mode.REUSEPORT_HANDOFF)
                ? Mode.REUSEPORT_BATCHED_HANDOFF : Mode.REUSEPORT_HANDOFF;
        int v = verdict(ratios.get(best), ratio.get(best));
        Result ppl = m.get(Mode.PORT_PER_LOOP);
        Result handoff = m.get(best);
        Result follow = m.get(Mode.REUSEPORT_FOLLOW_KERNEL);
        String verdict = switch (v) {
            case -1 -> "SWITCH to one port with SO_REUSEPORT + handoff, measurably cheaper per datagram here";
            case 1 -> "KEEP port-per-loop: SO_REUSEPORT with server-chosen owners costs measurably more CPU";
            default -> "KEEP port-per-loop: SO_REUSEPORT gains no CPU within noise and adds a cross-loop hop";
        };
        return String.format("CONCLUSION: %s. The kernel hashes the 4-tuple, so %.0f%% of datagrams reach the other loop and are handed over; CPU/datagram vs port-per-loop: "
                        + "batched handoff %+.1f%%, per-datagram execute %+.1f%% (paired medians); a handed-over datagram waits p50 %.0f / p99 %.0f µs "
                        + "for its owner loop; round trip p50 %.0f µs vs %.0f µs. Following the kernel's hash needs no handoff (%+.1f%%, %s) "
                        + "but the kernel, not the server, picks each session's loop (median split %.0f/%.0f), so a room's sessions land on random loops.",
                verdict, handoff.handedOverPct, 100 * ratio.get(Mode.REUSEPORT_BATCHED_HANDOFF), 100 * ratio.get(Mode.REUSEPORT_HANDOFF),
                handoff.handoffP50Us, handoff.handoffP99Us, handoff.rttP50Us, ppl.rttP50Us,
                100 * ratio.get(Mode.REUSEPORT_FOLLOW_KERNEL),
                switch (verdict(ratios.get(Mode.REUSEPORT_FOLLOW_KERNEL), ratio.get(Mode.REUSEPORT_FOLLOW_KERNEL))) {
                    case -1 -> "measurably cheaper";
                    case 1 -> "measurably dearer";
                    default -> "within noise";
                },
                follow.workSplit0Pct, 100 - follow.workSplit0Pct);
    }

    private static Result median(Mode mode, List<Result> rs) {
        return new Result(mode, med(rs, Result::offeredPerS), med(rs, Result::handledPerS), med(rs, Result::lossPct),
                med(rs, Result::cpuNsPerDatagram), med(rs, Result::handedOverPct), med(rs, Result::rxSplit0Pct),
                med(rs, Result::workSplit0Pct), med(rs, Result::busy0Pct), med(rs, Result::busy1Pct),
                med(rs, Result::handoffP50Us), med(rs, Result::handoffP99Us), med(rs, Result::rttP50Us), med(rs, Result::rttP99Us), rs.stream().mapToLong(Result::unknown).sum());
    }

    private static double med(List<Result> rs, ToDoubleFunction<Result> f) {
        return medianOf(rs.stream().mapToDouble(f).toArray());
    }

    private static double medianOf(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    // ---------------------------------------------------------------------------------------------------

    /** Binds sockets for {@code mode}, sends for warm-up + {@code measureMs}, drains, closes everything. */
    private static Result runMode(Mode mode, EventLoop[] loops, EventLoop clientLoop, int clientCount, int ratePerS, int measureMs)
            throws Exception {
        ServerSocket[] servers = new ServerSocket[LOOPS];
        Clients clients = new Clients(clientLoop, ratePerS);
        try {
            int sharedPort = 0;
            for (int i = 0; i < LOOPS; i++) {
                servers[i] = new ServerSocket(i, mode, servers, loops[i]);
                servers[i].bind(mode.reusePort ? sharedPort : 0);
                if (i == 0) sharedPort = servers[0].localAddress().getPort();
            }
            for (int c = 0; c < clientCount; c++) {
                // Port per loop: the answer gives session c the port of its owner's loop, c % LOOPS.
                InetSocketAddress target = servers[mode.reusePort ? 0 : c % LOOPS].localAddress();
                clients.add(c, target);
            }
            Map<InetSocketAddress, Session> directory = new HashMap<>();
            for (int c = 0; c < clientCount; c++) {
                InetSocketAddress remote = clients.localAddress(c);
                directory.put(remote, new Session(remote, mode == Mode.REUSEPORT_FOLLOW_KERNEL ? -1 : c % LOOPS));
            }
            // submit().sync() publishes the directory to each loop before the first datagram.
            for (ServerSocket s : servers) s.loop.submit(() -> s.install(directory)).syncUninterruptibly();

            clientLoop.submit(clients::start).syncUninterruptibly();
            Thread.sleep(WARM_UP_MS);
            Snapshot[] a = snapshot(servers);
            long sentA = clientLoop.submit(() -> clients.sent).get();
            long[] rttA = clientLoop.submit(clients::rttSnapshot).get();
            long wallA = System.nanoTime();
            Thread.sleep(measureMs);
            Snapshot[] b = snapshot(servers);
            long sentB = clientLoop.submit(() -> clients.sent).get();
            long[] rttB = clientLoop.submit(clients::rttSnapshot).get();
            long wallB = System.nanoTime();
            clientLoop.submit(clients::stop).syncUninterruptibly();
            quiesce(servers);

            double wallS = (wallB - wallA) / 1e9;
            long rx0 = b[0].received - a[0].received, rx1 = b[1].received - a[1].received;
            long work0 = b[0].handled - a[0].handled, work1 = b[1].handled - a[1].handled;
            long handled = work0 + work1;
            long handedOut = (b[0].handedOut - a[0].handedOut) + (b[1].handedOut - a[1].handedOut);
            long cpu0 = b[0].cpuNs - a[0].cpuNs, cpu1 = b[1].cpuNs - a[1].cpuNs;
            long sent = sentB - sentA;
            long unknown = b[0].unknown + b[1].unknown;
            long[] delays = new long[DELAY_BUCKETS];
            for (int i = 0; i < LOOPS; i++) for (int k = 0; k < DELAY_BUCKETS; k++) delays[k] += b[i].delayUs[k] - a[i].delayUs[k];
            long[] rtts = new long[RTT_BUCKETS];
            for (int k = 0; k < RTT_BUCKETS; k++) rtts[k] = rttB[k] - rttA[k];
            return new Result(mode, sent / wallS, handled / wallS, Math.max(0, 100.0 * (sent - (rx0 + rx1)) / Math.max(sent, 1)),
                    (cpu0 + cpu1) / (double) Math.max(handled, 1), 100.0 * handedOut / Math.max(rx0 + rx1, 1),
                    100.0 * rx0 / Math.max(rx0 + rx1, 1), 100.0 * work0 / Math.max(handled, 1),
                    100.0 * cpu0 / (wallB - wallA), 100.0 * cpu1 / (wallB - wallA),
                    percentileUs(delays, 0.50), percentileUs(delays, 0.99), percentileUs(rtts, 0.50), percentileUs(rtts, 0.99), unknown);
        } finally {
            clientLoop.submit(clients::stop).syncUninterruptibly();
            for (ServerSocket s : servers) if (s != null) s.close();
            clients.close();
        }
    }

    /** Waits until both loops stop receiving (in-flight datagrams and handoffs done), at most 1 s. */
    private static void quiesce(ServerSocket[] servers) throws Exception {
        long previous = -1;
        for (int i = 0; i < 50; i++) {
            Thread.sleep(20);
            Snapshot[] s = snapshot(servers);
            long done = s[0].received + s[1].received + s[0].handled + s[1].handled;
            if (done == previous && servers[0].inbox.isEmpty() && servers[1].inbox.isEmpty()) return;
            previous = done;
        }
    }

    private static Snapshot[] snapshot(ServerSocket[] servers) throws Exception {
        Snapshot[] out = new Snapshot[servers.length];
        for (int i = 0; i < servers.length; i++) {
            ServerSocket s = servers[i];
            out[i] = s.loop.submit(s::snapshot).get();
        }
        return out;
    }

    private static double percentileUs(long[] histogram, double q) {
        long total = 0;
        for (long n : histogram) total += n;
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int us = 0; us < histogram.length; us++) {
            seen += histogram[us];
            if (seen >= rank) return us;
        }
        return histogram.length - 1;
    }

    private static int intArg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    private static void configure(EpollDatagramChannel channel, boolean reusePort) {
        var config = channel.config();
        config.setAllocator(ALLOC);
        config.setOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        config.setOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        config.setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM_BYTES);
        config.setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES * DATAGRAMS_PER_READ));
        if (reusePort) config.setOption(EpollChannelOption.SO_REUSEPORT, true);
    }

    // ---------------------------------------------------------------------------------------------------

    /** A client 4-tuple and the loop that owns it; {@code owner} is -1 until claimed in follow-kernel mode. */
    static final class Session {
        final InetSocketAddress remote;
        final AtomicInteger owner;

        Session(InetSocketAddress remote, int owner) {
            this.remote = remote;
            this.owner = new AtomicInteger(owner);
        }
    }

    record Snapshot(long cpuNs, long received, long handled, long handedOut, long unknown, long[] delayUs) {
    }

    /** A datagram handed to another loop's inbox, with when the receiving loop read it. */
    record Handover(DatagramPacket packet, long readNs) {
    }

    /**
     * One server loop's socket and its sessions, modelled on {@code MediaSocket} + {@code MediaDemux}: a
     * local map of owned sessions looked up per datagram; on a miss, the shared (read-only) directory says
     * who owns it. Counters are plain fields, written and read only on {@link #loop}.
     */
    static final class ServerSocket extends ChannelInboundHandlerAdapter {
        final int index;
        final Mode mode;
        final ServerSocket[] all;
        final EventLoop loop;
        /** Handed-over datagrams (retained) waiting for this loop, in batched mode; any thread offers. */
        final Queue<Handover> inbox = PlatformDependent.newMpscQueue();
        final AtomicBoolean drainScheduled = new AtomicBoolean();
        private final Runnable drainTask = this::drainInbox;
        private final Runnable flushTask = this::flushNow;
        private final boolean[] handedTo = new boolean[LOOPS];
        private final Map<InetSocketAddress, Session> owned = new HashMap<>();
        private Map<InetSocketAddress, Session> directory = Map.of();
        private EpollDatagramChannel channel;
        private boolean inReadBurst;
        private boolean flushScheduled;
        private int pendingWrites;
        private long received;
        private long handled;
        private long handedOut;
        private long unknown;
        /** Read on the other loop to handled here, per handed-over datagram, in µs buckets. */
        private final long[] delayUs = new long[DELAY_BUCKETS];

        ServerSocket(int index, Mode mode, ServerSocket[] all, EventLoop loop) {
            this.index = index;
            this.mode = mode;
            this.all = all;
            this.loop = loop;
        }

        void bind(int port) {
            channel = new EpollDatagramChannel();
            configure(channel, mode.reusePort);
            channel.pipeline().addLast(this);
            loop.register(channel).syncUninterruptibly();
            channel.bind(new InetSocketAddress("127.0.0.1", port)).syncUninterruptibly();
        }

        InetSocketAddress localAddress() {
            return channel.localAddress();
        }

        void install(Map<InetSocketAddress, Session> directory) {
            this.directory = directory;
            for (Session s : directory.values()) if (s.owner.get() == index) owned.put(s.remote, s);
        }

        Snapshot snapshot() {
            return new Snapshot(THREADS.getCurrentThreadCpuTime(), received, handled, handedOut, unknown, delayUs.clone());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof DatagramPacket packet)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            inReadBurst = true;
            received++;
            try {
                Session session = owned.get(packet.sender());
                if (session != null) handle(session, packet.content());
                else onNotOwned(packet);
            } finally {
                packet.release();
            }
        }

        private void onNotOwned(DatagramPacket packet) {
            Session session = directory.get(packet.sender());
            if (session == null) {
                unknown++;
                return;
            }
            if (mode == Mode.REUSEPORT_FOLLOW_KERNEL && session.owner.compareAndSet(-1, index)) {
                owned.put(session.remote, session); // first datagram from this 4-tuple: the kernel chose us
                handle(session, packet.content());
                return;
            }
            ServerSocket target = all[session.owner.get()];
            handedOut++;
            if (mode == Mode.REUSEPORT_BATCHED_HANDOFF) {
                target.inbox.offer(new Handover(packet.retain(), System.nanoTime()));
                handedTo[target.index] = true;
            } else {
                ByteBuf content = packet.content().retain();
                long readNs = System.nanoTime();
                target.loop.execute(() -> target.onHandedOver(session, content, readNs));
            }
        }

        /** On the owner's loop: one datagram handed over with its own task; releases it. */
        private void onHandedOver(Session session, ByteBuf content, long readNs) {
            try {
                recordDelay(readNs);
                handle(session, content);
            } finally {
                content.release();
            }
        }

        /** On the owner's loop: every datagram queued since the last drain, then one flush. */
        private void drainInbox() {
            drainScheduled.set(false); // before polling, so an offer racing with the last poll schedules again
            Handover h;
            while ((h = inbox.poll()) != null) {
                DatagramPacket p = h.packet();
                try {
                    recordDelay(h.readNs());
                    Session session = owned.get(p.sender());
                    if (session != null) handle(session, p.content());
                    else unknown++;
                } finally {
                    p.release();
                }
            }
            flushNow();
        }

        private void recordDelay(long readNs) {
            delayUs[(int) Math.min(DELAY_BUCKETS - 1, (System.nanoTime() - readNs) / 1000)]++;
        }

        /** The per-datagram work of a forwarded copy, less the crypto: pooled heap copy, rewrite, queue the send. */
        private void handle(Session session, ByteBuf content) {
            int length = content.readableBytes();
            ByteBuf copy = ALLOC.heapBuffer(length + 16);
            copy.writeBytes(content, content.readerIndex(), length);
            copy.setInt(8, 0x0BADCAFE);
            handled++;
            channel.write(new DatagramPacket(copy, session.remote), channel.voidPromise());
            pendingWrites++;
            if (!inReadBurst && !flushScheduled) {
                flushScheduled = true;
                loop.execute(flushTask);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inReadBurst = false;
            for (int i = 0; i < LOOPS; i++) {
                if (!handedTo[i]) continue;
                handedTo[i] = false;
                ServerSocket target = all[i];
                if (target.drainScheduled.compareAndSet(false, true)) target.loop.execute(target.drainTask);
            }
            flushNow();
        }

        private void flushNow() {
            flushScheduled = false;
            if (pendingWrites > 0) {
                pendingWrites = 0;
                channel.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable while the other side closes: not an error for the bench.
        }

        /** Closes the socket, then releases anything still queued for this loop. */
        void close() {
            if (channel == null) return;
            channel.close().syncUninterruptibly();
            loop.submit(() -> {
                Handover h;
                while ((h = inbox.poll()) != null) h.packet().release();
            }).syncUninterruptibly();
        }
    }

    /**
     * The client sockets, all on one client loop: a pacer task every {@value #PACER_TICK_US} µs sends what the
     * fixed total rate says is due, once to every socket per cycle in a freshly shuffled order (a fixed
     * round-robin would make port-per-loop's arrivals strictly alternate between the loops while the
     * kernel's hash gives runs, and runs batch better in recvmmsg: in an earlier version that made
     * follow-kernel look 4-12% cheaper than port-per-loop; browsers send independently, so a random interleaving is also the more
     * realistic one), each datagram flushed as soon as it is
     * written (a browser sends its own packets), and stamped with its send time so the echo gives a round trip.
     * Echoes are timed into a histogram and released.
     */
    static final class Clients {
        private final EventLoop loop;
        private final double ratePerNs;
        private final List<EpollDatagramChannel> channels = new ArrayList<>();
        private final List<InetSocketAddress> targets = new ArrayList<>();
        private final List<ByteBuf> templates = new ArrayList<>();
        /** Send-to-echo round trip per datagram, in µs buckets; the last one collects everything longer. */
        private final long[] rttUs = new long[RTT_BUCKETS];
        private ScheduledFuture<?> pacer;
        private long startNs;
        private long due;
        private int next;
        /** Send order over the sockets, reshuffled every cycle (see {@link #tick}). */
        private int[] order;
        private final SplittableRandom random = new SplittableRandom(5);
        long sent;

        Clients(EventLoop loop, int ratePerS) {
            this.loop = loop;
            this.ratePerNs = ratePerS / 1e9;
        }

        void add(int index, InetSocketAddress target) {
            EpollDatagramChannel ch = new EpollDatagramChannel();
            configure(ch, false);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof DatagramPacket echo && echo.content().readableBytes() >= SENT_AT_OFFSET + 8) {
                        long rtt = (System.nanoTime() - echo.content().getLong(echo.content().readerIndex() + SENT_AT_OFFSET)) / 1000;
                        rttUs[(int) Math.max(0, Math.min(RTT_BUCKETS - 1, rtt))]++;
                    }
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                }
            });
            channels.add(ch); // before bind, so close() closes it even when the bind fails
            loop.register(ch).syncUninterruptibly();
            ch.bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly();
            ByteBuf template = ALLOC.directBuffer(DATAGRAM_BYTES);
            template.writeByte(0x80).writeByte(96).writeShort(0).writeInt(0).writeInt(index); // RTP-like header
            template.writeZero(DATAGRAM_BYTES - template.readableBytes());
            targets.add(target);
            templates.add(template);
        }

        InetSocketAddress localAddress(int index) {
            return channels.get(index).localAddress();
        }

        long[] rttSnapshot() {
            return rttUs.clone();
        }

        /** Fisher-Yates, so each cycle over the sockets comes in a fresh order. */
        private void shuffle(int[] a) {
            for (int i = a.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }

        void start() {
            startNs = System.nanoTime();
            order = new int[channels.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            pacer = loop.scheduleAtFixedRate(this::tick, 0, PACER_TICK_US, TimeUnit.MICROSECONDS);
        }

        void stop() {
            if (pacer != null) pacer.cancel(false);
        }

        private void tick() {
            long target = (long) ((System.nanoTime() - startNs) * ratePerNs);
            long n = target - due;
            long cap = Math.max(1, (long) (ratePerNs * 20_000_000)); // after a stall, send at most 20 ms' worth at once
            due = target;
            if (n > cap) n = cap;
            int count = channels.size();
            for (long k = 0; k < n; k++) {
                if (next == 0) shuffle(order);
                int c = order[next];
                next = next + 1 == count ? 0 : next + 1;
                ByteBuf template = templates.get(c);
                ByteBuf datagram = ALLOC.directBuffer(DATAGRAM_BYTES).writeBytes(template, template.readerIndex(), DATAGRAM_BYTES);
                datagram.setLong(SENT_AT_OFFSET, System.nanoTime());
                channels.get(c).writeAndFlush(new DatagramPacket(datagram, targets.get(c)), channels.get(c).voidPromise());
            }
            sent += n;
        }

        void close() {
            for (EpollDatagramChannel ch : channels) if (ch.isRegistered()) ch.close().syncUninterruptibly();
            loop.submit(() -> {
                for (ByteBuf t : templates) t.release();
                templates.clear();
            }).syncUninterruptibly();
        }
    }
}
