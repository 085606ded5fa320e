package dev.junction.transport.bwe;

import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;

/**
 * One sender and its receiver across the {@link BottleneckLink}, on the simulator's fake clock.
 *
 * <p>Sender: a 30 fps video source producing frames of {@code target / 30} bytes, cut into packets of at
 * most 1200 bytes, queued for the {@link Pacer}; the pacer releases them (and padding while probing),
 * every packet is recorded by the {@link BandwidthEstimator} under a transport-wide sequence number and
 * queued on the link. An encoder drops a frame when its queue already holds half a second.
 *
 * <p>Receiver: records (sequence number, arrival time on its own clock, which is offset from the
 * sender's) and every {@code feedbackIntervalNs} writes TWCC feedback with the codec's
 * {@link TransportCcFeedbackWriter}. Each message starts with the last packet the previous one reported,
 * so that packets lost between two messages are reported as lost (the writer's base must be a received
 * packet); the sender sees that packet twice and must ignore the repeat. Messages travel back over the
 * propagation delay and are parsed with {@link TransportCcFeedback} before the estimator sees them, so the
 * wire format round-trips.
 *
 * <p>With the environment variable {@code BWE_TRACE} set, every flow prints its estimator's state every
 * 250 ms of simulated time into the test's output (for tuning; off in normal runs).
 */
final class SimulatedFlow {

    static final int MEDIA_PACKET_BYTES = 1200;
    static final boolean TRACE = System.getenv("BWE_TRACE") != null;
    private static final long FRAME_INTERVAL_NS = 1_000_000_000L / 30;
    private static final long RECEIVER_CLOCK_OFFSET_NS = 987_654_321_000L;

    final BandwidthEstimator estimator;
    final Pacer pacer;
    private final BottleneckLink link;
    private final long feedbackIntervalNs;
    private final long startNs;

    // Sender.
    private final ArrayDeque<int[]> mediaQueue = new ArrayDeque<>();
    private long mediaQueueBytes;
    private long nextFrameNs;
    private int nextSequence;
    private long mediaLimitBps = Long.MAX_VALUE;

    // Receiver.
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
    private final TransportCcFeedback parser = new TransportCcFeedback();
    private boolean hasLastReported;
    private int lastReportedSequence;
    private long lastReportedArrivalUs;
    private long nextFeedbackNs;
    private int feedbackCount;
    private final ArrayDeque<Object[]> feedbackInFlight = new ArrayDeque<>();

    // Figures.
    long sentBytes;
    long deliveredBytes;
    long paddingBytes;
    long feedbackMessages;
    final Series target = new Series();
    final Series queueDelayMs = new Series();

    SimulatedFlow(BandwidthEstimator.Settings settings, BottleneckLink link, long feedbackIntervalNs, long startNs) {
        this.estimator = new BandwidthEstimator(settings);
        this.pacer = new Pacer(settings.startBps(), Pacer.DEFAULT_PACING_FACTOR);
        this.link = link;
        this.feedbackIntervalNs = feedbackIntervalNs;
        this.startNs = startNs;
        this.nextFrameNs = startNs;
        this.nextFeedbackNs = startNs + feedbackIntervalNs;
    }

    void step(long nowNs) {
        if (nowNs - startNs < 0) {
            return;
        }
        deliverFeedback(nowNs);
        if (nowNs - estimator.nextTimeoutNs() >= 0) {
            estimator.handleTimeout(nowNs);
        }
        afterEstimatorCall();
        produceMedia(nowNs);
        send(nowNs);
        receive(nowNs);
    }

    private void afterEstimatorCall() {
        ProbeCluster cluster;
        while ((cluster = estimator.pollProbeCluster()) != null) {
            pacer.addProbeCluster(cluster);
        }
        pacer.setTargetBitrate(estimator.targetBitrateBps());
    }

    private void produceMedia(long nowNs) {
        while (nowNs - nextFrameNs >= 0) {
            nextFrameNs += FRAME_INTERVAL_NS;
            long frameBytes = Math.min(estimator.targetBitrateBps(), mediaLimitBps) / 8 / 30;
            if (mediaQueueBytes > estimator.targetBitrateBps() / 16) {
                continue; // the encoder skips a frame rather than queue more than half a second
            }
            while (frameBytes > 0) {
                int size = (int) Math.min(MEDIA_PACKET_BYTES, Math.max(frameBytes, 100));
                mediaQueue.add(new int[] {size});
                mediaQueueBytes += size;
                frameBytes -= size;
            }
        }
    }

