package dev.junction.gateway.cluster;

import dev.junction.transport.srtp.AesGcm;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of one node pipe's datagrams (issue 14): AES-128-GCM with the pipe's key, which the viewing node
 * made and sent to the home node over the cluster's event bus. Sans-IO: it seals into and opens from buffers it
 * is given, and keeps the sender's counter or the receiver's replay window.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  magic 'J'    |     type      |     layer     |     flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           pipe id                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     counter (64 bits, per direction)          |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  sealed: producer id (32), then the type's body ...           |
 * |  ... GCM tag (128 bits)                                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The first 16 bytes are authenticated as associated data. The nonce is the direction (32 bits: 0 from the home
 * node, 1 towards it) and the counter, so the one key never meets one nonce twice. Types: {@link #RTP} (home to
 * viewer; body: the RTP packet), {@link #KEYFRAME} (viewer to home; no body), {@link #REPAIR} (viewer to home;
 * body: the sequence number, 16 bits). Flags: bit 0, the RTP packet is a late repair.
 *
 * <p>Crypto: OpenSSL through FFM ({@link AesGcm}, one context per direction keyed once, no allocation per
 * datagram) where it loaded, else the JDK's {@code Cipher} re-initialized per datagram (about 1 KiB of garbage
 * each). Both produce the same bytes.
 *
 * <p>Threading: a sealing instance on the one thread that sends, an opening instance on the one thread that
 * receives. Buffers: nothing is retained; callers own every buffer.
 */
final class PipeSeal {
    static final int MAGIC = 'J';
    static final int RTP = 1;
    static final int KEYFRAME = 2;
    static final int REPAIR = 3;
    static final int FLAG_REPAIR = 1;
    static final int HEADER = 16;
    static final int TAG = 16;
    /** Header, producer id, tag: the shortest datagram. */
    static final int MIN_DATAGRAM = HEADER + 4 + TAG;
    static final int FROM_HOME = 0;
    static final int TO_HOME = 1;
    private static final int WINDOW = 128;

    /** Why {@link #open} refused a datagram. */
    enum Refusal {
        MALFORMED, BAD_AUTH, REPLAY
    }

    private final SecretKeySpec key;
    private final int direction;
    private final Cipher cipher;
    private final byte[] rawKey;
    private final boolean ffm;
    /** FFM contexts, made on first use of each direction; null where FFM did not load. */
    private AesGcm sealing;
    private AesGcm opening;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[HEADER];
    // Sending: the next counter. Receiving: the highest seen and a window of those below it.
    private long counter;
    private long highest = -1;
    private final long[] window = new long[WINDOW / 64];

    PipeSeal(byte[] key, int direction) {
        this(key, direction, AesGcm.available());
    }

