package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation of valid RTP packets: truncation at every length, every single bit flip,
 * length fields forced to 0, max and self-referencing values, random multi-byte damage and random
 * garbage. Nothing may throw; every accepted packet must satisfy {@link RtpInvariants}.
 */
class RtpMutationTest {

    private final RtpInvariants invariants = new RtpInvariants();

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(RtpFixtures.vp8ThreeOneByteExtensions());
        seeds.add(RtpFixtures.opusTwoByteExtensions());
        seeds.add(RtpFixtures.pcmaCsrcsAndPadding());
        seeds.add(RtpFixtures.opaqueExtensionProfile());
        seeds.add(written());
        return seeds;
    }

    /** A packet using every writer feature: CSRC, two-byte extensions, payload, padding. */
    private static byte[] written() {
        RtpHeaderWriter writer = new RtpHeaderWriter();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(256);
        try {
            writer.start(out, 100, true, 65535, 4_000_000_000L, 77);
            writer.addCsrc(5);
            writer.startExtensions(true, 0);
            writer.addExtension(200, 0x112233, 3);
            writer.addExtension(3, 0, 1);
            writer.endExtensions();
            out.writeZero(40);
            writer.pad(8);
            return TestBytes.readable(out);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldAcceptEverySeed() {
        for (byte[] seed : seeds()) {
            assertTrue(invariants.check(seed), TestBytes.hex(seed));
        }
    }

    @Test
    void shouldSurviveTruncationAtEveryLength() {
        for (byte[] seed : seeds()) {
            for (int length = 0; length < seed.length; length++) {
                byte[] truncated = Arrays.copyOf(seed, length);
                invariants.check(truncated);
            }
            assertFalse(invariants.check(Arrays.copyOf(seed, 11)), "shorter than the fixed header");
        }
    }

    @Test
    void shouldSurviveEverySingleBitFlip() {
        for (byte[] seed : seeds()) {
            for (int bit = 0; bit < seed.length * 8; bit++) {
                byte[] flipped = seed.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                invariants.check(flipped);
            }
        }
    }

    @Test
    void shouldSurviveLengthFieldsAtZeroMaxAndSelfReference() {
        for (byte[] seed : seeds()) {
            int[] csrcCounts = {0, 1, 15};
            for (int cc : csrcCounts) {
                byte[] p = seed.clone();
                p[0] = (byte) ((p[0] & 0xF0) | cc);
                invariants.check(p);
            }
            int cc = seed[0] & 0x0F;
            int extHeader = 12 + 4 * cc;
            if ((seed[0] & 0x10) != 0 && seed.length >= extHeader + 4) {
                int wordsToEnd = (seed.length - extHeader - 4) / 4;
                int[] values = {0, 1, wordsToEnd, wordsToEnd + 1, 0x7FFF, 0xFFFF};
                for (int words : values) {
                    byte[] p = seed.clone();
                    p[extHeader + 2] = (byte) (words >>> 8);
                    p[extHeader + 3] = (byte) words;
                    invariants.check(p);
                }
                // Element lengths at their extremes: each byte of the block set to 0x0F / 0xFF / 0xF0.
                for (int i = extHeader + 4; i < seed.length; i++) {
                    for (int value : new int[] {0x0F, 0xFF, 0xF0, 0x00, 0x1F}) {
                        byte[] p = seed.clone();
                        p[i] = (byte) value;
                        invariants.check(p);
                    }
                }
            }
            int last = seed.length - 1;
            for (int padding : new int[] {0, 1, seed.length - 12, seed.length - 11, seed.length, 255}) {
                byte[] p = seed.clone();
                p[0] |= 0x20;
                p[last] = (byte) padding;
                invariants.check(p);
            }
        }
    }

    @Test
    void shouldSurviveRandomDamage() {
        Random random = new Random(0x5EED);
        List<byte[]> seeds = seeds();
        for (int i = 0; i < 20_000; i++) {
            byte[] p = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                p = Arrays.copyOf(p, random.nextInt(p.length + 1));
            }
            invariants.check(p);
        }
    }

    @Test
    void shouldSurviveRandomGarbage() {
        Random random = new Random(0xBAD);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p = new byte[random.nextInt(80)];
            random.nextBytes(p);
            if (random.nextBoolean() && p.length > 0) {
                p[0] = (byte) (0x80 | (p[0] & 0x3F)); // version 2, to get past the first check
            }
            if (invariants.check(p)) {
                accepted++;
            }
        }
        assertTrue(accepted > 0, "some garbage with V=2 must parse, or the invariants are not exercised");
    }
}
