package dev.junction.transport.srtp;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Who does AES-GCM for the AEAD_AES_128_GCM and AEAD_AES_256_GCM profiles (RFC 7714).
 *
 * <ul>
 *   <li>{@link #FFM}: OpenSSL's libcrypto through the FFM API, one keyed {@code EVP_CIPHER_CTX} per
 *       direction and packet kind, the IV the only per-packet change ({@code OpenSslGcm},
 *       {@link GcmContextSource}). Needs Java 22+ and a loadable libcrypto (OpenSSL 1.1 or 3).</li>
 *   <li>{@link #JITSI}: jitsi-srtp's contexts, as for the AES-CM profile. Used on Java 21, when libcrypto
 *       does not load, or when asked for.</li>
 * </ul>
 *
 * <p>Chosen once per JVM: {@code -Djunction.srtp.gcm=ffm} (the default) or {@code =jitsi}; the library is
 * {@code -Djunction.srtp.libcrypto=libcrypto.so.3} by default. If FFM was asked for and cannot load, the
 * reason is logged once at WARNING and jitsi-srtp takes over, so the server still runs. Key derivation, the
 * AES-CM profile and (on fallback) GCM stay with jitsi-srtp.
 *
 * <p>Thread-safe. The first call of {@link #selected()} loads the library (a few milliseconds); {@link
 * AesBackend#warmUp()} makes it at startup.
 */
public enum GcmBackend {

    /** OpenSSL's libcrypto through the FFM API. */
    FFM,
    /** jitsi-srtp's own GCM (its OpenSSL JNI or the JDK's AES-GCM, whichever {@link AesBackend} pinned). */
    JITSI;

    /** System property: {@code ffm} (default) or {@code jitsi}. */
    public static final String PROPERTY = "junction.srtp.gcm";

    /** System property: the libcrypto that {@link #FFM} opens with {@code dlopen}. */
    public static final String LIBRARY_PROPERTY = "junction.srtp.libcrypto";

    static final String DEFAULT_LIBRARY = "libcrypto.so.3";

    private static final System.Logger LOG = System.getLogger(GcmBackend.class.getName());
    private static final String ENGINE_CLASS = "dev.junction.transport.srtp.OpenSslGcm";

    /** The backend new sessions use: {@link #FFM} if asked for (the default) and available, else {@link #JITSI}. */
    public static GcmBackend selected() {
        return Selection.CHOSEN;
    }

    /** Whether {@link #FFM} loaded in this JVM (independent of what was selected). */
    public static boolean ffmAvailable() {
        return Selection.ENGINE != null;
    }

    /** One line for the startup log: the selected backend and, for FFM, the library's version. */
    public static String describe() {
        return Selection.DESCRIPTION;
    }

    /** The FFM engine; {@link IllegalStateException} with the reason if it did not load. */
    static GcmEngine ffmEngine() {
        if (Selection.ENGINE == null) {
            throw new IllegalStateException("AES-GCM through FFM is unavailable: " + Selection.FAILURE);
        }
        return Selection.ENGINE;
    }

    /** Why {@link #FFM} is unavailable, or null if it loaded. */
    static String ffmFailure() {
        return Selection.FAILURE;
    }

    /**
     * Loads the FFM engine from {@code library}. Never throws: returns the engine, or a String saying why
     * not (Java 21, a missing library or symbol, native access denied).
     */
    static Object load(String library) {
        int feature = Runtime.version().feature();
        if (feature < 22) return "Java " + feature + " has no final FFM API (needs 22+)";
        try {
            Class<?> engineClass = Class.forName(ENGINE_CLASS);
            Method load = engineClass.getDeclaredMethod("load", String.class);
            return (GcmEngine) load.invoke(null, library);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // LinkageError: a jar built without src/main/java22 (on a JDK 21) or run with an older class version.
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Loaded on first use, once per JVM (lazy holder), and logged then. */
    private static final class Selection {
        static final GcmEngine ENGINE;
        static final String FAILURE;
        static final GcmBackend CHOSEN;
        static final String DESCRIPTION;

        static {
            String asked = System.getProperty(PROPERTY, "ffm").strip().toLowerCase(java.util.Locale.ROOT);
            boolean askedJitsi = asked.equals("jitsi");
            if (!askedJitsi && !asked.equals("ffm")) {
                LOG.log(Level.WARNING, "-D" + PROPERTY + "=" + asked + " is neither ffm nor jitsi; using ffm");
            }
            String library = System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY).strip();
            Object loaded = load(library);
            ENGINE = loaded instanceof GcmEngine engine ? engine : null;
            FAILURE = ENGINE == null ? (String) loaded : null;
            if (askedJitsi) {
                CHOSEN = JITSI;
                DESCRIPTION = "jitsi-srtp (-D" + PROPERTY + "=jitsi)";
            } else if (ENGINE != null) {
                CHOSEN = FFM;
                DESCRIPTION = ENGINE.description();
            } else {
                CHOSEN = JITSI;
                DESCRIPTION = "jitsi-srtp (FFM unavailable: " + FAILURE + ")";
                LOG.log(Level.WARNING, "SRTP AES-GCM falls back to jitsi-srtp: OpenSSL through FFM is unavailable ("
                        + FAILURE + "); set -D" + LIBRARY_PROPERTY + "=PATH to name another libcrypto");
            }
        }
    }
}
