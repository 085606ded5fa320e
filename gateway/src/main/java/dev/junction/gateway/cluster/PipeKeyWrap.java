package dev.junction.gateway.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Wraps a node pipe's key for its trip over the cluster's event bus (issue 14), which has no TLS: without this, anyone
 * who reads the cluster network reads every pipe's key. The key-encryption key (KEK) is HKDF-SHA256 (RFC 5869) of
 * {@code cluster.secret} with the info {@value #INFO}: every node with the secret derives the same one, and the
 * secret never crosses the wire. The Hazelcast cluster name, which does, is a SHA-256 of the secret under another
 * label ({@link MemberConfig#clusterName}) and gives nothing of the KEK away.
 *
 * <p>A wrapped key is {@code nonce (12 random bytes) | AES-256-GCM(KEK, nonce, key) | tag (16)}, base64, with the
 * pipe id, the room, the viewing node and the home node as associated data: a wrapped key taken off the wire opens
 * for that pipe only, so it cannot be replayed to open another pipe, another room, or a pipe between other nodes.
 *
 * <p>Once per pipe, never per packet: the JDK's {@code Cipher}, made per call, so any thread may call (the viewing
 * node wraps on {@code junction-cluster}, the home unwraps on a Vert.x event loop).
 */
final class PipeKeyWrap {
    static final String INFO = "junction node pipe key wrap v1";
    static final int KEY_LENGTH = 16;
    private static final int NONCE = 12;
    private static final int TAG = 16;

    private final SecretKeySpec kek;
    private final SecureRandom random = new SecureRandom();

    /** {@code clusterSecret}: {@code cluster.secret}, which the config requires with {@code --cluster} (16+ characters). */
    PipeKeyWrap(String clusterSecret) {
        if (clusterSecret == null || clusterSecret.isEmpty()) throw new IllegalArgumentException("a pipe key wrap needs the cluster secret");
        byte[] derived = hkdfSha256(new byte[0], clusterSecret.getBytes(StandardCharsets.UTF_8), INFO.getBytes(StandardCharsets.UTF_8), 32);
        this.kek = new SecretKeySpec(derived, "AES");
        Arrays.fill(derived, (byte) 0);
    }

    /** {@code key} (16 bytes) sealed for pipe {@code pipeId} of {@code room} from {@code home} to {@code viewer}. */
    String wrap(byte[] key, int pipeId, String room, String viewer, String home) {
        if (key.length != KEY_LENGTH) throw new IllegalArgumentException("a pipe key is 16 bytes");
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        byte[] out = Arrays.copyOf(nonce, NONCE + KEY_LENGTH + TAG);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG * 8, out, 0, NONCE));
            cipher.updateAAD(associatedData(pipeId, room, viewer, home));
            cipher.doFinal(key, 0, key.length, out, NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
        return Base64.getEncoder().encodeToString(out);
    }

    /** The key {@link #wrap} sealed for exactly this pipe; empty when it does not authenticate (another secret, another pipe, damaged). */
    Optional<byte[]> unwrap(String wrapped, int pipeId, String room, String viewer, String home) {
        byte[] in;
        try {
            in = Base64.getDecoder().decode(wrapped == null ? "" : wrapped);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (in.length != NONCE + KEY_LENGTH + TAG) return Optional.empty();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG * 8, in, 0, NONCE));
            cipher.updateAAD(associatedData(pipeId, room, viewer, home));
            return Optional.of(cipher.doFinal(in, NONCE, in.length - NONCE));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** The label, the pipe id, then each name length-prefixed, so no two (room, viewer, home) triples encode alike. */
    private static byte[] associatedData(int pipeId, String room, String viewer, String home) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(INFO.getBytes(StandardCharsets.UTF_8));
            out.writeInt(pipeId);
            for (String s : new String[] {room, viewer, home}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /** HKDF-SHA256 (RFC 5869 §2.2-2.3): extract with {@code salt} (empty: 32 zero bytes), then expand to {@code length}. */
    static byte[] hkdfSha256(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length <= 0 || length > 255 * 32) throw new IllegalArgumentException("HKDF-SHA256 gives 1..8160 bytes");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] okm = new byte[length];
            byte[] t = new byte[0];
            for (int i = 1, at = 0; at < length; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                t = mac.doFinal();
                int n = Math.min(t.length, length - at);
                System.arraycopy(t, 0, okm, at, n);
                at += n;
            }
            Arrays.fill(prk, (byte) 0);
            return okm;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