    /** {@code ffm}: through {@link AesGcm} (only where it is available), else the JDK's {@code Cipher}. */
    PipeSeal(byte[] key, int direction, boolean ffm) {
        if (ffm && !AesGcm.available()) throw new IllegalStateException("AES-GCM through FFM is not available here");
        this.ffm = ffm;
        if (key.length != 16) throw new IllegalArgumentException("a pipe key is 16 bytes");
        this.key = new SecretKeySpec(key, "AES");
        this.direction = direction;
        this.rawKey = key.clone();
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** Peeks the pipe id of a datagram that is at least {@link #MIN_DATAGRAM} long and starts with the magic; else 0. */
    static int pipeId(ByteBuf datagram) {
        int at = datagram.readerIndex();
        if (datagram.readableBytes() < MIN_DATAGRAM || datagram.getUnsignedByte(at) != MAGIC) return 0;
        return datagram.getInt(at + 4);
    }

    /** The type of a datagram {@link #pipeId} accepted. */
    static int type(ByteBuf datagram) {
        return datagram.getUnsignedByte(datagram.readerIndex() + 1);
    }

    /**
     * Writes one sealed datagram to {@code out}: the header, then {@code producerId} and {@code body}'s readable
     * bytes (may be null), encrypted, and the tag. {@code out} needs {@link #HEADER} + 4 + body + {@link #TAG}
     * writable bytes (a heap buffer).
     */
    void seal(int type, int layer, int flags, int pipeId, int producerId, ByteBuf body, ByteBuf out) {
        long n = counter++;
        int start = out.writerIndex();
        out.writeByte(MAGIC).writeByte(type).writeByte(layer).writeByte(flags).writeInt(pipeId).writeLong(n);
        out.getBytes(start, aad);
        int plainLength = 4 + (body == null ? 0 : body.readableBytes());
        int plainAt = out.writerIndex();
        out.writeInt(producerId);
        if (body != null) out.writeBytes(body, body.readerIndex(), body.readableBytes());
        out.ensureWritable(TAG);
        if (ffm) {
            if (sealing == null) sealing = AesGcm.create(rawKey, true);
            sealing.seal(nonce(n), out, start, HEADER, plainLength);
            out.writerIndex(plainAt + plainLength + TAG);
            return;
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce(n)));
            cipher.updateAAD(aad);
            ByteBuffer plain = out.nioBuffer(plainAt, plainLength);
            ByteBuffer sealed = out.internalNioBuffer(plainAt, plainLength + TAG);
            int written = cipher.doFinal(plain.duplicate(), sealed);
            out.writerIndex(plainAt + written);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing a pipe datagram", e);
        }
    }

    /**
     * Opens {@code datagram} in place: on success its readable bytes become the plaintext (producer id, then the
     * body) and null is returned; else the reason (after {@link Refusal#BAD_AUTH} the datagram's bytes are
     * unspecified: callers drop it). The replay window moves only for a
     * datagram that authenticated.
     */
    Refusal open(ByteBuf datagram) {
        int at = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length < MIN_DATAGRAM || datagram.getUnsignedByte(at) != MAGIC || !datagram.hasArray()) return Refusal.MALFORMED;
        long n = datagram.getLong(at + 8);
        if (n < 0 || seen(n)) return Refusal.REPLAY;
        if (ffm) {
            if (opening == null) opening = AesGcm.create(rawKey, false);
            if (!opening.open(nonce(n), datagram, at, HEADER, length - HEADER - TAG)) return Refusal.BAD_AUTH;
            mark(n);
            datagram.readerIndex(at + HEADER).writerIndex(at + length - TAG);
            return null;
        }
        datagram.getBytes(at, aad);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce(n)));
            cipher.updateAAD(aad);
            ByteBuffer sealed = datagram.nioBuffer(at + HEADER, length - HEADER);
            ByteBuffer plain = datagram.internalNioBuffer(at + HEADER, length - HEADER);
            int written = cipher.doFinal(sealed.duplicate(), plain);
            mark(n);
            datagram.readerIndex(at + HEADER).writerIndex(at + HEADER + written);
            return null;
        } catch (javax.crypto.AEADBadTagException e) {
            return Refusal.BAD_AUTH;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Refusal.BAD_AUTH;
        }
    }

    private byte[] nonce(long n) {
        nonce[0] = 0;
        nonce[1] = 0;
        nonce[2] = 0;
        nonce[3] = (byte) direction;
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (n >>> (56 - 8 * i));
        return nonce;
    }

    /** Whether counter {@code n} was already accepted, or is too old to tell. */
    private boolean seen(long n) {
        if (n > highest) return false;
        long age = highest - n;
        if (age >= WINDOW) return true;
        return (window[(int) (n % WINDOW) >>> 6] & 1L << (n % 64)) != 0;
    }

    private void mark(long n) {
        if (n > highest) {
            long shift = highest < 0 ? WINDOW : Math.min(WINDOW, n - highest);
            for (long k = 1; k <= shift; k++) {
                long cleared = n - k + 1;
                if (cleared < 0) break;
                window[(int) (cleared % WINDOW) >>> 6] &= ~(1L << (cleared % 64));
            }
            highest = n;
        }
        window[(int) (n % WINDOW) >>> 6] |= 1L << (n % 64);
    }
}
