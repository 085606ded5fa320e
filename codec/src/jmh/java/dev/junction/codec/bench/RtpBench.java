package dev.junction.codec.bench;

import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.codec.rtp.RtpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The forwarding path's per-packet RTP cost: parse a 1200-byte VP8 packet with three one-byte header
 * extensions (abs-send-time, transport-wide-cc, mid, as Chromium sends them), read what routing needs,
 * and rewrite SSRC, sequence number, timestamp, payload type and extension ids in place, as a Consumer
 * does for its subscriber. Run with {@code -prof gc}: the target is 0 B/op. {@code buffer} compares a
 * heap buffer (where ingress SRTP decrypts) with a direct one.
 *
 * <pre>./junction bench codec RtpBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtpBench {

    private static final int PACKET_LENGTH = 1200;

    @Param({"heap", "direct"})
    public String buffer;

    private final RtpPacket rtp = new RtpPacket();
    /** Publisher ids 1..5 to subscriber ids: a swap, so applying it every iteration keeps the packet valid. */
    private final byte[] idMap = new byte[15];
    private ByteBuf packet;
    private int sequence;

    @Setup
    public void setUp() {
        packet = "heap".equals(buffer)
                ? PooledByteBufAllocator.DEFAULT.heapBuffer(1500)
                : PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        RtpHeaderWriter writer = new RtpHeaderWriter();
        writer.start(packet, 96, true, 6699, 0x5A3F4C1DL, 0x8D6C34F2L);
        writer.startExtensions(false, 0);
        writer.addExtension(2, 0x4FC28A, 3); // abs-send-time
        writer.addExtension(3, 379, 2); // transport-wide-cc
        writer.addExtension(4, '0', 1); // mid
        writer.endExtensions();
        packet.writeBytes(new byte[] {(byte) 0x90, (byte) 0x80, 0x2A, 0x10, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A});
        packet.writeZero(PACKET_LENGTH - packet.writerIndex());
        idMap[2] = 5;
        idMap[5] = 2;
        idMap[3] = 1;
        idMap[1] = 3;
        idMap[4] = 4;
        if (!rtp.wrap(packet, 0, PACKET_LENGTH) || rtp.findExtension(3) == RtpPacket.NOT_FOUND) {
            throw new IllegalStateException("benchmark packet does not parse");
        }
    }

    @TearDown
    public void tearDown() {
        packet.release();
    }

    /** Validate the header and read the routing fields and the transport-wide sequence number. */
    @Benchmark
    public long parse() {
        if (!rtp.wrap(packet, 0, PACKET_LENGTH)) {
            return -1;
        }
        long twcc = rtp.findExtension(3);
        int twccSeq = twcc == RtpPacket.NOT_FOUND ? -1 : packet.getUnsignedShort(RtpPacket.foundOffset(twcc));
        return rtp.ssrc() ^ rtp.sequenceNumber() ^ rtp.timestamp() ^ rtp.payloadType() ^ rtp.payloadOffset()
                ^ rtp.payloadLength() ^ twccSeq;
    }

    /** Parse, then rewrite everything a Consumer rewrites, in place. */
    @Benchmark
    public int parseAndRewrite() {
        if (!rtp.wrap(packet, 0, PACKET_LENGTH)) {
            return -1;
        }
        int seq = sequence++;
        rtp.setSsrc(0x11223344L);
        rtp.setSequenceNumber(seq);
        rtp.setTimestamp(rtp.timestamp() + 3000);
        rtp.setPayloadType(rtp.payloadType() == 96 ? 100 : 96);
        rtp.setMarker(!rtp.marker());
        return rtp.rewriteExtensionIds(idMap) + rtp.payloadOffset();
    }
}
