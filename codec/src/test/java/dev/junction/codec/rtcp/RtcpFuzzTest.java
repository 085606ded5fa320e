package dev.junction.codec.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the RTCP compound walk and each packet flyweight, plus a round trip through
 * the TWCC writer. In the default test run Jazzer replays the seeds in {@code RtcpFuzzTestInputs/<method>};
 * with {@code JAZZER_FUZZ=1} it fuzzes.
 *
 * <p>The per-type targets force a valid header (version, type, FMT, a length matching the input) so the
 * fuzzer spends its time on the packet body rather than rediscovering the header.
 */
class RtcpFuzzTest {

    private final RtcpInvariants invariants = new RtcpInvariants();

    @FuzzTest(maxDuration = "60s")
    void fuzzCompound(byte[] data) {
        invariants.checkCompound(data);
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzNack(byte[] data) {
        invariants.checkSingle(withHeader(data, RtcpType.RTPFB, RtcpType.FMT_NACK));
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzTransportCc(byte[] data) {
        invariants.checkSingle(withHeader(data, RtcpType.RTPFB, RtcpType.FMT_TRANSPORT_CC));
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzSdes(byte[] data) {
        invariants.checkSingle(withHeader(data, RtcpType.SDES, -1));
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzReports(byte[] data) {
        invariants.checkSingle(withHeader(data, data.length > 0 && (data[0] & 0x40) != 0 ? RtcpType.SR : RtcpType.RR, -1));
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzPayloadSpecific(byte[] data) {
        int fmt = data.length == 0 ? 1 : switch (data[0] & 3) {
            case 0 -> RtcpType.FMT_PLI;
            case 1 -> RtcpType.FMT_FIR;
            default -> RtcpType.FMT_AFB;
        };
        invariants.checkSingle(withHeader(data, RtcpType.PSFB, fmt));
        invariants.checkSingle(withHeader(data, RtcpType.BYE, -1));
    }

    /** Arbitrary (sequence step, arrival step) records through the writer and back through the reader. */
    @FuzzTest(maxDuration = "60s")
    void fuzzTransportCcWriter(FuzzedDataProvider data) {
        TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(data.consumeInt(32, 1500));
        int seq = data.consumeInt(0, 0xFFFF);
        long arrival = data.consumeLong(-1L << 50, 1L << 50);
        int added = 0;
        int[] seqs = new int[4096];
        long[] arrivals = new long[4096];
        while (data.remainingBytes() > 0 && added < seqs.length) {
            int nextSeq = (seq + data.consumeInt(-3, 300)) & 0xFFFF;
            long nextArrival = arrival + data.consumeLong(-10_000_000, 10_000_000);
            if (writer.addReceived(nextSeq, nextArrival)) {
                seqs[added] = nextSeq;
                arrivals[added] = nextArrival;
                added++;
                seq = nextSeq;
                arrival = nextArrival;
            }
        }
        if (writer.isEmpty()) {
            return;
        }
        ByteBuf out = Unpooled.buffer(2048);
        try {
            int written = writer.write(out, 1, 2, added);
            assertEquals(writer.encodedLength(), written);
            TransportCcFeedback reader = new TransportCcFeedback();
            assertTrue(reader.wrap(out, 0, written));
            assertEquals(added, reader.receivedCount());
            long reference = Math.floorDiv(arrivals[0], 64_000);
            long offsetUs = (reference - ((reference << 40) >> 40)) * 64_000;
            int k = 0;
            while (reader.next()) {
                if (reader.isReceived()) {
                    assertEquals(seqs[k], reader.sequenceNumber());
                    assertTrue(Math.abs(reader.arrivalTimeUs() + offsetUs - arrivals[k]) <= 125);
                    k++;
                }
            }
            assertEquals(added, k);
        } finally {
            out.release();
        }
    }

    /** {@code data} rounded down to whole words with a valid header of the given type in front of it. */
    static byte[] withHeader(byte[] data, int packetType, int format) {
        int length = Math.max(4, data.length & ~3);
        byte[] p = Arrays.copyOf(data, length);
        int count = format >= 0 ? format : (p[0] & 0x1F);
        p[0] = (byte) (0x80 | (p[0] & 0x20) | count);
        p[1] = (byte) packetType;
        p[2] = (byte) ((length / 4 - 1) >>> 8);
        p[3] = (byte) (length / 4 - 1);
        return p;
    }
}