    private void send(long nowNs) {
        while (!mediaQueue.isEmpty() && pacer.sendableBytes(nowNs) > 0) {
            int size = mediaQueue.poll()[0];
            mediaQueueBytes -= size;
            transmit(nowNs, size, SentKind.MEDIA);
        }
        if (mediaQueue.isEmpty()) {
            long padding;
            while ((padding = pacer.paddingBytes(nowNs)) > 0) {
                int size = (int) Math.clamp(padding, 200, MEDIA_PACKET_BYTES);
                paddingBytes += size;
                transmit(nowNs, size, SentKind.PADDING);
            }
        }
    }

    private void transmit(long nowNs, int size, SentKind kind) {
        int cluster = pacer.onPacketSent(nowNs, size);
        int seq = nextSequence;
        nextSequence = (nextSequence + 1) & 0xFFFF;
        estimator.handlePacketSent(nowNs, seq, size, kind, cluster);
        sentBytes += size;
        long waitNs = link.queueDelayNs(nowNs);
        long arrival = link.enqueue(nowNs, size);
        if (arrival != BottleneckLink.DROPPED) {
            queueDelayMs.add(nowNs - NetworkSimulator.EPOCH_NS, waitNs / 1e6);
            inFlight.add(new long[] {seq, arrival, size});
        }
    }

    private void receive(long nowNs) {
        if (nowNs - nextFeedbackNs < 0) {
            return;
        }
        nextFeedbackNs += feedbackIntervalNs;
        writer.reset();
        if (hasLastReported) {
            writer.addReceived(lastReportedSequence, lastReportedArrivalUs);
        }
        boolean any = false;
        while (!inFlight.isEmpty() && inFlight.peek()[1] <= nowNs) {
            long[] packet = inFlight.poll();
            int seq = (int) packet[0];
            long arrivalUs = (packet[1] + RECEIVER_CLOCK_OFFSET_NS) / 1000;
            deliveredBytes += packet[2];
            if (!writer.addReceived(seq, arrivalUs)) {
                flushFeedback(nowNs);
                writer.reset();
                writer.addReceived(seq, arrivalUs);
            }
            any = true;
            hasLastReported = true;
            lastReportedSequence = seq;
            lastReportedArrivalUs = arrivalUs;
        }
        if (any) {
            flushFeedback(nowNs);
        }
    }

    private void flushFeedback(long nowNs) {
        ByteBuf buf = Unpooled.buffer(writer.encodedLength());
        writer.write(buf, 0x1234, 0x5678, feedbackCount++);
        feedbackInFlight.add(new Object[] {nowNs + link.propagationDelayNs(), buf});
    }

    private void deliverFeedback(long nowNs) {
        while (!feedbackInFlight.isEmpty() && (long) feedbackInFlight.peek()[0] <= nowNs) {
            ByteBuf buf = (ByteBuf) feedbackInFlight.poll()[1];
            try {
                if (!parser.wrap(buf, 0, buf.readableBytes())) {
                    throw new AssertionError("the simulator wrote feedback the codec cannot parse");
                }
                estimator.handleFeedback(nowNs, parser);
                feedbackMessages++;
            } finally {
                buf.release();
            }
            afterEstimatorCall();
        }
    }

    /** Releases feedback still in flight when the simulation ends. */
    void close() {
        while (!feedbackInFlight.isEmpty()) {
            ((ByteBuf) feedbackInFlight.poll()[1]).release();
        }
    }

    /**
     * Limits the media the application produces (an application-limited sender, e.g. a static screen or
     * a viewer whose layers are all below the estimate), and tells the estimator what it would want.
     */
    void limitMedia(long nowNs, long bps, long desiredBps) {
        mediaLimitBps = bps;
        estimator.handleDesiredBitrate(nowNs, desiredBps);
    }

    /** Samples the target bitrate. */
    void sample(long nowNs) {
        target.add(nowNs, estimator.targetBitrateBps());
        if (TRACE && nowNs % (250 * NetworkSimulator.MS) == 0) {
            System.out.printf("t=%6.2f target=%5d delay=%5d loss=%5d acked=%5d %s %s lossFr=%.2f q=%.0fms est.q=%dms alr=%s%n", nowNs / 1e9,
                    estimator.targetBitrateBps() / 1000, estimator.delayBasedBps() / 1000, Math.min(99999, estimator.lossBasedBps() / 1000),
                    estimator.acknowledgedBitrateBps() / 1000, estimator.usage(), estimator.reason(), estimator.lossFraction(),
                    link.queueDelayNs(nowNs + NetworkSimulator.EPOCH_NS) / 1e6, estimator.queueDelayNs() / 1_000_000, estimator.inAlr());
        }
    }
}
