package dev.junction.transport.dtls;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's guard against a bctls stall: holds back the client's ChangeCipherSpec until the client's
 * CertificateVerify has been handed to bctls in full.
 *
 * <p><b>Why.</b> The client's final flight is Certificate, ClientKeyExchange, CertificateVerify,
 * ChangeCipherSpec, Finished (RFC 5246 §7.3). bctls's {@code DTLSServerProtocol} sets up the pending read
 * epoch as soon as it has processed ClientKeyExchange, and its record layer moves to that epoch on the
 * first ChangeCipherSpec record it reads, whatever is still missing; from then on it discards every epoch-0
 * record. So if the datagram that carries CertificateVerify is lost and the one that carries
 * ChangeCipherSpec is not, every retransmitted CertificateVerify is thrown away, the server never
 * finishes, and the handshake fails at its deadline (bctls 1.84; unchanged on its main branch). With one
 * record per datagram and 10% loss that is about one handshake in twelve.
 *
 * <p><b>How.</b> Dropping such a ChangeCipherSpec is always safe: to DTLS it is one more lost datagram, and
 * the client sends its whole final flight again, ChangeCipherSpec included, when its timer fires (or when
 * our own retransmission reaches it). A datagram that carries records before the ChangeCipherSpec keeps
 * them; the ChangeCipherSpec and what follows it (epoch-1 records, which bctls cannot read before the
 * ChangeCipherSpec anyway) are cut off. A ChangeCipherSpec that overtook its CertificateVerify on the
 * network is dropped the same way, which costs one retransmission.
 *
 * <p>The client role needs no gate: once bctls's client sets up its pending epoch (after sending
 * ClientKeyExchange) the server sends no more epoch-0 handshake messages, since we neither offer session
 * tickets nor resume sessions.
 *
 * <p>Threading: the DTLS thread only, and only during the handshake.
 */
final class ChangeCipherSpecGate {

    private static final int RECORD_HEADER_LENGTH = 13;
    private static final int FRAGMENT_HEADER_LENGTH = 12;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int CERTIFICATE_VERIFY = 15;
    /** More than any CertificateVerify (an RSA-4096 signature is 512 bytes); larger claims are ignored. */
    private static final int MAX_TRACKED_LENGTH = 1 << 16;
    /** A client sends one CertificateVerify; a few message_seq values leave room for garbage without growing. */
    private static final int MAX_TRACKED_MESSAGES = 4;

    // Allocated by this.
    /** Bytes received of each CertificateVerify, by message_seq; the first fragment seen fixes the length. */
    private final Map<Integer, Received> certificateVerify = new HashMap<>();
    private boolean certificateVerifyComplete;
    private long held;

    /**
     * Returns what of {@code datagram} bctls may see: all of it, the part before a ChangeCipherSpec that must
     * wait, or null if nothing is left. Records it cannot parse are passed on untouched, for bctls to judge.
     */
    byte[] admit(byte[] datagram) {
        if (certificateVerifyComplete) return datagram;
        int offset = 0;
        while (offset + RECORD_HEADER_LENGTH <= datagram.length) {
            int type = datagram[offset] & 0xff;
            int epoch = readUint16(datagram, offset + 3);
            int end = offset + RECORD_HEADER_LENGTH + readUint16(datagram, offset + 11);
            if (end > datagram.length) break;
            if (epoch == 0 && type == HANDSHAKE) {
                noteFragments(datagram, offset + RECORD_HEADER_LENGTH, end);
            } else if (epoch == 0 && type == CHANGE_CIPHER_SPEC && !certificateVerifyComplete) {
                held++;
                return offset == 0 ? null : Arrays.copyOf(datagram, offset);
            }
            offset = end;
        }
        return datagram;
    }

    /** ChangeCipherSpec records held back so far. */
    long held() {
        return held;
    }

    private void noteFragments(byte[] record, int offset, int end) {
        while (offset + FRAGMENT_HEADER_LENGTH <= end) {
            int type = record[offset] & 0xff;
            int length = readUint24(record, offset + 1);
            int messageSeq = readUint16(record, offset + 4);
            int fragmentOffset = readUint24(record, offset + 6);
            int fragmentLength = readUint24(record, offset + 9);
            int fragmentEnd = offset + FRAGMENT_HEADER_LENGTH + fragmentLength;
            if (fragmentEnd > end || fragmentOffset + fragmentLength > length) return; // malformed: bctls drops it too
            if (type == CERTIFICATE_VERIFY && length <= MAX_TRACKED_LENGTH) {
                Received received = certificateVerify.get(messageSeq);
                if (received == null && certificateVerify.size() < MAX_TRACKED_MESSAGES) {
                    received = new Received(length);
                    certificateVerify.put(messageSeq, received);
                }
                if (received != null && received.length == length && received.add(fragmentOffset, fragmentLength)) {
                    certificateVerifyComplete = true;
                }
            }
            offset = fragmentEnd;
        }
    }

    private static int readUint16(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 8 | bytes[offset + 1] & 0xff;
    }

    private static int readUint24(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 16 | (bytes[offset + 1] & 0xff) << 8 | bytes[offset + 2] & 0xff;
    }

    /** Which bytes of one handshake message have arrived. */
    private static final class Received {
        final int length;
        final BitSet bytes = new BitSet();

        Received(int length) {
            this.length = length;
        }

        /** Adds a fragment; true once the whole message is there. */
        boolean add(int offset, int fragmentLength) {
            bytes.set(offset, offset + fragmentLength);
            return bytes.nextClearBit(0) >= length;
        }
    }
}
