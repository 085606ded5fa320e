package dev.junction.loadtest;

import dev.junction.transport.socket.DatagramReceiver;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The thin handler around a shaped subscriber's {@link DownlinkBottleneck}: its socket hands every datagram here
 * instead of to the peer's demultiplexer; what leaves the bottleneck goes on to the demultiplexer with the time
 * it left, so the peer's transport-cc feedback reports the arrival after the queue (the server's estimator sees
 * the queueing delay and the drops). A datagram that is due at once (idle link, no delay) goes on inside the same
 * call; the rest are handed on by the loop's {@link Pump}, one 1 ms task per loop for all its shaped peers, so
 * nothing is scheduled (or allocated) per datagram.
 *
 * <p>Threading: everything on the peer's event loop, except {@link #drops} (any thread). Buffers: the socket's
 * datagram is borrowed (the bottleneck copies it); the delivered one is the bottleneck's slot, lent for the call.
 */
final class ShapedDownlink implements DatagramReceiver, DownlinkBottleneck.Delivery {

    /** How often a loop's pump hands out the datagrams that left their bottleneck. */
    static final long PUMP_INTERVAL_NS = 1_000_000L;

    private final DownlinkBottleneck bottleneck;
    private final DatagramReceiver next;
    /** The socket the datagrams came in on; set by the first one, on the loop. */
    private MediaSocket socket;
    private boolean closed;

    ShapedDownlink(long rateBps, int queueLimitBytes, long delayNs, DatagramReceiver next) {
        this.bottleneck = new DownlinkBottleneck(rateBps, queueLimitBytes, delayNs, System.nanoTime(), PooledByteBufAllocator.DEFAULT);
        this.next = next;
    }

    @Override
    public void onDatagram(MediaSocket from, ByteBuf content, InetSocketAddress sender, long nowNs) {
        if (closed) return;
        socket = from;
        bottleneck.handleDatagram(content, sender, nowNs);
        bottleneck.pollDue(nowNs, this);
    }

    @Override
    public void onDelivered(ByteBuf datagram, InetSocketAddress sender, long leftNs) {
        next.onDatagram(socket, datagram, sender, leftNs);
    }

    /** Hands on what is due by now. */
    void poll(long nowNs) {
        if (!closed && bottleneck.nextDeliveryNs() - nowNs <= 0) bottleneck.pollDue(nowNs, this);
    }

    /** Datagrams the bottleneck dropped so far; any thread. */
    long drops() {
        return bottleneck.drops();
    }

    /** Frees the bottleneck's slots; on the loop, after the socket closed. */
    void close() {
        if (closed) return;
        closed = true;
        bottleneck.close();
    }

    /**
     * One loop's shaped peers and the task that serves them every {@link #PUMP_INTERVAL_NS}. The task runs from the
     * first shaped peer until {@link #stop}; a run with no shaped peer has none.
     */
    static final class Pump {
        private final EventLoop loop;
        /** On the loop only. */
        private final List<ShapedDownlink> downlinks = new ArrayList<>();
        private ScheduledFuture<?> task;

        Pump(EventLoop loop) {
            this.loop = loop;
        }

        /** Serves {@code downlink} from now on; any thread. */
        void add(ShapedDownlink downlink) {
            loop.execute(() -> {
                downlinks.add(downlink);
                if (task == null) task = loop.scheduleAtFixedRate(this::run, PUMP_INTERVAL_NS, PUMP_INTERVAL_NS, TimeUnit.NANOSECONDS);
            });
        }

        /** Stops serving {@code downlink} and closes it; any thread. */
        void remove(ShapedDownlink downlink) {
            loop.execute(() -> {
                downlinks.remove(downlink);
                downlink.close();
            });
        }

        private void run() {
            long nowNs = System.nanoTime();
            for (int i = 0; i < downlinks.size(); i++) downlinks.get(i).poll(nowNs);
        }

        /** Ends the task; any thread. */
        void stop() {
            loop.execute(() -> {
                if (task != null) task.cancel(false);
                for (ShapedDownlink d : downlinks) d.close();
                downlinks.clear();
            });
        }
    }
}
