package dev.junction.gateway.browser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lossy, jittery UDP link for the browser tests, where the kernel has no netem: a loopback UDP relay that one
 * browser is pointed at instead of a media socket of the gateway (the page rewrites the port of the answer's
 * candidate, see e2e.html's {@code relay}). Datagrams from the browser go on to the gateway from the relay's
 * second socket; the gateway's answers to that socket go back to the browser.
 *
 * <p>Only the browser-to-gateway direction is impaired, and there only RTP and RTCP (first byte 128..191, RFC 7983
 * §7): each such datagram is dropped with probability {@code lossRate}, else sent on after a uniform random delay
 * of 0..{@code maxDelayMs}, which reorders packets sent less than that apart (as netem's jitter does). STUN and
 * DTLS pass at once: the faults under test are the media's, and a dropped DTLS flight would only cost the
 * handshake a retransmission timeout (1 s, doubling), which would make the setup time, not the repair, the
 * thing a slow run fails on. The draws come from one {@link Random} with a fixed seed, in arrival order.
 * {@link #delayingDownlink} makes the other kind: nothing dropped or reordered, every datagram from the gateway
 * held a fixed time before it goes on to the browser (a long downlink; its rate is a {@link LoopbackShaper}'s job).
 *
 * <p>The first address that sends to the relay is its browser; datagrams from any other source, and datagrams
 * on the gateway side from anyone but the gateway, are counted as strangers and dropped.
 *
 * <p>Threading: one platform thread ("impaired-relay-PORT") owns both sockets, the random source and the delay
 * queue; it waits in a selector until a datagram arrives or the earliest delayed one is due (never longer than
 * {@link #IDLE_WAIT_MS}, so {@link #close()} is noticed even without a wake-up). Counters are atomics read by
 * any thread. {@link #close()} stops the thread, waits for it (bounded) and closes the sockets.
 */
final class ImpairedRelay implements AutoCloseable {

    /**
     * What the relay did so far.
     *
     * @param impaired     RTP/RTCP datagrams from the browser, each subject to loss and delay
     * @param dropped      of those, dropped
     * @param delayed      of those, sent on after a non-zero delay
     * @param reordered    of those, sent on after one that arrived later (reordered by the delay)
     * @param forwarded    RTP/RTCP datagrams sent on to the gateway
     * @param passed       STUN/DTLS datagrams from the browser, passed on at once
     * @param returned     datagrams from the gateway sent back to the browser
     * @param strangers    datagrams from unexpected sources, dropped
     * @param sendFailures sends the kernel refused (socket buffer full), dropped
     */
    record Counts(long impaired, long dropped, long delayed, long reordered, long forwarded, long passed, long returned,
                  long strangers, long sendFailures) {

        /** Dropped RTP/RTCP datagrams over impaired ones. */
        double lossRate() {
            return impaired == 0 ? 0 : (double) dropped / impaired;
        }

        @Override
        public String toString() {
            return String.format("impaired %d, dropped %d (%.1f%%), delayed %d, reordered %d, forwarded %d,"
                            + " STUN/DTLS passed %d, returned %d, strangers %d, send failures %d",
                    impaired, dropped, 100 * lossRate(), delayed, reordered, forwarded, passed, returned, strangers, sendFailures);
        }
    }

    /** Longest selector wait, so that a close without a wake-up is noticed within it. */
    static final long IDLE_WAIT_MS = 100;
    private static final int MAX_DATAGRAM = 65_536;
    /** Socket buffers large enough for a keyframe burst while this thread is descheduled on a busy machine. */
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final long JOIN_TIMEOUT_MS = 5_000;
    /** Index of RTCP in the per-type counts, after the 128 RTP payload types. */
    private static final int RTCP = 128;

    /** A datagram held back until {@code dueNs}. */
    private record Delayed(long dueNs, long arrival, byte[] bytes) { }

    // Passed by argument.
    private final InetSocketAddress server;
    private final double lossRate;
    private final long maxDelayNs;
    /** A fixed delay on the gateway-to-browser direction (every datagram, order kept), 0 for none. */
    private final long returnDelayNs;

    // Allocated by this; owned by the relay thread once started.
    private final Random random;
    private final Selector selector;
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final int port;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final PriorityQueue<Delayed> queue = new PriorityQueue<>(
            Comparator.comparingLong(Delayed::dueNs).thenComparingLong(Delayed::arrival));
    /** Datagrams from the gateway held for {@link #returnDelayNs}, in arrival order (so due in order too). */
    private final java.util.ArrayDeque<Delayed> returns = new java.util.ArrayDeque<>();
    private SocketAddress browser;
    private long arrivals;
    private long highestSentArrival = -1;
    private final Thread thread;

    // Read by any thread.
    private volatile boolean running = true;
    private volatile Throwable failure;
    private final AtomicLong impaired = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong returned = new AtomicLong();
    private final AtomicLong strangers = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    /** Impaired and dropped datagrams by RTP payload type, RTCP at index {@link #RTCP}. */
    private final AtomicLongArray impairedByType = new AtomicLongArray(RTCP + 1);
    private final AtomicLongArray droppedByType = new AtomicLongArray(RTCP + 1);

    private ImpairedRelay(InetSocketAddress server, double lossRate, long maxDelayNs, long returnDelayNs, long seed) throws IOException {
        this.server = server;
        this.lossRate = lossRate;
        this.maxDelayNs = maxDelayNs;
        this.returnDelayNs = returnDelayNs;
        this.random = new Random(seed);
        Selector s = Selector.open();
        DatagramChannel f = null;
        DatagramChannel b = null;
        try {
            f = open(s);
            b = open(s);
            this.port = ((InetSocketAddress) f.getLocalAddress()).getPort();
        } catch (IOException | RuntimeException e) {
            if (f != null) f.close();
            if (b != null) b.close();
            s.close();
            throw e;
        }
        this.selector = s;
        this.front = f;
        this.back = b;
        this.thread = Thread.ofPlatform().name("impaired-relay-" + port()).daemon().unstarted(this::run);
    }

    /**
     * Binds the relay on 127.0.0.1 (a free port) in front of {@code server} and starts its thread.
     *
     * @param lossRate   probability of dropping each RTP/RTCP datagram from the browser, in [0, 1]
     * @param maxDelayMs each kept RTP/RTCP datagram from the browser is delayed by a uniform 0..maxDelayMs
     * @param seed       seed of the drop and delay draws
     */
    static ImpairedRelay start(InetSocketAddress server, double lossRate, int maxDelayMs, long seed) throws IOException {
        if (!(lossRate >= 0 && lossRate <= 1)) throw new IllegalArgumentException("lossRate must be in [0, 1]: " + lossRate);
        if (maxDelayMs < 0) throw new IllegalArgumentException("maxDelayMs must not be negative: " + maxDelayMs);
        ImpairedRelay relay = new ImpairedRelay(server, lossRate, TimeUnit.MILLISECONDS.toNanos(maxDelayMs), 0, seed);
        relay.thread.start();
        return relay;
    }

    /**
     * A relay that delays every datagram from the gateway to the browser by {@code returnDelayMs} (a long downlink:
     * what the gateway sends arrives that much later, in order) and passes the other direction at once.
     */
    static ImpairedRelay delayingDownlink(InetSocketAddress server, int returnDelayMs) throws IOException {
        if (returnDelayMs <= 0) throw new IllegalArgumentException("returnDelayMs must be positive: " + returnDelayMs);
        ImpairedRelay relay = new ImpairedRelay(server, 0, 0, TimeUnit.MILLISECONDS.toNanos(returnDelayMs), 0);
        relay.thread.start();
        return relay;
    }

    private static DatagramChannel open(Selector selector) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The port the browser is to send to. */
    int port() {
        return port;
    }

    /** The port the gateway sends its datagrams for the browser to (a shaper can tell this relay's downlink by it). */
    int gatewaySidePort() {
        try {
            return ((InetSocketAddress) back.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The gateway's media socket this relay forwards to. */
    InetSocketAddress server() {
        return server;
    }

    Counts counts() {
        return new Counts(impaired.get(), dropped.get(), delayed.get(), reordered.get(), forwarded.get(), passed.get(),
                returned.get(), strangers.get(), sendFailures.get());
    }

    /** Dropped of impaired datagrams by kind, e.g. {@code "pt 96: 45/900, pt 97: 3/60, rtcp: 5/100"}. */
    String droppedByType() {
        StringBuilder out = new StringBuilder();
        for (int type = 0; type <= RTCP; type++) {
            long n = impairedByType.get(type);
            if (n == 0) continue;
            if (!out.isEmpty()) out.append(", ");
            out.append(type == RTCP ? "rtcp" : "pt " + type).append(": ").append(droppedByType.get(type)).append('/').append(n);
        }
        return out.toString();
    }

    /** The exception that stopped the relay thread, or null while it runs (or after a clean close). */
    Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            while (running) {
                long nowNs = System.nanoTime();
                sendDue(nowNs);
                long waitMs = IDLE_WAIT_MS;
                Delayed next = queue.peek();
                Delayed nextReturn = returns.peek();
                if (next == null || nextReturn != null && nextReturn.dueNs() - next.dueNs() < 0) next = nextReturn;
                if (next != null) {
                    // Rounded up, and at least 1: select(0) would wait for ever.
                    waitMs = Math.clamp((next.dueNs() - nowNs + 999_999) / 1_000_000, 1, IDLE_WAIT_MS);
                }
                selector.select(waitMs);
                selector.selectedKeys().clear();
                drainFront();
                drainBack();
            }
        } catch (ClosedSelectorException e) {
            // close() won the race; nothing to report.
        } catch (IOException | RuntimeException e) {
            if (running) failure = e;
        }
    }

    /** Reads every datagram the browser has sent: STUN/DTLS straight on, RTP/RTCP through loss and delay. */
    private void drainFront() throws IOException {
        SocketAddress source;
        while ((source = receive(front)) != null) {
            if (browser == null) browser = source;
            if (!browser.equals(source)) {
                strangers.incrementAndGet();
                continue;
            }
            int first = buffer.remaining() > 0 ? buffer.get(0) & 0xFF : -1;
            if (first < 128 || first > 191) {
                passed.incrementAndGet();
                send(back, buffer, server);
                continue;
            }
            impaired.incrementAndGet();
            // RFC 5761 §4: second byte 192..223 is RTCP (packet types 200..206 there); else marker bit and payload type.
            int second = buffer.remaining() > 1 ? buffer.get(1) & 0xFF : 0;
            int type = second >= 192 && second <= 223 ? RTCP : second & 0x7F;
            impairedByType.incrementAndGet(type);
            if (random.nextDouble() < lossRate) {
                dropped.incrementAndGet();
                droppedByType.incrementAndGet(type);
                continue;
            }
            long delayNs = maxDelayNs == 0 ? 0 : random.nextLong(maxDelayNs + 1);
            if (delayNs > 0) delayed.incrementAndGet();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            queue.add(new Delayed(System.nanoTime() + delayNs, arrivals++, bytes));
        }
        sendDue(System.nanoTime());
    }

    /** Reads every datagram on the gateway side and sends the gateway's back to the browser. */
    private void drainBack() throws IOException {
        SocketAddress source;
        while ((source = receive(back)) != null) {
            if (!server.equals(source) || browser == null) {
                strangers.incrementAndGet();
                continue;
            }
            returned.incrementAndGet();
            if (returnDelayNs == 0) {
                send(front, buffer, browser);
            } else {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                returns.add(new Delayed(System.nanoTime() + returnDelayNs, 0, bytes));
            }
        }
        sendDue(System.nanoTime());
    }

    /** Sends every delayed datagram due at {@code nowNs}, earliest first. */
    private void sendDue(long nowNs) throws IOException {
        Delayed d;
        while ((d = queue.peek()) != null && d.dueNs() - nowNs <= 0) {
            queue.poll();
            if (d.arrival() < highestSentArrival) reordered.incrementAndGet();
            else highestSentArrival = d.arrival();
            forwarded.incrementAndGet();
            send(back, ByteBuffer.wrap(d.bytes()), server);
        }
        while ((d = returns.peek()) != null && d.dueNs() - nowNs <= 0) {
            returns.poll();
            send(front, ByteBuffer.wrap(d.bytes()), browser);
        }
    }

    /** One datagram from {@code channel} into {@link #buffer} (flipped), or null when there is none. */
    private SocketAddress receive(DatagramChannel channel) throws IOException {
        buffer.clear();
        SocketAddress source = channel.receive(buffer);
        buffer.flip();
        return source;
    }

    private void send(DatagramChannel channel, ByteBuffer datagram, SocketAddress to) throws IOException {
        if (channel.send(datagram, to) == 0) sendFailures.incrementAndGet();
    }

    /** Stops the thread (waiting at most a few seconds), drops what is still delayed and closes the sockets. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(JOIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : new AutoCloseable[] {front, back, selector}) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing a socket of our own; nothing to recover.
            }
        }
        if (thread.isAlive()) throw new IllegalStateException("relay thread " + thread.getName() + " did not stop");
    }

    @Override
    public String toString() {
        return "ImpairedRelay[127.0.0.1:" + port() + " -> " + server + ", loss " + lossRate + ", delay 0.." + maxDelayNs / 1_000_000
                + " ms, downlink delay " + returnDelayNs / 1_000_000 + " ms]";
    }
}
