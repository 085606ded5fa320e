package dev.junction.codec.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation of valid RTCP packets: truncation at every length, every single bit flip,
 * length and count fields forced to 0, max and self-referencing values, random multi-byte damage and
 * garbage. Nothing may throw and every accepted packet must satisfy {@link RtcpInvariants}.
 */
class RtcpMutationTest {

    private final RtcpInvariants invariants = new RtcpInvariants();

    @Test
    void shouldWalkEverySeedCompletely() {
        RtcpCompound compound = new RtcpCompound();
        for (byte[] seed : RtcpFixtures.all()) {
            assertTrue(invariants.checkCompound(seed) >= 1);
            ByteBuf buf = Unpooled.wrappedBuffer(seed);
            try {
                compound.wrap(buf, 0, seed.length);
                while (compound.next()) {
                    byte[] single = Arrays.copyOfRange(seed, compound.offset(), compound.offset() + compound.length());
                    int type = compound.packetType();
                    boolean known = type != RtcpType.APP && !(type == RtcpType.RTPFB && compound.format() == 5);
                    assertEquals(known ? 1 : 0, invariants.checkSingle(single),
                            "exactly one flyweight for a known packet, type " + type + "/" + compound.format());
                }
                assertTrue(compound.isComplete());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void shouldSurviveTruncationAtEveryLength() {
        for (byte[] seed : RtcpFixtures.all()) {
            for (int length = 0; length < seed.length; length++) {
                byte[] truncated = Arrays.copyOf(seed, length);
                invariants.checkCompound(truncated);
                invariants.checkSingle(truncated);
            }
        }
    }

    @Test
    void shouldSurviveEverySingleBitFlip() {
        for (byte[] seed : RtcpFixtures.all()) {
            for (int bit = 0; bit < seed.length * 8; bit++) {
                byte[] flipped = seed.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                invariants.checkCompound(flipped);
                invariants.checkSingle(flipped);
            }
        }
    }

    @Test
    void shouldSurviveLengthAndCountFieldsAtZeroMaxAndSelfReference() {
        for (byte[] seed : RtcpFixtures.all()) {
            // Every 16-bit position gets 0, 1, 0xFFFF and "points exactly at / just past the end": covers
            // the RTCP length fields, TWCC status counts and the 16-bit chunk/PID fields alike.
            for (int at = 0; at + 1 < seed.length; at++) {
                int wordsToEnd = (seed.length - at) / 4;
                for (int value : new int[] {0, 1, wordsToEnd - 1, wordsToEnd, wordsToEnd + 1, 0x7FFF, 0xFFFF}) {
                    byte[] p = seed.clone();
                    p[at] = (byte) (value >>> 8);
                    p[at + 1] = (byte) value;
                    invariants.checkCompound(p);
                    invariants.checkSingle(p);
                }
            }
            // Every byte as a count or length octet: 0, 1, 0x1F (max RC/SC/FMT), 0xFF, and the padding bit.
            for (int at = 0; at < seed.length; at++) {
                for (int value : new int[] {0x00, 0x01, 0x1F, 0x3F, 0x9F, 0xBF, 0xFF, seed.length - at, seed.length - at + 1}) {
                    byte[] p = seed.clone();
                    p[at] = (byte) value;
                    invariants.checkCompound(p);
                    invariants.checkSingle(p);
                }
            }
        }
    }

    @Test
    void shouldSurviveRandomDamage() {
        Random random = new Random(0xC0FFEE);
        byte[][] seeds = RtcpFixtures.all();
        for (int i = 0; i < 20_000; i++) {
            byte[] p = seeds[random.nextInt(seeds.length)].clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                p = Arrays.copyOf(p, random.nextInt(p.length + 1));
            }
            invariants.checkCompound(p);
            invariants.checkSingle(p);
        }
    }

    @Test
    void shouldSurviveRandomGarbageWithPlausibleHeaders() {
        Random random = new Random(0xFEED);
        int[][] typeAndCount = {
                {RtcpType.SR, 0}, {RtcpType.SR, 1}, {RtcpType.RR, 0}, {RtcpType.RR, 1}, {RtcpType.SDES, 1},
                {RtcpType.BYE, 1}, {RtcpType.BYE, 2}, {RtcpType.RTPFB, RtcpType.FMT_NACK},
                {RtcpType.RTPFB, RtcpType.FMT_TRANSPORT_CC}, {RtcpType.PSFB, RtcpType.FMT_PLI},
                {RtcpType.PSFB, RtcpType.FMT_FIR}, {RtcpType.PSFB, RtcpType.FMT_AFB},
        };
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            int words = 1 + random.nextInt(12);
            byte[] p = new byte[words * 4];
            random.nextBytes(p);
            int[] pick = typeAndCount[random.nextInt(typeAndCount.length)];
            p[0] = (byte) (0x80 | (random.nextInt(8) == 0 ? 0x20 : 0) | pick[1]);
            p[1] = (byte) pick[0];
            p[2] = 0;
            p[3] = (byte) (words - 1);
            accepted += invariants.checkSingle(p);
            invariants.checkCompound(p);
        }
        assertTrue(accepted > 3000, "plausible garbage must often parse, or the invariants are not exercised: " + accepted);
    }
}
