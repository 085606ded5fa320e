package dev.junction.transport.srtp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteOrder;

/**
 * AES-GCM from OpenSSL's libcrypto, called through the FFM API (JEP 454, final in Java 22): one
 * {@code EVP_CIPHER_CTX} per {@link GcmCipher}, keyed once, and per packet only the IV, the associated data,
 * the text in place, the final call and the tag. That is five or six downcalls per packet and no Java
 * allocation, against jitsi-srtp's JCE {@code Cipher.init} with a fresh {@code GCMParameterSpec} and JNI
 * array pinning per packet (issue 15: 1.7 µs and 64 B per protect against 0.46 µs for the same OpenSSL calls in C).
 *
 * <p>Compiled with {@code --release 22} from {@code src/main/java22} into the same output as the rest of the
 * module: on Java 21 this class does not load ({@code UnsupportedClassVersionError}), {@link GcmBackend}
 * never touches it there, and jitsi-srtp does GCM as before.
 *
 * <p>Per packet, the region in hand (header and payload, tag on the way in) is copied into a native staging
 * buffer owned by the cipher, OpenSSL works there in place, and the result is copied back: two L1-hot
 * copies, which cost less than the per-call {@code MemorySegment} objects that handing OpenSSL the heap
 * array itself needs (see {@code stage}). The per-packet calls take their pointers as {@code long}s and are
 * {@linkplain Linker.Option#critical(boolean) critical} (no thread state transition). That is safe because
 * none of them blocks, calls back into Java or runs long (at most an AES-GCM pass over one packet, about
 * 0.5 µs): a critical call delays safepoints for its duration. Setup (context creation, keying) uses
 * ordinary downcalls, since OpenSSL may take locks there while it fetches the algorithm from its provider.
 *
 * <p><b>Threading:</b> the engine is immutable and thread-safe; each {@link GcmCipher} it makes belongs to
 * one thread at a time (see {@link GcmCipher}). <b>Native memory:</b> each cipher owns one
 * {@code EVP_CIPHER_CTX}, freed by {@link GcmCipher#close()} or, if the owner forgets, by a {@link Cleaner}
 * once the cipher is unreachable; its 32-octet scratch (IV, length out, SRTCP word) and its staging buffer
 * (2 KiB, grown for bigger packets) are freed with it.
 */
final class OpenSslGcm implements GcmEngine {

    // openssl/evp.h
    private static final int EVP_CTRL_GCM_SET_IVLEN = 0x9;
    private static final int EVP_CTRL_GCM_GET_TAG = 0x10;
    private static final int EVP_CTRL_GCM_SET_TAG = 0x11;
    private static final int OPENSSL_VERSION = 0;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final ValueLayout.OfInt INT_BIG_ENDIAN = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // Scratch layout: IV at 0 (12 octets), int out-length at 16, SRTCP word at 20.
    private static final long SCRATCH_IV = 0;
    private static final long SCRATCH_OUT_LENGTH = 16;
    private static final long SCRATCH_AAD_WORD = 20;
    private static final long SCRATCH_SIZE = 32;
    private static final long INITIAL_STAGING = 2048;

    private final String library;
    private final String version;
    private final MemorySegment aes128Gcm;
    private final MemorySegment aes256Gcm;

    // Setup: ordinary downcalls over MemorySegments.
    private final MethodHandle ctxNew;
    private final MethodHandle ctxFree;
    private final MethodHandle cipherInitSetup;
    private final MethodHandle ctrlSetup;
    // Per packet: critical, pointers as longs into native memory.
    private final MethodHandle cipherInit;
    private final MethodHandle cipherUpdate;
    private final MethodHandle cipherFinal;
    private final MethodHandle ctrl;
    private final MethodHandle errClear;

