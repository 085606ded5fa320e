package dev.junction.transport.bench;

import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import dev.junction.transport.bwe.BandwidthEstimator;
import dev.junction.transport.bwe.SendHistory;
import dev.junction.transport.bwe.SentKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The estimator's cost per media packet (issue 11, "Performance": no allocation per packet, small CPU), on a
 * steady 2.5 Mbit/s flow with 20 ms of delay and feedback every 10 packets, as one operation per packet:
 * <ul>
 *   <li>{@code feedbackOnly}: baseline, the receiver's part: 10 arrivals into the codec's feedback writer,
 *       the message written and wrapped by the parser;</li>
 *   <li>{@code sendAndFeedback}: the same, plus {@code handlePacketSent} for each of the 10 packets and
 *       {@code handleFeedback} for the message. The estimator's share is this minus the baseline.</li>
 * </ul>
 * Run {@code ./junction bench transport BandwidthEstimatorBench -prof gc} to see the allocation rate too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BandwidthEstimatorBench {

    private static final int BATCH = 10;
    private static final long GAP_NS = 3_840_000; // 1200 bytes at 2.5 Mbit/s

    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
    private final TransportCcFeedback parser = new TransportCcFeedback();
    private BandwidthEstimator estimator;
    private ByteBuf buf;
    private long nowNs;
    private int sequence;

    @Setup
    public void setUp() {
        estimator = new BandwidthEstimator(BandwidthEstimator.Settings.defaults().withStart(2_500_000));
        buf = Unpooled.buffer(1500);
        nowNs = System.nanoTime();
    }

    @TearDown
    public void tearDown() {
        buf.release();
    }

    private void writeFeedback(int firstSequence, long firstSendNs) {
        writer.reset();
        for (int i = 0; i < BATCH; i++) {
            writer.addReceived((firstSequence + i) & 0xFFFF, (firstSendNs + i * GAP_NS + 20_000_000) / 1000);
        }
        buf.clear();
        writer.write(buf, 1, 2, sequence);
        parser.wrap(buf, 0, buf.readableBytes());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void feedbackOnly() {
        writeFeedback(sequence, nowNs);
        sequence = (sequence + BATCH) & 0xFFFF;
        nowNs += BATCH * GAP_NS;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sendAndFeedback() {
        int first = sequence;
        long firstNs = nowNs;
        for (int i = 0; i < BATCH; i++) {
            estimator.handlePacketSent(nowNs, sequence, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
            sequence = (sequence + 1) & 0xFFFF;
            nowNs += GAP_NS;
        }
        writeFeedback(first, firstNs);
        estimator.handleFeedback(nowNs + 40_000_000, parser);
        if (nowNs - estimator.nextTimeoutNs() >= 0) {
            estimator.handleTimeout(nowNs);
        }
        while (estimator.pollProbeCluster() != null) {
            // no pacer here; probe clusters are dropped
        }
        return estimator.targetBitrateBps();
    }
}
