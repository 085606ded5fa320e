package dev.junction.codec.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the RTP flyweight, extension walk and in-place rewrites. In the default
 * test run Jazzer replays the seeds in {@code RtpFuzzTestInputs/fuzzRtpPacket}; with {@code JAZZER_FUZZ=1}
 * it fuzzes.
 */
class RtpFuzzTest {

    private final RtpInvariants invariants = new RtpInvariants();

    @FuzzTest(maxDuration = "60s")
    void fuzzRtpPacket(byte[] data) {
        invariants.check(data);
    }
}