    private OpenSslGcm(String library, SymbolLookup lookup) throws Throwable {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(false);
        this.library = library;
        MethodHandle versionHandle = linker.downcallHandle(find(lookup, "OpenSSL_version"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        MemorySegment versionText = (MemorySegment) versionHandle.invokeExact(OPENSSL_VERSION);
        this.version = versionText.equals(MemorySegment.NULL) ? "OpenSSL" : versionText.reinterpret(256).getString(0);
        MethodHandle aes128 = linker.downcallHandle(find(lookup, "EVP_aes_128_gcm"), FunctionDescriptor.of(ADDRESS));
        MethodHandle aes256 = linker.downcallHandle(find(lookup, "EVP_aes_256_gcm"), FunctionDescriptor.of(ADDRESS));
        this.aes128Gcm = (MemorySegment) aes128.invokeExact();
        this.aes256Gcm = (MemorySegment) aes256.invokeExact();
        this.ctxNew = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_new"), FunctionDescriptor.of(ADDRESS));
        this.ctxFree = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_free"), FunctionDescriptor.ofVoid(ADDRESS));
        // Setup calls take MemorySegments. Per-packet calls take every pointer as a 64-bit integer (JAVA_LONG:
        // the same register class as a pointer in the SysV x86-64 and AAPCS64 ABIs), all into native memory,
        // so a call creates no object at all; critical, since none of them blocks or calls back.
        // int EVP_CipherInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl,
        //                       const unsigned char *key, const unsigned char *iv, int enc)
        this.cipherInitSetup = linker.downcallHandle(find(lookup, "EVP_CipherInit_ex"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        this.cipherInit = linker.downcallHandle(find(lookup, "EVP_CipherInit_ex"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), critical);
        // int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr)
        this.ctrlSetup = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_ctrl"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        this.ctrl = linker.downcallHandle(find(lookup, "EVP_CIPHER_CTX_ctrl"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG), critical);
        // int EVP_CipherUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl)
        this.cipherUpdate = linker.downcallHandle(find(lookup, "EVP_CipherUpdate"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), critical);
        // int EVP_CipherFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl)
        this.cipherFinal = linker.downcallHandle(find(lookup, "EVP_CipherFinal_ex"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), critical);
        this.errClear = linker.downcallHandle(find(lookup, "ERR_clear_error"), FunctionDescriptor.ofVoid(), critical);
        if (aes128Gcm.equals(MemorySegment.NULL) || aes256Gcm.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(library + " has no AES-GCM");
        }
    }

    /**
     * Loads {@code library} (a file name for {@code dlopen}, such as {@code libcrypto.so.3}) and binds the
     * calls. Called by {@link GcmBackend} through reflection, so that Java 21 never links this class.
     *
     * @throws Throwable if the library or a symbol is missing, or native access is denied
     */
    static GcmEngine load(String library) throws Throwable {
        // The library stays loaded for the life of the JVM, as the engine does.
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        OpenSslGcm engine = new OpenSslGcm(library, lookup);
        // One round trip proves the bindings before anyone relies on them.
        engine.selfTest();
        return engine;
    }

    @Override
    public GcmCipher newCipher(byte[] key, boolean encrypt) {
        MemorySegment type = switch (key.length) {
            case 16 -> aes128Gcm;
            case 32 -> aes256Gcm;
            default -> throw new IllegalArgumentException("AES-GCM key must be 16 or 32 octets, got " + key.length);
        };
        return new Context(this, type, key, encrypt);
    }

    @Override
    public String description() {
        return version + " through FFM (" + library + ")";
    }

    private void selfTest() {
        byte[] key = new byte[16];
        byte[] iv = new byte[GcmCipher.IV_LENGTH];
        ByteBuf packet = Unpooled.buffer(64);
        GcmCipher sealer = newCipher(key, true);
        GcmCipher opener = newCipher(key, false);
        try {
            packet.writeZero(32);
            sealer.seal(iv, packet, 0, 12, 20, 0x8000_0001, true);
            if (!opener.open(iv, packet, 0, 12, 20, 0x8000_0001, true)) {
                throw new IllegalStateException("AES-GCM self-test failed: the tag did not verify");
            }
            for (int i = 0; i < 32; i++) {
                if (packet.getByte(i) != 0) throw new IllegalStateException("AES-GCM self-test failed: wrong plaintext");
            }
        } finally {
            sealer.close();
            opener.close();
            packet.release();
        }
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException("libcrypto has no " + name));
    }

    private static void check(int result, String call) {
        if (result != 1) throw new IllegalStateException(call + " failed");
    }

    /** Frees one {@code EVP_CIPHER_CTX}; run once, by {@link GcmCipher#close()} or by the cleaner. */
    private record Free(MethodHandle ctxFree, MemorySegment ctx) implements Runnable {
        @Override
        public void run() {
            try {
                ctxFree.invokeExact(ctx);
            } catch (Throwable e) {
                throw new IllegalStateException("EVP_CIPHER_CTX_free failed", e);
            }
        }
    }

    /** One keyed {@code EVP_CIPHER_CTX} in one direction. */
    private static final class Context implements GcmCipher {

        // Passed by argument.
        private final OpenSslGcm engine;
        private final int enc;

        // Allocated by this.
        private final MemorySegment ctx;
        private final long ctxAddress;
        private final MemorySegment ivSegment;
        private final long ivAddress;
        private final long outLengthAddress;
        private final MemorySegment aadWordSegment;
        private final long aadWordAddress;
        private final Cleaner.Cleanable cleanable;
        /** Native copy of the packet region in hand; grown (rarely: packets over 2 KiB) by {@link #stage}. */
        private MemorySegment staging;
        private long stagingAddress;
        private boolean closed;

        Context(OpenSslGcm engine, MemorySegment type, byte[] key, boolean encrypt) {
            this.engine = engine;
            this.enc = encrypt ? 1 : 0;
            try {
                MemorySegment created = (MemorySegment) engine.ctxNew.invokeExact();
                if (created.equals(MemorySegment.NULL)) throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
                this.ctx = created;
                this.ctxAddress = created.address();
                this.cleanable = CLEANER.register(this, new Free(engine.ctxFree, created));
                // Automatic arenas: freed once this cipher is unreachable, whichever thread used it last.
                MemorySegment scratch = Arena.ofAuto().allocate(SCRATCH_SIZE, 16);
                this.ivSegment = scratch.asSlice(SCRATCH_IV, IV_LENGTH);
                this.ivAddress = ivSegment.address();
                this.outLengthAddress = scratch.address() + SCRATCH_OUT_LENGTH;
                this.aadWordSegment = scratch.asSlice(SCRATCH_AAD_WORD, 4);
                this.aadWordAddress = aadWordSegment.address();
                this.staging = Arena.ofAuto().allocate(INITIAL_STAGING, 64);
                this.stagingAddress = staging.address();
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment keySegment = arena.allocate(key.length);
                    MemorySegment.copy(key, 0, keySegment, JAVA_BYTE, 0, key.length);
                    try {
                        // Key and algorithm once; then the IV length, before any IV is set (RFC 7714 §8.1: 12 octets).
                        check((int) engine.cipherInitSetup.invokeExact(ctx, type, MemorySegment.NULL, keySegment,
                                MemorySegment.NULL, enc), "EVP_CipherInit_ex (key)");
                        check((int) engine.ctrlSetup.invokeExact(ctx, EVP_CTRL_GCM_SET_IVLEN, IV_LENGTH, MemorySegment.NULL),
                                "EVP_CTRL_GCM_SET_IVLEN");
                    } finally {
                        keySegment.fill((byte) 0);
                    }
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("OpenSSL AES-GCM setup failed", e);
            }
        }

        @Override
        public void seal(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength, int aadWord, boolean withAadWord) {
            byte[] array = array(packet, offset, aadLength, textLength);
            int arrayIndex = packet.arrayOffset() + offset;
            try {
                long base = stage(array, arrayIndex, aadLength + textLength);
                begin(iv);
                aad(base, aadLength, aadWord, withAadWord);
                long text = base + aadLength;
                if (textLength > 0) {
                    check((int) engine.cipherUpdate.invokeExact(ctxAddress, text, outLengthAddress, text, textLength),
                            "EVP_CipherUpdate");
                }
                long tag = text + textLength;
                // GCM has no final block: this only completes GHASH; the tag is fetched next.
                check((int) engine.cipherFinal.invokeExact(ctxAddress, tag, outLengthAddress), "EVP_CipherFinal_ex");
                check((int) engine.ctrl.invokeExact(ctxAddress, EVP_CTRL_GCM_GET_TAG, TAG_LENGTH, tag), "EVP_CTRL_GCM_GET_TAG");
                MemorySegment.copy(staging, JAVA_BYTE, aadLength, array, arrayIndex + aadLength, textLength + TAG_LENGTH);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            } finally {
                // The cleaner must not free the context while a call is still using it.
                Reference.reachabilityFence(this);
            }
        }

        @Override
        public boolean open(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength, int aadWord, boolean withAadWord) {
            byte[] array = array(packet, offset, aadLength, textLength);
            int arrayIndex = packet.arrayOffset() + offset;
            try {
                long base = stage(array, arrayIndex, aadLength + textLength + TAG_LENGTH);
                begin(iv);
                long text = base + aadLength;
                long tag = text + textLength;
                // OpenSSL copies the expected tag now and compares it (in constant time) in the final call.
                check((int) engine.ctrl.invokeExact(ctxAddress, EVP_CTRL_GCM_SET_TAG, TAG_LENGTH, tag), "EVP_CTRL_GCM_SET_TAG");
                aad(base, aadLength, aadWord, withAadWord);
                if (textLength > 0) {
                    check((int) engine.cipherUpdate.invokeExact(ctxAddress, text, outLengthAddress, text, textLength),
                            "EVP_CipherUpdate");
                }
                if ((int) engine.cipherFinal.invokeExact(ctxAddress, tag, outLengthAddress) != 1) {
                    // A wrong tag. The packet keeps its bytes (the plaintext stays in the staging copy), and this
                    // thread's OpenSSL error queue is left empty for jitsi-srtp's calls on the same loop.
                    engine.errClear.invokeExact();
                    return false;
                }
                MemorySegment.copy(staging, JAVA_BYTE, aadLength, array, arrayIndex + aadLength, textLength);
                return true;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            } finally {
                Reference.reachabilityFence(this);
            }
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            cleanable.clean();
        }

        /**
         * Copies {@code length} octets of the packet into the native staging buffer and returns its address.
         *
         * <p>Why a copy rather than OpenSSL working on the heap array itself (critical downcalls with heap
         * access can do that): every heap pointer needs a {@code MemorySegment} slice per call, and C2 did not
         * scalar-replace them here (152-192 B per packet in {@code SrtpBench}); addresses into native memory are
         * plain {@code long}s. Two L1-hot copies of about 1.2 KB cost less than that garbage.
         */
        private long stage(byte[] array, int arrayIndex, int length) {
            if (closed) throw new IllegalStateException("cipher closed");
            if (length + TAG_LENGTH > staging.byteSize()) {
                staging = Arena.ofAuto().allocate(Math.max(2 * staging.byteSize(), length + TAG_LENGTH), 64);
                stagingAddress = staging.address();
            }
            MemorySegment.copy(array, arrayIndex, staging, JAVA_BYTE, 0, length);
            return stagingAddress;
        }

        /** Sets the packet's IV; the key schedule stays (cipher and key NULL: RFC 7714 §8.1's per-packet IV only). */
        private void begin(byte[] iv) throws Throwable {
            if (iv.length != IV_LENGTH) throw new IllegalArgumentException("IV must be " + IV_LENGTH + " octets");
            MemorySegment.copy(iv, 0, ivSegment, JAVA_BYTE, 0, IV_LENGTH);
            check((int) engine.cipherInit.invokeExact(ctxAddress, 0L, 0L, 0L, ivAddress, enc), "EVP_CipherInit_ex (IV)");
        }

        /** Associated data: the header in the packet, then the SRTCP E flag and index if any (RFC 7714 §9.1, §9.2). */
        private void aad(long base, int aadLength, int aadWord, boolean withAadWord) throws Throwable {
            if (aadLength > 0) {
                check((int) engine.cipherUpdate.invokeExact(ctxAddress, 0L, outLengthAddress, base, aadLength),
                        "EVP_CipherUpdate (AAD)");
            }
            if (withAadWord) {
                aadWordSegment.set(INT_BIG_ENDIAN, 0, aadWord);
                check((int) engine.cipherUpdate.invokeExact(ctxAddress, 0L, outLengthAddress, aadWordAddress, 4),
                        "EVP_CipherUpdate (AAD word)");
            }
        }

        /**
         * The packet's backing array, after checking that every octet this call touches, tag included, lies
         * inside the buffer's own capacity (not merely inside the array, which a pooled buffer shares with its
         * neighbours).
         */
        private static byte[] array(ByteBuf packet, int offset, int aadLength, int textLength) {
            if (!packet.hasArray()) throw new IllegalArgumentException("OpenSSL GCM works on heap buffers");
            if (offset < 0 || aadLength < 0 || textLength < 0
                    || (long) offset + aadLength + textLength + TAG_LENGTH > packet.capacity()) {
                throw new IndexOutOfBoundsException("GCM region " + offset + "+" + aadLength + "+" + textLength
                        + "+" + TAG_LENGTH + " outside capacity " + packet.capacity());
            }
            return packet.array();
        }
    }
}
