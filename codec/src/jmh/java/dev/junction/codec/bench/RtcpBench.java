package dev.junction.codec.bench;

import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.Remb;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtcp.SourceDescription;
import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-datagram RTCP cost: walk a compound packet and read every packet in it through its flyweight, for
 * the four shapes the SFU receives most (SR+SDES from publishers; RR+REMB, transport-wide CC feedback
 * and NACK from subscribers), plus the two writers the SFU runs per feedback interval. Run with
 * {@code -prof gc}: the target is 0 B/op.
 *
 * <pre>./junction bench codec RtcpBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtcpBench {

    /** Packets in the TWCC feedback: 100 ms of 1 Mbit/s video at 1200 bytes, about 1 in 20 lost. */
    private static final int TWCC_PACKETS = 100;

    private final RtcpCompound compound = new RtcpCompound();
    private final SenderReport sr = new SenderReport();
    private final ReceiverReport rr = new ReceiverReport();
    private final ReportBlock block = new ReportBlock();
    private final SourceDescription sdes = new SourceDescription();
    private final Remb remb = new Remb();
    private final GenericNack nack = new GenericNack();
    private final TransportCcFeedback twcc = new TransportCcFeedback();
    private final TransportCcFeedbackWriter twccWriter = new TransportCcFeedbackWriter(1200);
    private final int[] lostSeqs = {1000, 1001, 1003, 1010, 1016, 1017, 1040};
    private final int[] twccSeqs = new int[TWCC_PACKETS];
    private final long[] twccArrivalsUs = new long[TWCC_PACKETS];
    private int twccRecorded;

    private ByteBuf srSdes;
    private ByteBuf rrRemb;
    private ByteBuf twccFeedback;
    private ByteBuf nackPacket;
    private ByteBuf out;

    @Setup
    public void setUp() {
        srSdes = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        SenderReport.write(srSdes, 0x8D6C34F2L, 0xE93A2F11_80000000L, 0x5A3F4C1DL, 1234, 1_000_000, 1);
        ReportBlock.write(srSdes, 42, 25, 3, 0x1_0005L, 64, 0x2F118000L, 98_304);
        SourceDescription.writeCname(srSdes, 0x8D6C34F2L, "xH5tGn3q0ZcLd8Wb".getBytes(StandardCharsets.US_ASCII));

        rrRemb = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        ReceiverReport.write(rrRemb, 1, 1);
        ReportBlock.write(rrRemb, 0x4874ED16L, 5, 3, 8000, 10, 0, 0);
        Remb.write(rrRemb, 1, 8_927_168, new long[] {0x4874ED16L}, 1);

        long arrivalUs = 1_000_000;
        int seq = 65_500; // crosses the wrap
        int recorded = 0;
        for (int i = 0; i < TWCC_PACKETS; i++, seq++) {
            arrivalUs += 800 + (i % 7) * 300;
            if (i % 20 == 7) {
                continue; // lost
            }
            twccSeqs[recorded] = seq & 0xFFFF;
            twccArrivalsUs[recorded] = arrivalUs;
            recorded++;
        }
        twccRecorded = recorded;
        twccFeedback = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        for (int i = 0; i < recorded; i++) {
            twccWriter.addReceived(twccSeqs[i], twccArrivalsUs[i]);
        }
        twccWriter.write(twccFeedback, 1, 0x4874ED16L, 17);

        nackPacket = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        GenericNack.write(nackPacket, 1, 0x4874ED16L, lostSeqs, 0, lostSeqs.length, 16);

        out = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        if (srSdes() == 0 || rrRemb() == 0 || transportCcFeedback() == 0 || nack() == 0) {
            throw new IllegalStateException("benchmark packets do not parse");
        }
    }

    @TearDown
    public void tearDown() {
        srSdes.release();
        rrRemb.release();
        twccFeedback.release();
        nackPacket.release();
        out.release();
    }

    @Benchmark
    public long srSdes() {
        long sum = 0;
        compound.wrap(srSdes, 0, srSdes.readableBytes());
        while (compound.next()) {
            int off = compound.offset();
            int len = compound.length();
            if (compound.packetType() == RtcpType.SR && sr.wrap(srSdes, off, len)) {
                sum += sr.senderSsrc() + sr.ntpTimestamp() + sr.rtpTimestamp() + sr.packetCount() + sr.octetCount();
                for (int i = 0; i < sr.reportCount(); i++) {
                    sr.reportBlock(i, block);
                    sum += block.ssrc() + block.cumulativeLost() + block.jitter() + block.lastSenderReport();
                }
            } else if (compound.packetType() == RtcpType.SDES && sdes.wrap(srSdes, off, len)) {
                while (sdes.nextChunk()) {
                    sum += sdes.chunkSsrc();
                    while (sdes.nextItem()) {
                        sum += sdes.itemType() + sdes.itemLength();
                    }
                }
            }
        }
        return sum;
    }

    @Benchmark
    public long rrRemb() {
        long sum = 0;
        compound.wrap(rrRemb, 0, rrRemb.readableBytes());
        while (compound.next()) {
            int off = compound.offset();
            int len = compound.length();
            if (compound.packetType() == RtcpType.RR && rr.wrap(rrRemb, off, len)) {
                for (int i = 0; i < rr.reportCount(); i++) {
                    rr.reportBlock(i, block);
                    sum += block.ssrc() + block.fractionLost() + block.extendedHighestSequenceNumber() + block.jitter();
                }
            } else if (compound.packetType() == RtcpType.PSFB && compound.format() == RtcpType.FMT_AFB
                    && remb.wrap(rrRemb, off, len)) {
                sum += remb.bitrateBps();
                for (int i = 0; i < remb.ssrcCount(); i++) {
                    sum += remb.ssrc(i);
                }
            }
        }
        return sum;
    }

    /** Walk the datagram and visit every one of the 100 packet statuses with its arrival time. */
    @Benchmark
    public long transportCcFeedback() {
        long sum = 0;
        compound.wrap(twccFeedback, 0, twccFeedback.readableBytes());
        while (compound.next()) {
            if (compound.packetType() == RtcpType.RTPFB && compound.format() == RtcpType.FMT_TRANSPORT_CC
                    && twcc.wrap(twccFeedback, compound.offset(), compound.length())) {
                while (twcc.next()) {
                    sum += twcc.isReceived() ? twcc.arrivalTimeUs() + twcc.sequenceNumber() : 1;
                }
            }
        }
        return sum;
    }

    @Benchmark
    public long nack() {
        long sum = 0;
        compound.wrap(nackPacket, 0, nackPacket.readableBytes());
        while (compound.next()) {
            if (compound.packetType() == RtcpType.RTPFB && compound.format() == RtcpType.FMT_NACK
                    && nack.wrap(nackPacket, compound.offset(), compound.length())) {
                sum += nack.mediaSsrc();
                for (int seq; (seq = nack.nextLost()) >= 0; ) {
                    sum += seq;
                }
            }
        }
        return sum;
    }

    /** Build and write the TWCC feedback for 95 arrivals, as the SFU will per feedback interval. */
    @Benchmark
    public int writeTransportCcFeedback() {
        twccWriter.reset();
        for (int i = 0; i < twccRecorded; i++) {
            twccWriter.addReceived(twccSeqs[i], twccArrivalsUs[i]);
        }
        out.clear();
        return twccWriter.write(out, 1, 0x4874ED16L, 18);
    }

    @Benchmark
    public int writeNack() {
        out.clear();
        return GenericNack.write(out, 1, 0x4874ED16L, lostSeqs, 0, lostSeqs.length, 16);
    }
}
