package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The server's hold on the client's ChangeCipherSpec, on hand-built DTLS 1.2 records. */
class ChangeCipherSpecGateTest {

    private static final int CLIENT_KEY_EXCHANGE = 16;
    private static final int CERTIFICATE_VERIFY = 15;

    private final ChangeCipherSpecGate gate = new ChangeCipherSpecGate();

    @Test
    void shouldHoldAChangeCipherSpecUntilTheCertificateVerifyHasArrived() {
        assertNull(gate.admit(changeCipherSpec(4)), "CertificateVerify lost: its ChangeCipherSpec must not reach bctls");
        assertEquals(1, gate.held());
        byte[] certificateVerify = handshake(7, CERTIFICATE_VERIFY, 3, 72, 0, 72);
        assertSame(certificateVerify, gate.admit(certificateVerify));
        byte[] retransmitted = changeCipherSpec(8);
        assertSame(retransmitted, gate.admit(retransmitted));
        assertEquals(1, gate.held());
    }

    @Test
    void shouldWaitForEveryFragmentOfTheCertificateVerifyInAnyOrder() {
        gate.admit(handshake(5, CERTIFICATE_VERIFY, 3, 300, 200, 100));
        assertNull(gate.admit(changeCipherSpec(6)));
        gate.admit(handshake(9, CERTIFICATE_VERIFY, 3, 300, 0, 150)); // bytes 150..199 still missing
        assertNull(gate.admit(changeCipherSpec(10)));
        gate.admit(handshake(13, CERTIFICATE_VERIFY, 3, 300, 100, 100));
        byte[] changeCipherSpec = changeCipherSpec(14);
        assertSame(changeCipherSpec, gate.admit(changeCipherSpec));
        assertEquals(2, gate.held());
    }

    @Test
    void shouldKeepTheRecordsBeforeAHeldChangeCipherSpecAndCutTheRest() {
        byte[] clientKeyExchange = handshake(2, CLIENT_KEY_EXCHANGE, 2, 66, 0, 66);
        byte[] datagram = concat(clientKeyExchange, changeCipherSpec(3), finished(0));
        assertArrayEquals(clientKeyExchange, gate.admit(datagram));
        assertEquals(1, gate.held());
    }

    @Test
    void shouldPassAChangeCipherSpecThatFollowsItsCertificateVerifyInOneDatagram() {
        // How browsers pack the final flight: Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished.
        byte[] datagram = concat(handshake(2, CLIENT_KEY_EXCHANGE, 2, 66, 0, 66), handshake(3, CERTIFICATE_VERIFY, 3, 72, 0, 72),
                changeCipherSpec(4), finished(0));
        assertSame(datagram, gate.admit(datagram));
        assertEquals(0, gate.held());
    }

    @Test
    void shouldNotCountAFragmentOfAnotherLengthTowardsTheCertificateVerify() {
        gate.admit(handshake(2, CERTIFICATE_VERIFY, 3, 72, 0, 40));
        // The missing bytes, but of a message that claims to be 100 bytes long: bctls's reassembler ignores it too.
        gate.admit(handshake(3, CERTIFICATE_VERIFY, 3, 100, 40, 32));
        assertNull(gate.admit(changeCipherSpec(4)));
        gate.admit(handshake(5, CERTIFICATE_VERIFY, 3, 72, 40, 32));
        byte[] changeCipherSpec = changeCipherSpec(6);
        assertSame(changeCipherSpec, gate.admit(changeCipherSpec));
    }

    @Test
    void shouldLeaveWhatItCannotParseToBctls() {
        byte[] truncated = Arrays.copyOf(changeCipherSpec(1), 10);
        assertSame(truncated, gate.admit(truncated));
        byte[] overlong = changeCipherSpec(1);
        overlong[12] = 9; // the record claims 9 bytes of the 1 there is
        assertSame(overlong, gate.admit(overlong));
        assertEquals(0, gate.held());
    }

    /** An epoch-0 handshake record with one fragment ({@code fragmentLength} bytes at {@code fragmentOffset} of {@code length}). */
    private static byte[] handshake(long recordSeq, int type, int messageSeq, int length, int fragmentOffset, int fragmentLength) {
        byte[] body = new byte[12 + fragmentLength];
        body[0] = (byte) type;
        putUint24(body, 1, length);
        body[4] = (byte) (messageSeq >> 8);
        body[5] = (byte) messageSeq;
        putUint24(body, 6, fragmentOffset);
        putUint24(body, 9, fragmentLength);
        Arrays.fill(body, 12, body.length, (byte) 0x5a);
        return record(22, 0, recordSeq, body);
    }

    private static byte[] changeCipherSpec(long recordSeq) {
        return record(20, 0, recordSeq, new byte[] {1});
    }

    /** An epoch-1 record standing for the encrypted Finished. */
    private static byte[] finished(long recordSeq) {
        byte[] ciphertext = new byte[40];
        Arrays.fill(ciphertext, (byte) 0x33);
        return record(22, 1, recordSeq, ciphertext);
    }

    private static byte[] record(int type, int epoch, long seq, byte[] body) {
        byte[] record = new byte[13 + body.length];
        record[0] = (byte) type;
        record[1] = (byte) 254;
        record[2] = (byte) 253;
        record[3] = (byte) (epoch >> 8);
        record[4] = (byte) epoch;
        for (int i = 0; i < 6; i++) record[5 + i] = (byte) (seq >> (8 * (5 - i)));
        record[11] = (byte) (body.length >> 8);
        record[12] = (byte) body.length;
        System.arraycopy(body, 0, record, 13, body.length);
        return record;
    }

    private static void putUint24(byte[] bytes, int offset, int value) {
        bytes[offset] = (byte) (value >> 16);
        bytes[offset + 1] = (byte) (value >> 8);
        bytes[offset + 2] = (byte) value;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }
}
