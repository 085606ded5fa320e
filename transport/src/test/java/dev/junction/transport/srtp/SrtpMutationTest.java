package dev.junction.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deterministic mutation of real SRTP and SRTCP packets (fixed seed): bit flips, truncation at every
 * length, header fields set to 0, max and self-referencing values, and random garbage. Every byte of an
 * unprotect input comes from the internet: nothing may throw, nothing mutated may pass, every outcome is
 * counted, and the session keeps working afterwards.
 */
class SrtpMutationTest {

    private static final int MUTATIONS = 20_000;
    private static final int SSRC = 0x0BADCAFE;

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldSurviveMutatedSrtpAndSrtcp(SrtpProfile profile) {
        Random random = new Random(3711L + profile.ordinal());
        byte[] material = new byte[profile.keyingMaterialLength()];
        random.nextBytes(material);
        SrtpKeys keys = SrtpKeys.fromDtlsKeyingMaterial(profile, material, false);
        try (SrtpSession sender = SrtpSession.create(keys.reversed()); SrtpSession receiver = SrtpSession.create(keys)) {
            byte[] rtp = protect(sender, withExtension(Packets.rtp(1000, SSRC, 160)), false);
            byte[] rtcp = protect(sender, Packets.rtcp(SSRC), true);
            assertEquals(SrtpStatus.OK, unprotect(receiver, rtp, false));
            assertEquals(SrtpStatus.OK, unprotect(receiver, rtcp, true));

            long calls = 2;
            for (int i = 0; i < MUTATIONS; i++) {
                boolean isRtcp = (i & 1) == 1;
                byte[] original = isRtcp ? rtcp : rtp;
                byte[] mutated = mutate(original, random, i);
                SrtpStatus status = unprotect(receiver, mutated, isRtcp);
                calls++;
                if (Arrays.equals(mutated, original)) {
                    assertEquals(SrtpStatus.REPLAYED, status, "mutation " + i + " is the original again");
                } else {
                    assertNotEquals(SrtpStatus.OK, status, "mutation " + i + " passed: " + Arrays.toString(mutated));
                }
            }
            long counted = receiver.rtpUnprotected() + receiver.rtcpUnprotected() + receiver.authFailures() + receiver.replays()
                    + receiver.malformed() + receiver.ssrcLimitDrops() + receiver.failures() + receiver.noTailRoom();
            assertEquals(calls, counted, "every outcome is counted exactly once");
            assertEquals(0, receiver.failures(), "no backend failure on bad input");

            // Garbage on the protect side (our own packets, but still must not throw).
            for (int i = 0; i < 2_000; i++) {
                byte[] garbage = new byte[random.nextInt(64)];
                random.nextBytes(garbage);
                ByteBuf packet = Packets.heap(garbage);
                try {
                    sender.protectRtp(packet);
                    packet.clear().writeBytes(garbage);
                    sender.protectRtcp(packet);
                } finally {
                    packet.release();
                }
            }

            // The receiver's state survived: the next genuine packets still go through.
            assertEquals(SrtpStatus.OK, unprotect(receiver, protect(sender, withExtension(Packets.rtp(1001, SSRC, 160)), false), false));
            assertEquals(SrtpStatus.OK, unprotect(receiver, protect(sender, Packets.rtcp(SSRC), true), true));
        }
    }

    /** Sets X and appends a one-byte-header extension block (RFC 8285 §4.2) so that its length field exists. */
    private static byte[] withExtension(byte[] rtp) {
        byte[] packet = new byte[rtp.length + 8];
        System.arraycopy(rtp, 0, packet, 0, 12);
        packet[0] |= 0x10;
        packet[12] = (byte) 0xBE;
        packet[13] = (byte) 0xDE;
        packet[15] = 1; // one 32-bit word of extension data
        packet[16] = 0x10; // id 1, length 1
        packet[17] = 0x42;
        System.arraycopy(rtp, 12, packet, 20, rtp.length - 12);
        return packet;
    }

    private static byte[] mutate(byte[] original, Random random, int round) {
        byte[] mutated = original.clone();
        switch (round % 7) {
            case 0, 1 -> { // flip one to three bits anywhere
                int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++) mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
            }
            case 2 -> mutated = Arrays.copyOf(original, (round / 7) % (original.length + 1)); // every truncation length
            case 3 -> { // CSRC count / RTCP count field to 0, max or random
                int value = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> 0x0F;
                    default -> random.nextInt(16);
                };
                mutated[0] = (byte) ((mutated[0] & 0xF0) | value);
            }
            case 4 -> { // extension length (RTP) or RTCP length to 0, max, or pointing at itself
                int value = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> 0xFFFF;
                    default -> mutated.length / 4;
                };
                int at = (original[0] & 0x10) != 0 && original[1] != (byte) 201 ? 14 : 2;
                mutated[at] = (byte) (value >>> 8);
                mutated[at + 1] = (byte) value;
            }
            case 5 -> { // random garbage, keeping the version bits half of the time
                mutated = new byte[random.nextInt(1500)];
                random.nextBytes(mutated);
                if (mutated.length > 0 && random.nextBoolean()) mutated[0] = (byte) (0x80 | (mutated[0] & 0x3F));
            }
            default -> { // the SRTCP index / RTP sequence number changed
                int at = original[1] == (byte) 201 ? original.length - 4 - (original.length > 40 ? 16 : 10) : 2;
                mutated[Math.max(0, Math.min(at, mutated.length - 1))] ^= (byte) (1 + random.nextInt(255));
            }
        }
        return mutated;
    }

    private static byte[] protect(SrtpSession session, byte[] plain, boolean rtcp) {
        ByteBuf packet = Packets.heap(plain);
        try {
            assertEquals(SrtpStatus.OK, rtcp ? session.protectRtcp(packet) : session.protectRtp(packet));
            return Packets.bytes(packet);
        } finally {
            packet.release();
        }
    }

    private static SrtpStatus unprotect(SrtpSession session, byte[] sealed, boolean rtcp) {
        ByteBuf packet = Packets.heap(sealed);
        try {
            return rtcp ? session.unprotectRtcp(packet) : session.unprotectRtp(packet);
        } finally {
            packet.release();
        }
    }
}
