package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.transport.srtp.AesGcm;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A node pipe's sealed datagrams (issue 14, hostile input): what opens, and what is refused and why. */
class PipeSealTest {

    private static final byte[] KEY = new byte[16];
    private static final byte[] OTHER_KEY = new byte[16];

    static {
        Arrays.fill(KEY, (byte) 7);
        Arrays.fill(OTHER_KEY, (byte) 8);
    }

    private static ByteBuf sealed(PipeSeal seal, int producerId, byte[] rtp) {
        ByteBuf out = Unpooled.buffer(PipeSeal.MIN_DATAGRAM + rtp.length);
        seal.seal(PipeSeal.RTP, 2, PipeSeal.FLAG_REPAIR, 0x01020304, producerId, Unpooled.wrappedBuffer(rtp), out);
        return out;
    }

    @Test
    void shouldOpenWhatTheOtherEndSealedWithItsHeaderInTheClear() {
        byte[] rtp = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 42};
        ByteBuf d = sealed(new PipeSeal(KEY, PipeSeal.FROM_HOME), 9, rtp);
        assertEquals(PipeSeal.MIN_DATAGRAM + rtp.length, d.readableBytes());
        assertEquals('J', d.getByte(0));
        assertEquals(PipeSeal.RTP, PipeSeal.type(d));
        assertEquals(2, d.getByte(2));
        assertEquals(PipeSeal.FLAG_REPAIR, d.getByte(3));
        assertEquals(0x01020304, PipeSeal.pipeId(d));
        assertEquals(0L, d.getLong(8), "the first counter");
        PipeSeal receiver = new PipeSeal(KEY, PipeSeal.FROM_HOME);
        assertNull(receiver.open(d));
        assertEquals(9, d.readInt());
        byte[] opened = new byte[d.readableBytes()];
        d.readBytes(opened);
        assertTrue(Arrays.equals(rtp, opened));
    }

    @Test
    void shouldRefuseAWrongKeyTheOtherDirectionATamperedHeaderAndAReplay() {
        PipeSeal sender = new PipeSeal(KEY, PipeSeal.FROM_HOME);
        byte[] rtp = new byte[100];
        ByteBuf first = sealed(sender, 1, rtp);
        ByteBuf copy = first.copy();
        assertEquals(PipeSeal.Refusal.BAD_AUTH, new PipeSeal(OTHER_KEY, PipeSeal.FROM_HOME).open(first.copy()));
        assertEquals(PipeSeal.Refusal.BAD_AUTH, new PipeSeal(KEY, PipeSeal.TO_HOME).open(first.copy()), "a nonce of the other direction");
        ByteBuf tampered = first.copy();
        tampered.setByte(2, 0); // the layer is authenticated
        PipeSeal receiver = new PipeSeal(KEY, PipeSeal.FROM_HOME);
        assertEquals(PipeSeal.Refusal.BAD_AUTH, receiver.open(tampered));
        assertNull(receiver.open(first), "a refused forgery does not move the window");
        assertEquals(PipeSeal.Refusal.REPLAY, receiver.open(copy));
        assertEquals(PipeSeal.Refusal.MALFORMED, receiver.open(Unpooled.wrappedBuffer(new byte[] {'J', 1, 0})));
    }

    @Test
    void shouldAcceptLateDatagramsInsideTheWindowOnce() {
        PipeSeal sender = new PipeSeal(KEY, PipeSeal.FROM_HOME);
        ByteBuf[] d = new ByteBuf[200];
        for (int i = 0; i < d.length; i++) d[i] = sealed(sender, 1, new byte[20]);
        PipeSeal receiver = new PipeSeal(KEY, PipeSeal.FROM_HOME);
        assertNull(receiver.open(d[150].copy()));
        assertNull(receiver.open(d[100].copy()), "50 late: inside the window");
        assertEquals(PipeSeal.Refusal.REPLAY, receiver.open(d[100].copy()));
        assertEquals(PipeSeal.Refusal.REPLAY, receiver.open(d[10].copy()), "140 late: too old to tell, refused");
        assertNull(receiver.open(d[199].copy()));
        assertNull(receiver.open(d[151].copy()));
    }

    /**
     * OpenSSL through FFM (the default where it loaded) and the JDK's Cipher (the fallback) seal the same bytes and
     * open each other's datagrams, and both refuse a tampered one: a pipe between a JDK 21 node and a JDK 25 node
     * works. On a JDK with the FFM API, the FFM path must have loaded (no silent fallback in the build).
     */
    @Test
    void shouldSealTheSameBytesThroughOpenSslAndTheJdk() {
        if (!AesGcm.available()) {
            assertTrue(Runtime.version().feature() < 22, "FFM AES-GCM did not load on Java " + Runtime.version());
            return;
        }
        byte[] rtp = new byte[1200];
        new java.util.Random(14).nextBytes(rtp);
        for (int i = 0; i < 3; i++) {
            ByteBuf viaFfm = sealed(new PipeSeal(KEY, PipeSeal.TO_HOME, true), 5, rtp);
            ByteBuf viaJdk = sealed(new PipeSeal(KEY, PipeSeal.TO_HOME, false), 5, rtp);
            assertEquals(viaJdk, viaFfm, "identical datagrams");
            ByteBuf tampered = viaFfm.copy();
            tampered.setByte(tampered.writerIndex() - 1, tampered.getByte(tampered.writerIndex() - 1) ^ 1);
            assertEquals(PipeSeal.Refusal.BAD_AUTH, new PipeSeal(KEY, PipeSeal.TO_HOME, true).open(tampered), "FFM checks the tag");
            assertNull(new PipeSeal(KEY, PipeSeal.TO_HOME, false).open(viaFfm), "the JDK opens OpenSSL's");
            assertNull(new PipeSeal(KEY, PipeSeal.TO_HOME, true).open(viaJdk), "OpenSSL opens the JDK's");
            byte[] opened = new byte[viaJdk.readableBytes() - 4];
            viaJdk.getBytes(viaJdk.readerIndex() + 4, opened);
            assertTrue(Arrays.equals(rtp, opened));
        }
    }
}
