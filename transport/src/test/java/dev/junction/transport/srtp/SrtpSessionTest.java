package dev.junction.transport.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpSessionTest {

    private static final int SSRC = 0x1234_5678;

    private static SrtpKeys keys(SrtpProfile profile, long seed) {
        Random random = new Random(seed);
        byte[] material = new byte[profile.keyingMaterialLength()];
        random.nextBytes(material);
        return SrtpKeys.fromDtlsKeyingMaterial(profile, material, true);
    }

    /** A sender and the matching receiver: the receiver's remote keys are the sender's local ones. */
    private record Pair(SrtpSession sender, SrtpSession receiver) implements AutoCloseable {
        static Pair of(SrtpProfile profile) {
            SrtpKeys keys = keys(profile, profile.ordinal());
            return new Pair(SrtpSession.create(keys), SrtpSession.create(keys.reversed()));
        }

        @Override
        public void close() {
            sender.close();
            receiver.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRoundTripRtpInPlace(SrtpProfile profile) {
        byte[] plain = Packets.rtp(1, SSRC, 1188);
        try (Pair pair = Pair.of(profile)) {
            ByteBuf packet = Packets.heap(plain);
            try {
                assertEquals(SrtpStatus.OK, pair.sender.protectRtp(packet));
                byte[] sealed = Packets.bytes(packet);
                assertEquals(plain.length + profile.authTagLength(), sealed.length);
                assertArrayEquals(Arrays.copyOf(plain, 12), Arrays.copyOf(sealed, 12), "the header stays in the clear");
                assertFalse(Arrays.equals(Arrays.copyOfRange(plain, 12, plain.length), Arrays.copyOfRange(sealed, 12, plain.length)),
                        "the payload is encrypted");

                assertEquals(SrtpStatus.OK, pair.receiver.unprotectRtp(packet));
                assertArrayEquals(plain, Packets.bytes(packet));
                assertEquals(1, pair.sender.rtpProtected());
                assertEquals(1, pair.receiver.rtpUnprotected());
            } finally {
                packet.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRoundTripRtcpInPlace(SrtpProfile profile) {
        byte[] plain = Packets.rtcp(SSRC);
        try (Pair pair = Pair.of(profile)) {
            for (int i = 0; i < 3; i++) {
                ByteBuf packet = Packets.heap(plain);
                try {
                    assertEquals(SrtpStatus.OK, pair.sender.protectRtcp(packet));
                    assertEquals(plain.length + profile.rtcpTailRoom(), packet.readableBytes());
                    // E flag set, SRTCP index counting from 0: before the tag (RFC 3711 §3.4), after it for
                    // AEAD, whose tag is part of the ciphertext (RFC 7714 §17).
                    int indexOffset = profile == SrtpProfile.AES_CM_128_HMAC_SHA1_80
                            ? packet.writerIndex() - profile.authTagLength() - 4 : packet.writerIndex() - 4;
                    assertEquals(0x8000_0000 | i, packet.getInt(indexOffset));
                    assertEquals(SrtpStatus.OK, pair.receiver.unprotectRtcp(packet));
                    assertArrayEquals(plain, Packets.bytes(packet));
                } finally {
                    packet.release();
                }
            }
            assertEquals(3, pair.receiver.rtcpUnprotected());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldDropTamperedPacketsAndCountThem(SrtpProfile profile) {
        try (Pair pair = Pair.of(profile)) {
            byte[] sealed = protect(pair.sender, Packets.rtp(7, SSRC, 200));
            int[] flips = {sealed.length - 1, 40, 2}; // tag, payload, header (authenticated, not encrypted)
            for (int flip : flips) {
                byte[] tampered = sealed.clone();
                tampered[flip] ^= 0x01;
                assertEquals(SrtpStatus.AUTH_FAILED, unprotect(pair.receiver, tampered), "flipped byte " + flip);
            }
            assertEquals(flips.length, pair.receiver.authFailures());
            // Failed attempts change no state: the genuine packet still goes through.
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, sealed));
            assertEquals(0, pair.receiver.replays());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldDropReplayedRtpAndCountIt(SrtpProfile profile) {
        try (Pair pair = Pair.of(profile)) {
            byte[] first = protect(pair.sender, Packets.rtp(100, SSRC, 100));
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, first));
            assertEquals(SrtpStatus.REPLAYED, unprotect(pair.receiver, first));

            // Out of order inside the 64-packet window is fine once, older than the window never.
            byte[] late = protect(pair.sender, Packets.rtp(101, SSRC, 100));
            byte[] ahead = protect(pair.sender, Packets.rtp(102, SSRC, 100));
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, ahead));
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, late));
            assertEquals(SrtpStatus.REPLAYED, unprotect(pair.receiver, late));
            byte[] far = protect(pair.sender, Packets.rtp(300, SSRC, 100));
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, far));
            assertEquals(SrtpStatus.REPLAYED, unprotect(pair.receiver, ahead), "102 is more than 64 behind 300");

            assertEquals(3, pair.receiver.replays());
            assertEquals(0, pair.receiver.authFailures());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldDropReplayedRtcpAndCountIt(SrtpProfile profile) {
        try (Pair pair = Pair.of(profile)) {
            byte[] sealed = protectRtcp(pair.sender, Packets.rtcp(SSRC));
            assertEquals(SrtpStatus.OK, unprotectRtcp(pair.receiver, sealed));
            assertEquals(SrtpStatus.REPLAYED, unprotectRtcp(pair.receiver, sealed));
            assertEquals(1, pair.receiver.replays());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldRefuseToProtectAnIndexTwice(SrtpProfile profile) {
        try (Pair pair = Pair.of(profile)) {
            protect(pair.sender, Packets.rtp(5, SSRC, 50));
            ByteBuf again = Packets.heap(Packets.rtp(5, SSRC, 50));
            try {
                assertEquals(SrtpStatus.REPLAYED, pair.sender.protectRtp(again));
                assertEquals(1, pair.sender.replays());
            } finally {
                again.release();
            }
        }
    }

    @Test
    void shouldKeepNoContextForAnSsrcThatNeverAuthenticated() {
        try (Pair pair = Pair.of(SrtpProfile.AEAD_AES_128_GCM)) {
            Random random = new Random(1);
            for (int i = 0; i < 50; i++) {
                byte[] forged = Packets.rtp(i, random.nextInt(), 100);
                assertEquals(SrtpStatus.AUTH_FAILED, unprotect(pair.receiver, forged));
            }
            assertEquals(0, pair.receiver.remoteRtpSsrcCount());
            assertEquals(SrtpStatus.OK, unprotect(pair.receiver, protect(pair.sender, Packets.rtp(1, SSRC, 100))));
            assertEquals(1, pair.receiver.remoteRtpSsrcCount());
        }
    }

    @Test
    void shouldRefuseSsrcsBeyondTheLimit() {
        SrtpKeys keys = keys(SrtpProfile.AEAD_AES_128_GCM, 9);
        try (SrtpSession sender = SrtpSession.create(keys, 2); SrtpSession receiver = SrtpSession.create(keys.reversed(), 2)) {
            assertEquals(SrtpStatus.OK, unprotect(receiver, protect(sender, Packets.rtp(1, 1, 10))));
            assertEquals(SrtpStatus.OK, unprotect(receiver, protect(sender, Packets.rtp(1, 2, 10))));
            ByteBuf third = Packets.heap(Packets.rtp(1, 3, 10));
            try {
                assertEquals(SrtpStatus.SSRC_LIMIT, sender.protectRtp(third));
            } finally {
                third.release();
            }
            assertEquals(1, sender.ssrcLimitDrops());
            assertEquals(SrtpStatus.OK, unprotect(receiver, protect(sender, Packets.rtp(2, 2, 10))), "known SSRCs still work");
        }
    }

    @Test
    void shouldDropMalformedPacketsWithoutThrowing() {
        try (Pair pair = Pair.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80)) {
            byte[] valid = protect(pair.sender, Packets.rtp(1, SSRC, 20));
            int tag = SrtpProfile.AES_CM_128_HMAC_SHA1_80.authTagLength();
            for (int length = 0; length < 12 + tag; length++) {
                assertEquals(SrtpStatus.MALFORMED, unprotect(pair.receiver, Arrays.copyOf(valid, length)), "length " + length);
            }
            byte[] tooManyCsrcs = valid.clone();
            tooManyCsrcs[0] = (byte) 0x8F; // 15 CSRCs = 72 header bytes, more than the packet
            assertEquals(SrtpStatus.MALFORMED, unprotect(pair.receiver, tooManyCsrcs));
            byte[] longExtension = valid.clone();
            longExtension[0] = (byte) 0x90; // X=1: extension header at 12, length word 0xFFFF
            longExtension[14] = (byte) 0xFF;
            longExtension[15] = (byte) 0xFF;
            assertEquals(SrtpStatus.MALFORMED, unprotect(pair.receiver, longExtension));
            byte[] version1 = valid.clone();
            version1[0] = 0x40;
            assertEquals(SrtpStatus.MALFORMED, unprotect(pair.receiver, version1));
            for (int length = 0; length < 8 + 4 + tag; length++) {
                assertEquals(SrtpStatus.MALFORMED, unprotectRtcp(pair.receiver, Arrays.copyOf(Packets.rtcp(SSRC), Math.min(length, 32))));
            }
            assertEquals(SrtpStatus.MALFORMED, protectRtcpStatus(pair.sender, new byte[] {(byte) 0x80, (byte) 200, 0}));
            assertEquals(0, pair.receiver.authFailures());
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void shouldNeverTouchBytesOutsideThePacketsBuffer(SrtpProfile profile) {
        // A slice of a larger array, as a pooled buffer is: the tag must land inside the slice's capacity
        // and nothing around the slice may change.
        ByteBuf backing = Unpooled.buffer(2048).writeZero(2048);
        backing.setBytes(0, filled(2048, (byte) 0x5A));
        try (Pair pair = Pair.of(profile)) {
            byte[] plain = Packets.rtp(3, SSRC, 1000);
            ByteBuf slice = backing.slice(100, plain.length + profile.rtpTailRoom()).clear().writeBytes(plain);
            assertEquals(SrtpStatus.OK, pair.sender.protectRtp(slice));
            assertEquals(SrtpStatus.OK, pair.receiver.unprotectRtp(slice));
            assertArrayEquals(plain, Packets.bytes(slice));
            for (int i = 0; i < 2048; i++) {
                if (i < 100 || i >= 100 + plain.length + profile.rtpTailRoom()) {
                    assertEquals(0x5A, backing.getByte(i), "byte " + i + " outside the slice");
                }
            }
        } finally {
            backing.release();
        }
    }

    @Test
    void shouldGrowABufferWithoutTailRoomOrReportIt() {
        try (Pair pair = Pair.of(SrtpProfile.AEAD_AES_128_GCM)) {
            byte[] plain = Packets.rtp(1, SSRC, 100);
            ByteBuf exact = Unpooled.buffer(plain.length).writeBytes(plain);
            ByteBuf fixed = Unpooled.buffer(plain.length, plain.length).writeBytes(Packets.rtp(2, SSRC, 100));
            try {
                assertEquals(SrtpStatus.OK, pair.sender.protectRtp(exact));
                assertEquals(SrtpStatus.OK, pair.receiver.unprotectRtp(exact));
                assertArrayEquals(plain, Packets.bytes(exact));
                assertEquals(SrtpStatus.NO_TAIL_ROOM, pair.sender.protectRtp(fixed));
                assertEquals(1, pair.sender.noTailRoom());
            } finally {
                exact.release();
                fixed.release();
            }
        }
    }

    @Test
    void shouldRejectDirectBuffersAsACallerBug() {
        try (Pair pair = Pair.of(SrtpProfile.AEAD_AES_128_GCM)) {
            ByteBuf direct = Unpooled.directBuffer(64).writeBytes(Packets.rtp(1, SSRC, 20));
            try {
                assertThrows(IllegalArgumentException.class, () -> pair.receiver.unprotectRtp(direct));
            } finally {
                direct.release();
            }
        }
    }

    @Test
    void shouldFailEverythingAfterClose() {
        Pair pair = Pair.of(SrtpProfile.AEAD_AES_128_GCM);
        byte[] sealed = protect(pair.sender, Packets.rtp(1, SSRC, 20));
        pair.close();
        assertEquals(SrtpStatus.FAILED, unprotect(pair.receiver, sealed));
        assertEquals(1, pair.receiver.failures());
    }

    @Test
    void shouldSplitDtlsKeyingMaterialAsRfc5764Says() {
        SrtpProfile profile = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
        byte[] material = new byte[profile.keyingMaterialLength()];
        for (int i = 0; i < material.length; i++) material[i] = (byte) i;
        SrtpKeys client = SrtpKeys.fromDtlsKeyingMaterial(profile, material, true);
        // client key 0..15, server key 16..31, client salt 32..45, server salt 46..59
        assertArrayEquals(range(0, 16), client.localKey());
        assertArrayEquals(range(16, 32), client.remoteKey());
        assertArrayEquals(range(32, 46), client.localSalt());
        assertArrayEquals(range(46, 60), client.remoteSalt());
        assertEquals(client.reversed(), SrtpKeys.fromDtlsKeyingMaterial(profile, material, false));
        assertThrows(IllegalArgumentException.class, () -> SrtpKeys.fromDtlsKeyingMaterial(profile, new byte[59], true));
    }

    private static byte[] range(int from, int to) {
        byte[] bytes = new byte[to - from];
        for (int i = from; i < to; i++) bytes[i - from] = (byte) i;
        return bytes;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] protect(SrtpSession session, byte[] plain) {
        ByteBuf packet = Packets.heap(plain);
        try {
            assertEquals(SrtpStatus.OK, session.protectRtp(packet));
            return Packets.bytes(packet);
        } finally {
            packet.release();
        }
    }

    private static byte[] protectRtcp(SrtpSession session, byte[] plain) {
        ByteBuf packet = Packets.heap(plain);
        try {
            assertEquals(SrtpStatus.OK, session.protectRtcp(packet));
            return Packets.bytes(packet);
        } finally {
            packet.release();
        }
    }

    private static SrtpStatus protectRtcpStatus(SrtpSession session, byte[] plain) {
        ByteBuf packet = Packets.heap(plain);
        try {
            return session.protectRtcp(packet);
        } finally {
            packet.release();
        }
    }

    static SrtpStatus unprotect(SrtpSession session, byte[] sealed) {
        ByteBuf packet = Packets.heap(sealed);
        try {
            return session.unprotectRtp(packet);
        } finally {
            packet.release();
        }
    }

    static SrtpStatus unprotectRtcp(SrtpSession session, byte[] sealed) {
        ByteBuf packet = Packets.heap(sealed);
        try {
            return session.unprotectRtcp(packet);
        } finally {
            packet.release();
        }
    }
}
