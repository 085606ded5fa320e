package dev.junction.transport.srtp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An independent, deliberately plain SRTP reference written from the RFCs with the JDK's own AES, so
 * that jitsi-srtp's output can be checked against the RFC constructions rather than against itself.
 * Test code only: allocates freely, no replay state, index = ROC * 65536 + SEQ.
 */
final class SrtpReference {

    private SrtpReference() {
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
    }

    /**
     * The SRTP key derivation of RFC 3711 §4.3.1 with key_derivation_rate 0 (so r = 0): the AES-CM PRF
     * keyed with the master key, run from IV = (label placed at octet 7 XOR master salt) * 2^16. A 96-bit
     * GCM master salt is padded with zeros on the right to 112 bits (RFC 7714 §11, as libsrtp does).
     */
    static byte[] kdf(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, masterSalt.length);
        iv[7] ^= (byte) label;
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new IvParameterSpec(iv));
        return ctr.doFinal(new byte[length]);
    }

    /** RFC 3711 §4.1.1 AES-CM and §4.2.1 HMAC-SHA1 with an 80-bit tag, from session keys. */
    static byte[] protectRtpAesCm(byte[] sessionKey, byte[] sessionSalt14, byte[] authKey, int roc, byte[] rtp)
            throws GeneralSecurityException {
        int headerLength = 12 + 4 * (rtp[0] & 0x0F);
        ByteBuffer header = ByteBuffer.wrap(rtp);
        int sequence = header.getShort(2) & 0xFFFF;
        int ssrc = header.getInt(8);
        long index = ((long) roc << 16) | sequence;
        byte[] iv = new byte[16];
        System.arraycopy(sessionSalt14, 0, iv, 0, 14);
        // IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
        for (int i = 0; i < 4; i++) iv[4 + i] ^= (byte) (ssrc >>> (24 - 8 * i));
        for (int i = 0; i < 6; i++) iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new IvParameterSpec(iv));
        byte[] out = Arrays.copyOf(rtp, rtp.length + 10);
        ctr.doFinal(rtp, headerLength, rtp.length - headerLength, out, headerLength);
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        hmac.update(out, 0, rtp.length);
        hmac.update(ByteBuffer.allocate(4).putInt(roc).array());
        System.arraycopy(hmac.doFinal(), 0, out, rtp.length, 10);
        return out;
    }

    /**
     * RFC 7714 §8.1 and §9.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt, AAD = the RTP header, the
     * 16-octet tag appended.
     */
    static byte[] protectRtpGcm(byte[] sessionKey, byte[] sessionSalt12, int roc, byte[] rtp) throws GeneralSecurityException {
        int headerLength = 12 + 4 * (rtp[0] & 0x0F);
        ByteBuffer header = ByteBuffer.wrap(rtp);
        byte[] iv = new byte[12];
        ByteBuffer.wrap(iv).putShort((short) 0).putInt(header.getInt(8)).putInt(roc).putShort(header.getShort(2));
        for (int i = 0; i < 12; i++) iv[i] ^= sessionSalt12[i];
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new GCMParameterSpec(128, iv));
        gcm.updateAAD(rtp, 0, headerLength);
        byte[] sealed = gcm.doFinal(rtp, headerLength, rtp.length - headerLength);
        byte[] out = Arrays.copyOf(rtp, headerLength + sealed.length);
        System.arraycopy(sealed, 0, out, headerLength, sealed.length);
        return out;
    }
}
