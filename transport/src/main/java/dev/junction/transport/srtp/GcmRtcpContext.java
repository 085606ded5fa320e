package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;

/**
 * One RTCP sender SSRC's AES-GCM context in one direction (RFC 7714 §9, §10): the next SRTCP index
 * (sender) or the highest index and 64-packet replay window (receiver), with the direction's shared
 * {@link GcmCipher}.
 *
 * <pre>
 *   SRTCP with AEAD (RFC 7714 §10 figure 3):
 *   | RTCP header, 8 octets (AAD) | encrypted rest | tag, 16 | E | SRTCP index, 31 bits |
 *   AAD = the 8-octet header || (E || index), although the E/index word travels after the tag
 *   IV  = (00 00 || SSRC || 00 00 || 0 || index) XOR salt
 * </pre>
 *
 * <p>Index, replay window and their order are jitsi-srtp's {@code SrtcpCryptoContext}'s: replay check on
 * the carried index first, then the tag, then the window update. A packet with the E flag clear (sent
 * unencrypted, RFC 7714 §9.2's "authentication only") is refused as an authentication failure after the
 * replay check, as jitsi-srtp effectively does: no DTLS-SRTP profile negotiates unencrypted SRTCP.
 *
 * <p><b>Threading:</b> the session's event loop only. <b>Buffers:</b> borrows the packet; see {@link SrtpSession}.
 */
final class GcmRtcpContext implements SrtpContext {

    private static final long REPLAY_WINDOW_SIZE = 64;
    private static final int HEADER_LENGTH = 8;
    private static final int INDEX_LENGTH = 4;
    private static final int E_FLAG = 0x8000_0000;

    // Passed by argument.
    private final boolean sender;
    private final int ssrc;
    private final GcmCipher cipher;
    private final byte[] salt;

    // Allocated by this.
    private final byte[] iv = new byte[GcmCipher.IV_LENGTH];
    private int sentIndex;
    private int receivedIndex;
    private long replayWindow;

    GcmRtcpContext(boolean sender, int ssrc, GcmCipher cipher, byte[] salt) {
        this.sender = sender;
        this.ssrc = ssrc;
        this.cipher = cipher;
        this.salt = salt;
    }

    @Override
    public SrtpStatus transform(ByteBuf packet, int headerLength) {
        return sender ? protect(packet) : unprotect(packet);
    }

    private SrtpStatus protect(ByteBuf packet) {
        int base = packet.readerIndex();
        int index = sentIndex;
        writeIv(index);
        cipher.seal(iv, packet, base, HEADER_LENGTH, packet.readableBytes() - HEADER_LENGTH, index | E_FLAG, true);
        packet.writerIndex(packet.writerIndex() + GcmCipher.TAG_LENGTH);
        packet.writeInt(index | E_FLAG);
        // 31 bits; a wrap would reuse nonces, but takes 2^31 reports from one SSRC (jitsi-srtp wraps the same way).
        sentIndex = (sentIndex + 1) & ~E_FLAG;
        return SrtpStatus.OK;
    }

    private SrtpStatus unprotect(ByteBuf packet) {
        int base = packet.readerIndex();
        int length = packet.readableBytes();
        int indexWord = packet.getInt(base + length - INDEX_LENGTH);
        int index = indexWord & ~E_FLAG;
        SrtpStatus replay = checkReplay(index);
        if (replay != SrtpStatus.OK) return replay;
        if ((indexWord & E_FLAG) == 0) return SrtpStatus.AUTH_FAILED;
        writeIv(index);
        int textLength = length - HEADER_LENGTH - GcmCipher.TAG_LENGTH - INDEX_LENGTH;
        if (!cipher.open(iv, packet, base, HEADER_LENGTH, textLength, indexWord, true)) return SrtpStatus.AUTH_FAILED;
        packet.writerIndex(base + HEADER_LENGTH + textLength);
        update(index);
        return SrtpStatus.OK;
    }

    /** RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt. */
    private void writeIv(int index) {
        iv[0] = salt[0];
        iv[1] = salt[1];
        iv[2] = (byte) ((ssrc >>> 24) ^ salt[2]);
        iv[3] = (byte) ((ssrc >>> 16) ^ salt[3]);
        iv[4] = (byte) ((ssrc >>> 8) ^ salt[4]);
        iv[5] = (byte) (ssrc ^ salt[5]);
        iv[6] = salt[6];
        iv[7] = salt[7];
        iv[8] = (byte) ((index >>> 24) ^ salt[8]);
        iv[9] = (byte) ((index >>> 16) ^ salt[9]);
        iv[10] = (byte) ((index >>> 8) ^ salt[10]);
        iv[11] = (byte) (index ^ salt[11]);
    }

    /** RFC 3711 §3.3.2 over the 31-bit SRTCP index. */
    private SrtpStatus checkReplay(int index) {
        long delta = index - receivedIndex;
        if (delta > 0) return SrtpStatus.OK;
        if (-delta >= REPLAY_WINDOW_SIZE) return SrtpStatus.REPLAYED;
        if (((replayWindow >>> (-delta)) & 0x1) != 0) return SrtpStatus.REPLAYED;
        return SrtpStatus.OK;
    }

    private void update(int index) {
        int delta = index - receivedIndex;
        if (delta >= REPLAY_WINDOW_SIZE) {
            replayWindow = 1;
            receivedIndex = index;
        } else if (delta > 0) {
            replayWindow <<= delta;
            replayWindow |= 1;
            receivedIndex = index;
        } else {
            replayWindow |= (1L << -delta);
        }
    }
}
