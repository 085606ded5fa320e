package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.System.Logger.Level;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * Pins jitsi-srtp's AES backend and warms it up at startup, never on an event loop.
 *
 * <p>Left alone, jitsi-srtp benchmarks its AES implementations (OpenSSL through its JNI library, SunJCE,
 * BouncyCastle, PKCS#11) per transformation on first use: 0.4–2 s (DESIGN §8), and a noisy machine picks
 * differently from run to run. {@link #warmUp()} instead pins the factory: OpenSSL when jitsi-srtp's
 * native library loads, SunJCE otherwise, or whatever {@code -Djunction.srtp.aesFactory=...} or
 * {@link #pin(String)} says. Measured on the reference machine (SrtpBench, 1200-byte packet), OpenSSL
 * is as fast as SunJCE and allocates 64–112 B per packet where SunJCE allocates over 1 KB, because
 * SunJCE copies the input when it encrypts or decrypts in place.
 *
 * <p>The AEAD_AES_*_GCM profiles do not use that factory when {@link GcmBackend} selected OpenSSL through
 * FFM (the default on Java 22+); {@link #warmUp()} makes that choice too, and logs both.
 *
 * <p>It then runs every profile once on the calling thread, which loads the native libraries and creates
 * every cipher. Call it from {@code main} before the media loops start; {@link SrtpSession#create} calls
 * it too (free once warm), so a forgotten call costs one slow session setup on whichever thread creates
 * the first session: the DTLS thread, by design. The native library needs a writable, executable
 * {@code -Djna.tmpdir}.
 *
 * <p>Thread-safe.
 */
public final class AesBackend {

    /**
     * System property naming a jitsi-srtp {@code CipherFactory} to pin ({@code OpenSSL}, {@code SunJCE}, ...);
     * for AES-GCM it matters only when {@link GcmBackend#JITSI} is in use.
     */
    public static final String FACTORY_PROPERTY = "junction.srtp.aesFactory";

    private static final System.Logger LOG = System.getLogger(AesBackend.class.getName());
    private static volatile boolean warm;

    private AesBackend() {
    }

    /**
     * Uses {@code factory} (a jitsi-srtp {@code CipherFactory} simple name such as {@code OpenSSL} or
     * {@code SunJCE}, or a class name) for every cipher created from now on, by setting
     * {@link #FACTORY_PROPERTY}. Call before {@link #warmUp()}.
     */
    public static synchronized void pin(String factory) {
        System.setProperty(FACTORY_PROPERTY, factory);
        Aes.setFactoryClassName(factory);
    }

    /** Whether {@link #warmUp()} has completed. */
    public static boolean isWarm() {
        return warm;
    }

    /** Whether jitsi-srtp's native OpenSSL backend loaded (it is then used for GCM receive too). */
    public static boolean nativeOpenSslLoaded() {
        return JitsiOpenSslProvider.isLoaded();
    }

    /**
     * Chooses the AES backend and exercises every profile once, blocking the caller for up to a few
     * seconds the first time. Idempotent; never call it on an event loop.
     */
    public static void warmUp() {
        if (warm) return;
        synchronized (AesBackend.class) {
            if (warm) return;
            long startNs = System.nanoTime();
            String configured = System.getProperty(FACTORY_PROPERTY);
            String factory = configured != null && !configured.isBlank() ? configured.strip()
                    : JitsiOpenSslProvider.isLoaded() ? "OpenSSL" : "SunJCE";
            Aes.setFactoryClassName(factory);
            // Loads libcrypto for AES-GCM (or logs once why not) before the first session needs it.
            GcmBackend gcm = GcmBackend.selected();
            for (SrtpProfile profile : SrtpProfile.values()) exercise(profile);
            warm = true;
            LOG.log(Level.INFO, () -> "SRTP AES backend " + factory + " ready in " + (System.nanoTime() - startNs) / 1_000_000
                    + " ms (jitsi-srtp native OpenSSL " + (JitsiOpenSslProvider.isLoaded() ? "loaded" : "not loaded")
                    + "); AES-GCM: " + gcm + ", " + GcmBackend.describe());
        }
    }

    /** One protect/unprotect round trip per packet kind, which creates every cipher the profile uses. */
    private static void exercise(SrtpProfile profile) {
        byte[] key = new byte[profile.masterKeyLength()];
        byte[] salt = new byte[profile.masterSaltLength()];
        SrtpKeys keys = new SrtpKeys(profile, key, salt, key, salt);
        SrtpSession sender = new SrtpSession(keys, 4);
        SrtpSession receiver = new SrtpSession(keys, 4);
        ByteBuf packet = Unpooled.buffer(256);
        try {
            packet.writeBytes(new byte[] {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78});
            packet.writeZero(160);
            roundTrip(sender.protectRtp(packet), receiver.unprotectRtp(packet), profile, "RTP");
            packet.clear();
            packet.writeBytes(new byte[] {(byte) 0x81, (byte) 201, 0, 1, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 2});
            roundTrip(sender.protectRtcp(packet), receiver.unprotectRtcp(packet), profile, "RTCP");
        } finally {
            packet.release();
            sender.close();
            receiver.close();
        }
    }

    private static void roundTrip(SrtpStatus protect, SrtpStatus unprotect, SrtpProfile profile, String kind) {
        if (protect != SrtpStatus.OK || unprotect != SrtpStatus.OK) {
            throw new IllegalStateException("SRTP self-test failed for " + profile + " " + kind
                    + ": protect " + protect + ", unprotect " + unprotect);
        }
    }
}
