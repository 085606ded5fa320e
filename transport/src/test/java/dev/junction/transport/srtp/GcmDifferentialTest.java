package dev.junction.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Junction's AES-GCM ({@link GcmBackend#FFM}) against jitsi-srtp's ({@link GcmBackend#JITSI}), same keys,
 * same packets, fixed seeds. Each packet is protected by both senders, which must agree on the status and
 * every byte; that (one) protected packet is then unprotected both by an FFM receiver and by a jitsi-srtp
 * receiver, delivered out of order, duplicated, replayed long after, and tampered (tag, ciphertext, header,
 * SRTCP index and E flag). Both receivers must agree on every status, every plain byte and every counter.
 *
 * <p>The packets: random CSRC counts, header extensions (one-byte, two-byte and other profiles, up to 40
 * octets), payloads of 0 to 1400 octets, several SSRCs, sequence numbers that jump, go back and wrap (so the
 * ROC advances and the receiver's ROC guess is exercised on both sides of 32768). What this proves: switching
 * the backend changes no byte on the wire and no accept, drop or counter decision.
 */
class GcmDifferentialTest {

    private static final int PACKETS = 6_000;

    @ParameterizedTest
    @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
    void shouldProtectAndUnprotectSrtpExactlyAsJitsiSrtp(SrtpProfile profile) {
        Random random = new Random(7714L * 31 + profile.ordinal());
        SrtpKeys keys = keys(profile, random);
        try (SrtpSession ffmSender = session(keys, GcmBackend.FFM);
             SrtpSession jitsiSender = session(keys, GcmBackend.JITSI);
             SrtpSession ffmReceiver = session(keys.reversed(), GcmBackend.FFM);
             SrtpSession jitsiReceiver = session(keys.reversed(), GcmBackend.JITSI)) {
            int[] ssrcs = {random.nextInt(), random.nextInt(), random.nextInt()};
            int[] sequences = {random.nextInt(65536), 65500, 32700};
            List<byte[]> inFlight = new ArrayList<>();
            List<byte[]> delivered = new ArrayList<>();
            int accepted = 0;
            for (int i = 0; i < PACKETS; i++) {
                int stream = random.nextInt(ssrcs.length);
                sequences[stream] = nextSequence(sequences[stream], random);
                byte[] plain = randomRtp(ssrcs[stream], sequences[stream], random);

                ByteBuf viaFfm = Packets.heap(plain);
                ByteBuf viaJitsi = Packets.heap(plain);
                try {
                    SrtpStatus ffmStatus = ffmSender.protectRtp(viaFfm);
                    SrtpStatus jitsiStatus = jitsiSender.protectRtp(viaJitsi);
                    assertEquals(jitsiStatus, ffmStatus, "protect status, packet " + i);
                    if (ffmStatus != SrtpStatus.OK) continue;
                    byte[] ffmBytes = Packets.bytes(viaFfm);
                    assertArrayEquals(Packets.bytes(viaJitsi), ffmBytes, "protected bytes, packet " + i);
                    inFlight.add(ffmBytes);
                } finally {
                    viaFfm.release();
                    viaJitsi.release();
                }

                // Deliver a random packet in flight (reordering), sometimes an old one again (replay), sometimes tampered.
                while (inFlight.size() > random.nextInt(6)) {
                    byte[] wire = inFlight.remove(random.nextInt(inFlight.size()));
                    delivered.add(wire);
                    accepted += deliverRtp(wire, ffmReceiver, jitsiReceiver, random, i, false) ? 1 : 0;
                }
                if (random.nextInt(20) == 0 && !delivered.isEmpty()) {
                    deliverRtp(delivered.get(random.nextInt(delivered.size())), ffmReceiver, jitsiReceiver, random, i, true);
                }
            }
            assertCountersEqual(jitsiReceiver, ffmReceiver);
            assertEquals(jitsiSender.replays(), ffmSender.replays(), "sender index reuse refusals");
            // Jumps of up to 32000 and steps back make the receiver refuse a good share as too old; most still pass.
            assertTrue(accepted > PACKETS / 3, "packets went through: " + accepted);
            assertTrue(ffmReceiver.authFailures() > 100 && ffmReceiver.replays() > 100,
                    "tampering and replays were exercised: " + ffmReceiver.authFailures() + " / " + ffmReceiver.replays());
            assertEquals(0, ffmReceiver.failures() + jitsiReceiver.failures() + ffmSender.failures() + jitsiSender.failures());
        }
    }

    @ParameterizedTest
    @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
    void shouldProtectAndUnprotectSrtcpExactlyAsJitsiSrtp(SrtpProfile profile) {
        Random random = new Random(3711L * 17 + profile.ordinal());
        SrtpKeys keys = keys(profile, random);
        try (SrtpSession ffmSender = session(keys, GcmBackend.FFM);
             SrtpSession jitsiSender = session(keys, GcmBackend.JITSI);
             SrtpSession ffmReceiver = session(keys.reversed(), GcmBackend.FFM);
             SrtpSession jitsiReceiver = session(keys.reversed(), GcmBackend.JITSI)) {
            int[] ssrcs = {random.nextInt(), random.nextInt()};
            List<byte[]> inFlight = new ArrayList<>();
            List<byte[]> delivered = new ArrayList<>();
            for (int i = 0; i < PACKETS / 2; i++) {
                byte[] plain = randomRtcp(ssrcs[random.nextInt(ssrcs.length)], random);
                ByteBuf viaFfm = Packets.heap(plain);
                ByteBuf viaJitsi = Packets.heap(plain);
                try {
                    assertEquals(jitsiSender.protectRtcp(viaJitsi), ffmSender.protectRtcp(viaFfm), "protect status, packet " + i);
                    byte[] ffmBytes = Packets.bytes(viaFfm);
                    assertArrayEquals(Packets.bytes(viaJitsi), ffmBytes, "protected bytes, packet " + i);
                    inFlight.add(ffmBytes);
                } finally {
                    viaFfm.release();
                    viaJitsi.release();
                }
                while (inFlight.size() > random.nextInt(6)) {
                    byte[] wire = inFlight.remove(random.nextInt(inFlight.size()));
                    delivered.add(wire);
                    deliverRtcp(wire, ffmReceiver, jitsiReceiver, random, i, false);
                }
                if (random.nextInt(20) == 0) {
                    deliverRtcp(delivered.get(random.nextInt(delivered.size())), ffmReceiver, jitsiReceiver, random, i, true);
                }
            }
            assertCountersEqual(jitsiReceiver, ffmReceiver);
            assertTrue(ffmReceiver.rtcpUnprotected() > PACKETS / 4, "most went through: " + ffmReceiver.rtcpUnprotected());
            assertTrue(ffmReceiver.authFailures() > 50 && ffmReceiver.replays() > 50,
                    "tampering and replays were exercised: " + ffmReceiver.authFailures() + " / " + ffmReceiver.replays());
            assertEquals(0, ffmReceiver.failures() + jitsiReceiver.failures());
        }
    }

    /**
     * Hands {@code wire} (possibly tampered) to both receivers, each getting its own copy, and checks that
     * they agree; returns whether it was accepted.
     */
    private static boolean deliverRtp(byte[] wire, SrtpSession ffm, SrtpSession jitsi, Random random, int i, boolean replay) {
        byte[] sent = random.nextInt(8) == 0 ? tamper(wire, random) : wire;
        ByteBuf toFfm = Packets.heap(sent);
        ByteBuf toJitsi = Packets.heap(sent);
        try {
            SrtpStatus ffmStatus = ffm.unprotectRtp(toFfm);
            SrtpStatus jitsiStatus = jitsi.unprotectRtp(toJitsi);
            assertEquals(jitsiStatus, ffmStatus, "unprotect status, packet " + i + (replay ? " (replayed)" : ""));
            if (ffmStatus == SrtpStatus.OK) assertArrayEquals(Packets.bytes(toJitsi), Packets.bytes(toFfm), "plain bytes, packet " + i);
            return ffmStatus == SrtpStatus.OK;
        } finally {
            toFfm.release();
            toJitsi.release();
        }
    }

    private static void deliverRtcp(byte[] wire, SrtpSession ffm, SrtpSession jitsi, Random random, int i, boolean replay) {
        byte[] sent = wire;
        switch (random.nextInt(10)) {
            case 0 -> sent = tamper(wire, random);
            case 1 -> {
                // Another index in the trailer, or the E flag cleared (RFC 7714 §17.3's unencrypted form).
                sent = wire.clone();
                int at = sent.length - 4;
                if (random.nextBoolean()) sent[at] ^= (byte) 0x80;
                else sent[sent.length - 1] ^= (byte) (1 + random.nextInt(255));
                if (sent[at] == wire[at] && sent[sent.length - 1] == wire[sent.length - 1]) sent[at] ^= (byte) 0x80;
            }
            default -> { }
        }
        ByteBuf toFfm = Packets.heap(sent);
        ByteBuf toJitsi = Packets.heap(sent);
        try {
            SrtpStatus ffmStatus = ffm.unprotectRtcp(toFfm);
            SrtpStatus jitsiStatus = jitsi.unprotectRtcp(toJitsi);
            assertEquals(jitsiStatus, ffmStatus, "unprotect status, packet " + i + (replay ? " (replayed)" : ""));
            if (ffmStatus == SrtpStatus.OK) assertArrayEquals(Packets.bytes(toJitsi), Packets.bytes(toFfm), "plain bytes, packet " + i);
        } finally {
            toFfm.release();
            toJitsi.release();
        }
    }

    /** One flipped bit anywhere but in the sequence number (which would make it another, unsent packet; also fine, but rarer). */
    private static byte[] tamper(byte[] wire, Random random) {
        byte[] copy = wire.clone();
        int at = switch (random.nextInt(3)) {
            case 0 -> copy.length - 1 - random.nextInt(16);   // the tag (SRTP) or index/tag (SRTCP)
            case 1 -> random.nextInt(12);                        // the header (AAD)
            default -> random.nextInt(copy.length);              // anywhere
        };
        copy[at] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }

    /** Mostly the next number; sometimes a jump forward (up to past a wrap), a step back, or the same again. */
    private static int nextSequence(int sequence, Random random) {
        int roll = random.nextInt(100);
        int next;
        if (roll < 80) next = sequence + 1;
        else if (roll < 88) next = sequence + 2 + random.nextInt(100);
        else if (roll < 92) next = sequence + 1000 + random.nextInt(31000);
        else if (roll < 98) next = sequence - 1 - random.nextInt(80);
        else next = sequence;
        return next & 0xFFFF;
    }

    /**
     * An RTP packet (RFC 3550 §5.1) with random CSRCs, marker, payload type and timestamp, a header extension
     * half the time (RFC 8285 one-byte 0xBEDE, two-byte 0x100x, or another profile; never cryptex's
     * 0xC0DE/0xC2DE, which Junction does not negotiate) and 0-1400 octets of payload.
     */
    private static byte[] randomRtp(int ssrc, int sequence, Random random) {
        int csrcs = random.nextInt(4) == 0 ? random.nextInt(16) : 0;
        boolean extension = random.nextBoolean();
        int extensionWords = extension ? random.nextInt(11) : 0;
        int payload = random.nextInt(8) == 0 ? random.nextInt(4) : random.nextInt(1401);
        int headerLength = 12 + 4 * csrcs + (extension ? 4 + 4 * extensionWords : 0);
        byte[] packet = new byte[headerLength + payload];
        random.nextBytes(packet);
        packet[0] = (byte) (0x80 | (extension ? 0x10 : 0) | csrcs);   // V=2, P=0
        packet[2] = (byte) (sequence >>> 8);
        packet[3] = (byte) sequence;
        packet[8] = (byte) (ssrc >>> 24);
        packet[9] = (byte) (ssrc >>> 16);
        packet[10] = (byte) (ssrc >>> 8);
        packet[11] = (byte) ssrc;
        if (extension) {
            int at = 12 + 4 * csrcs;
            int profile = switch (random.nextInt(3)) {
                case 0 -> 0xBEDE;
                case 1 -> 0x1000 | random.nextInt(16);
                default -> random.nextInt(0x10000);
            };
            if (profile == 0xC0DE || profile == 0xC2DE) profile = 0xBEDE;
            packet[at] = (byte) (profile >>> 8);
            packet[at + 1] = (byte) profile;
            packet[at + 2] = (byte) (extensionWords >>> 8);
            packet[at + 3] = (byte) extensionWords;
        }
        return packet;
    }

    /** A compound RTCP packet's worth of octets: V=2, a report type, the sender SSRC, 0-500 octets more. */
    private static byte[] randomRtcp(int ssrc, Random random) {
        byte[] packet = new byte[8 + 4 * random.nextInt(126)];
        random.nextBytes(packet);
        packet[0] = (byte) (0x80 | random.nextInt(32));
        packet[1] = (byte) (200 + random.nextInt(7));
        packet[4] = (byte) (ssrc >>> 24);
        packet[5] = (byte) (ssrc >>> 16);
        packet[6] = (byte) (ssrc >>> 8);
        packet[7] = (byte) ssrc;
        return packet;
    }

    private static void assertCountersEqual(SrtpSession expected, SrtpSession actual) {
        assertEquals(expected.rtpUnprotected(), actual.rtpUnprotected(), "RTP accepted");
        assertEquals(expected.rtcpUnprotected(), actual.rtcpUnprotected(), "RTCP accepted");
        assertEquals(expected.authFailures(), actual.authFailures(), "auth failures");
        assertEquals(expected.replays(), actual.replays(), "replays");
        assertEquals(expected.malformed(), actual.malformed(), "malformed");
        assertEquals(expected.ssrcLimitDrops(), actual.ssrcLimitDrops(), "SSRC limit");
        assertEquals(expected.failures(), actual.failures(), "failures");
    }

    private static SrtpKeys keys(SrtpProfile profile, Random random) {
        byte[] material = new byte[profile.keyingMaterialLength()];
        random.nextBytes(material);
        return SrtpKeys.fromDtlsKeyingMaterial(profile, material, true);
    }

    private static SrtpSession session(SrtpKeys keys, GcmBackend backend) {
        SrtpSession session = SrtpSession.create(keys, SrtpSession.DEFAULT_MAX_SSRCS, backend);
        assertEquals(backend, session.gcmBackend());
        return session;
    }
}
