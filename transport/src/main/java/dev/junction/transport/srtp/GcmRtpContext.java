package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;

/**
 * One RTP SSRC's AES-GCM context in one direction (RFC 7714 §8, §9): rollover counter, highest sequence
 * number and 64-packet replay window, with the direction's shared {@link GcmCipher}.
 *
 * <p>The index estimate (RFC 3711 §3.3.1 and Appendix A), the replay check and the state update are
 * jitsi-srtp's {@code SrtpCryptoContext} line for line (same fields, same arithmetic, same order: replay
 * check before authentication, state updated only after it), so that switching the cipher changes no
 * accept or drop decision; {@code GcmDifferentialTest} holds the two against each other. The sender runs
 * the replay check too: it refuses to reuse an index, since a second packet under one (SSRC, ROC, SEQ)
 * would reuse the GCM nonce (RFC 7714 §8.1).
 *
 * <p>Not handled, as Junction never negotiates them: cryptex (RFC 9335; an 0xC0DE extension is
 * authenticated as an ordinary one, so a cryptex packet fails its tag) and MKI.
 *
 * <p><b>Threading:</b> the session's event loop only. <b>Buffers:</b> borrows the packet; see {@link SrtpSession}.
 */
final class GcmRtpContext implements SrtpContext {

    private static final long REPLAY_WINDOW_SIZE = 64;

    // Passed by argument.
    private final boolean sender;
    private final int ssrc;
    private final GcmCipher cipher;
    private final byte[] salt;

    // Allocated by this.
    private final byte[] iv = new byte[GcmCipher.IV_LENGTH];
    /** RFC 3711 ROC. */
    private int roc;
    /** RFC 3711 s_l: the highest sequence number accepted (receiver) or sent (sender). */
    private int highestSequence;
    private boolean sequenceSet;
    /** RFC 3711 v: the ROC guessed for the packet in hand. */
    private int guessedRoc;
    private long replayWindow;

    GcmRtpContext(boolean sender, int ssrc, GcmCipher cipher, byte[] salt) {
        this.sender = sender;
        this.ssrc = ssrc;
        this.cipher = cipher;
        this.salt = salt;
    }

    @Override
    public SrtpStatus transform(ByteBuf packet, int headerLength) {
        return sender ? protect(packet, headerLength) : unprotect(packet, headerLength);
    }

    /** RFC 7714 §9.1; the tag is written after the writer index, which moves over it. */
    private SrtpStatus protect(ByteBuf packet, int headerLength) {
        int base = packet.readerIndex();
        int sequence = packet.getUnsignedShort(base + 2);
        if (!sequenceSet) {
            sequenceSet = true;
            highestSequence = sequence;
        }
        long guessedIndex = guessIndex(sequence);
        SrtpStatus replay = checkReplay(guessedIndex);
        if (replay != SrtpStatus.OK) return replay;
        writeIv(guessedIndex);
        cipher.seal(iv, packet, base, headerLength, packet.readableBytes() - headerLength, 0, false);
        packet.writerIndex(packet.writerIndex() + GcmCipher.TAG_LENGTH);
        update(sequence, guessedIndex);
        return SrtpStatus.OK;
    }

    /** RFC 7714 §9.2; on OK the tag is cut off. A first packet that fails leaves no trace. */
    private SrtpStatus unprotect(ByteBuf packet, int headerLength) {
        int base = packet.readerIndex();
        int sequence = packet.getUnsignedShort(base + 2);
        boolean sequenceJustSet = false;
        if (!sequenceSet) {
            sequenceSet = true;
            highestSequence = sequence;
            sequenceJustSet = true;
        }
        long guessedIndex = guessIndex(sequence);
        SrtpStatus status = checkReplay(guessedIndex);
        if (status == SrtpStatus.OK) {
            writeIv(guessedIndex);
            int textLength = packet.readableBytes() - headerLength - GcmCipher.TAG_LENGTH;
            if (cipher.open(iv, packet, base, headerLength, textLength, 0, false)) {
                packet.writerIndex(packet.writerIndex() - GcmCipher.TAG_LENGTH);
                update(sequence, guessedIndex);
            } else {
                status = SrtpStatus.AUTH_FAILED;
            }
        }
        if (status != SrtpStatus.OK && sequenceJustSet) {
            // An unauthenticated packet must not seed the state.
            sequenceSet = false;
            highestSequence = 0;
        }
        return status;
    }

    /**
     * RFC 7714 §8.1:
     * <pre>
     *   IV = (00 00 || SSRC || ROC || SEQ) XOR salt        (12 octets; ROC || SEQ is the 48-bit index)
     * </pre>
     */
    private void writeIv(long index) {
        iv[0] = salt[0];
        iv[1] = salt[1];
        iv[2] = (byte) ((ssrc >>> 24) ^ salt[2]);
        iv[3] = (byte) ((ssrc >>> 16) ^ salt[3]);
        iv[4] = (byte) ((ssrc >>> 8) ^ salt[4]);
        iv[5] = (byte) (ssrc ^ salt[5]);
        iv[6] = (byte) ((index >>> 40) ^ salt[6]);
        iv[7] = (byte) ((index >>> 32) ^ salt[7]);
        iv[8] = (byte) ((index >>> 24) ^ salt[8]);
        iv[9] = (byte) ((index >>> 16) ^ salt[9]);
        iv[10] = (byte) ((index >>> 8) ^ salt[10]);
        iv[11] = (byte) (index ^ salt[11]);
    }

    /** RFC 3711 §3.3.1 (Appendix A): the index of {@code sequence} relative to s_l; sets {@link #guessedRoc}. */
    private long guessIndex(int sequence) {
        if (highestSequence < 32768) {
            guessedRoc = sequence - highestSequence > 32768 ? roc - 1 : roc;
        } else {
            guessedRoc = highestSequence - 32768 > sequence ? roc + 1 : roc;
        }
        return (((long) guessedRoc) << 16) | sequence;
    }

    /** RFC 3711 §3.3.2: new, or inside the 64-packet window and not seen yet. */
    private SrtpStatus checkReplay(long guessedIndex) {
        long localIndex = (((long) roc) << 16) | highestSequence;
        long delta = guessedIndex - localIndex;
        if (delta > 0) return SrtpStatus.OK;
        if (-delta >= REPLAY_WINDOW_SIZE) return SrtpStatus.REPLAYED;
        if (((replayWindow >>> (-delta)) & 0x1) != 0) return SrtpStatus.REPLAYED;
        return SrtpStatus.OK;
    }

    /** After an accepted packet: the window, s_l and, on a wrap, the ROC. */
    private void update(int sequence, long guessedIndex) {
        long delta = guessedIndex - ((((long) roc) << 16) | highestSequence);
        if (delta >= REPLAY_WINDOW_SIZE) {
            replayWindow = 1;
        } else if (delta > 0) {
            replayWindow <<= delta;
            replayWindow |= 1;
        } else {
            replayWindow |= (1L << -delta);
        }
        if (guessedRoc == roc) {
            if (sequence > highestSequence) highestSequence = sequence & 0xffff;
        } else if (guessedRoc == roc + 1) {
            highestSequence = sequence & 0xffff;
            roc = guessedRoc;
        }
    }
}
