package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * SRTP and SRTCP for one WebRtcTransport: protects what this side sends and unprotects what the peer
 * sends, in place, with one crypto context per SSRC and direction (RFC 3711 §3.2.3).
 *
 * <p><b>Crypto:</b> for the AEAD_AES_*_GCM profiles, Junction's own contexts over OpenSSL through the FFM API
 * ({@link GcmContextSource}: the key schedule is set up once per direction, only the IV changes per packet);
 * for AES_CM_128_HMAC_SHA1_80, and for GCM on Java 21 or without libcrypto, jitsi-srtp's
 * ({@link JitsiContextSource}). {@link GcmBackend} chooses, once per JVM. Both keep the same rollover counter,
 * replay window and SRTCP index rules.
 *
 * <p><b>Threading:</b> owned by the session's event loop. It may be created on another thread (the DTLS
 * thread, which keeps the key derivation and the OpenSSL key setup off the loop) and handed over with
 * {@code EventLoop.execute}; after that, every method except the counter getters is called on that loop
 * only, {@link #close()} included (it frees the native cipher contexts). jitsi-srtp's contexts are
 * {@code synchronized}; keeping them on one thread keeps those locks uncontended.
 * Counter getters may be called from any thread and may lag by a packet.
 *
 * <p><b>Buffers:</b> every method borrows the packet for the duration of the call: it neither retains
 * nor releases it. The packet is the buffer's readable region and must be a heap buffer
 * ({@code hasArray()}): the socket layer copies each direct datagram into a pooled heap buffer once.
 * <ul>
 *   <li>{@code unprotect*}: on {@link SrtpStatus#OK} the readable region is the plain packet (the tag and,
 *       for SRTCP, the index word are cut off by moving the writer index).</li>
 *   <li>{@code protect*}: the writer index moves forward over the tag (and SRTCP index word). The buffer
 *       should already have that tail room ({@link SrtpProfile#rtpTailRoom()},
 *       {@link SrtpProfile#rtcpTailRoom()}); otherwise it is grown if its max capacity allows, which may
 *       reallocate a pooled buffer.</li>
 *   <li>On any other status the packet's bytes are unspecified: drop it.</li>
 * </ul>
 *
 * <p><b>Security:</b> authentication failures and replays (64-packet window for SRTP, RFC 3711 §3.3.2)
 * are refused and counted per reason. A context for a new remote SSRC is kept only once a packet under
 * it authenticates, and at most {@code maxSsrcsPerDirection} are kept per direction, so a peer cannot
 * make the session grow without bound. Protect refuses to reuse an index (see {@link SrtpProfile}).
 */
public final class SrtpSession implements AutoCloseable {

    /** Default bound on SSRCs per direction and packet kind (a WHEP subscriber with many slots stays far below). */
    public static final int DEFAULT_MAX_SSRCS = 256;

    private static final System.Logger LOG = System.getLogger(SrtpSession.class.getName());

    private static final int RTP_FIXED_HEADER = 12;
    private static final int RTCP_FIXED_HEADER = 8;
    private static final int SRTCP_INDEX_LENGTH = 4;

    private static final int RTP_PROTECTED = 0;
    private static final int RTCP_PROTECTED = 1;
    private static final int RTP_UNPROTECTED = 2;
    private static final int RTCP_UNPROTECTED = 3;
    private static final int AUTH_FAILED = 4;
    private static final int REPLAYED = 5;
    private static final int MALFORMED = 6;
    private static final int SSRC_LIMIT = 7;
    private static final int NO_TAIL_ROOM = 8;
    private static final int FAILED = 9;
    private static final int COUNTERS = 10;

    // Passed by argument.
    private final SrtpProfile profile;
    private final int maxSsrcs;

    // Allocated by this.
    private final GcmBackend gcmBackend;
    private final SrtpContextSource sendContexts;
    private final SrtpContextSource receiveContexts;
    private final IntObjectHashMap<SrtpContext> rtpSend = new IntObjectHashMap<>();
    private final IntObjectHashMap<SrtpContext> rtpReceive = new IntObjectHashMap<>();
    private final IntObjectHashMap<SrtpContext> rtcpSend = new IntObjectHashMap<>();
    private final IntObjectHashMap<SrtpContext> rtcpReceive = new IntObjectHashMap<>();
    private final ByteBufArrayBuffer view = new ByteBufArrayBuffer();
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private boolean failureLogged;
    private boolean closed;

    SrtpSession(SrtpKeys keys, int maxSsrcsPerDirection) {
        this(keys, maxSsrcsPerDirection, GcmBackend.selected());
    }

    /**
     * @param gcm who does AES-GCM if the profile is a GCM one; {@link GcmBackend#FFM} fails with
     *            {@link IllegalStateException} if it is unavailable (tests and benchmarks ask explicitly)
     */
    SrtpSession(SrtpKeys keys, int maxSsrcsPerDirection, GcmBackend gcm) {
        if (maxSsrcsPerDirection < 1) throw new IllegalArgumentException("maxSsrcsPerDirection must be positive");
        this.profile = keys.profile();
        this.maxSsrcs = maxSsrcsPerDirection;
        this.gcmBackend = profile.isGcm() ? gcm : GcmBackend.JITSI;
        byte[] localKey = keys.localKey();
        byte[] remoteKey = keys.remoteKey();
        try {
            if (gcmBackend == GcmBackend.FFM) {
                GcmEngine engine = GcmBackend.ffmEngine();
                GcmContextSource send = new GcmContextSource(true, localKey, keys.localSalt(), engine);
                try {
                    this.receiveContexts = new GcmContextSource(false, remoteKey, keys.remoteSalt(), engine);
                } catch (GeneralSecurityException | RuntimeException e) {
                    send.close();
                    throw e;
                }
                this.sendContexts = send;
            } else {
                this.sendContexts = new JitsiContextSource(true, profile, localKey, keys.localSalt(), view);
                this.receiveContexts = new JitsiContextSource(false, profile, remoteKey, keys.remoteSalt(), view);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SRTP key derivation failed for " + profile, e);
        } finally {
            Arrays.fill(localKey, (byte) 0);
            Arrays.fill(remoteKey, (byte) 0);
        }
    }

    /**
     * A session keyed with {@code keys}, keeping at most {@link #DEFAULT_MAX_SSRCS} SSRCs per direction.
     * Warms the AES backend first if nobody did ({@link AesBackend#warmUp()}), so call it off the event loop.
     */
    public static SrtpSession create(SrtpKeys keys) {
        return create(keys, DEFAULT_MAX_SSRCS);
    }

    /** As {@link #create(SrtpKeys)} with an explicit SSRC bound per direction and packet kind. */
    public static SrtpSession create(SrtpKeys keys, int maxSsrcsPerDirection) {
        AesBackend.warmUp();
        return new SrtpSession(keys, maxSsrcsPerDirection, GcmBackend.selected());
    }

    /**
     * As {@link #create(SrtpKeys, int)} with the GCM backend named rather than {@link GcmBackend#selected()}:
     * for benchmarks and tests that compare the two in one JVM.
     *
     * @throws IllegalStateException if {@code gcm} is {@link GcmBackend#FFM} and that did not load
     */
    public static SrtpSession create(SrtpKeys keys, int maxSsrcsPerDirection, GcmBackend gcm) {
        AesBackend.warmUp();
        return new SrtpSession(keys, maxSsrcsPerDirection, gcm);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Who does this session's cipher work: {@link GcmBackend#FFM} only for a GCM profile over OpenSSL. */
    public GcmBackend gcmBackend() {
        return gcmBackend;
    }

    /**
     * Decrypts and authenticates one SRTP packet in place (RFC 3711 §3.3, RFC 7714 §9.2). On OK the
     * readable region is the RTP packet without the tag.
     */
    public SrtpStatus unprotectRtp(ByteBuf packet) {
        requireHeap(packet);
        int length = packet.readableBytes();
        int headerLength = rtpHeaderLength(packet, length);
        if (headerLength < 0 || length < headerLength + profile.authTagLength()) return count(SrtpStatus.MALFORMED);
        if (closed) return count(SrtpStatus.FAILED);
        int ssrc = packet.getInt(packet.readerIndex() + 8);
        SrtpContext context = rtpReceive.get(ssrc);
        boolean fresh = context == null;
        try {
            if (fresh) {
                if (rtpReceive.size() >= maxSsrcs) return count(SrtpStatus.SSRC_LIMIT);
                context = receiveContexts.rtp(ssrc);
            }
            SrtpStatus status = context.transform(packet, headerLength);
            if (status == SrtpStatus.OK) {
                if (fresh) rtpReceive.put(ssrc, context);
                increment(RTP_UNPROTECTED);
                return SrtpStatus.OK;
            }
            return count(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Encrypts and tags one RTP packet in place (RFC 3711 §3.3, RFC 7714 §9.1), appending the tag after
     * the writer index.
     */
    public SrtpStatus protectRtp(ByteBuf packet) {
        requireHeap(packet);
        int length = packet.readableBytes();
        int headerLength = rtpHeaderLength(packet, length);
        if (headerLength < 0) return count(SrtpStatus.MALFORMED);
        if (closed) return count(SrtpStatus.FAILED);
        // NOTE: the GCM path writes the tag into the array without asking; the room must exist first.
        if (packet.ensureWritable(profile.rtpTailRoom(), false) == 1) return count(SrtpStatus.NO_TAIL_ROOM);
        int ssrc = packet.getInt(packet.readerIndex() + 8);
        try {
            SrtpContext context = rtpSend.get(ssrc);
            if (context == null) {
                if (rtpSend.size() >= maxSsrcs) return count(SrtpStatus.SSRC_LIMIT);
                context = sendContexts.rtp(ssrc);
                rtpSend.put(ssrc, context);
            }
            SrtpStatus status = context.transform(packet, headerLength);
            if (status == SrtpStatus.OK) {
                increment(RTP_PROTECTED);
                return SrtpStatus.OK;
            }
            return count(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Authenticates, replay-checks and decrypts one SRTCP packet in place (RFC 3711 §3.4). On OK the
     * readable region is the compound RTCP packet, without the E flag, index and tag.
     */
    public SrtpStatus unprotectRtcp(ByteBuf packet) {
        requireHeap(packet);
        if (packet.readableBytes() < RTCP_FIXED_HEADER + SRTCP_INDEX_LENGTH + profile.authTagLength()
                || !isVersion2(packet)) {
            return count(SrtpStatus.MALFORMED);
        }
        if (closed) return count(SrtpStatus.FAILED);
        int ssrc = packet.getInt(packet.readerIndex() + 4);
        SrtpContext context = rtcpReceive.get(ssrc);
        boolean fresh = context == null;
        try {
            if (fresh) {
                if (rtcpReceive.size() >= maxSsrcs) return count(SrtpStatus.SSRC_LIMIT);
                context = receiveContexts.rtcp(ssrc);
            }
            SrtpStatus status = context.transform(packet, RTCP_FIXED_HEADER);
            if (status == SrtpStatus.OK) {
                if (fresh) rtcpReceive.put(ssrc, context);
                increment(RTCP_UNPROTECTED);
                return SrtpStatus.OK;
            }
            return count(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            return fail(e);
        }
    }

    /**
     * Encrypts one compound RTCP packet in place and appends the E flag with the SRTCP index and the tag
     * (RFC 3711 §3.4).
     */
    public SrtpStatus protectRtcp(ByteBuf packet) {
        requireHeap(packet);
        if (packet.readableBytes() < RTCP_FIXED_HEADER || !isVersion2(packet)) return count(SrtpStatus.MALFORMED);
        if (closed) return count(SrtpStatus.FAILED);
        if (packet.ensureWritable(profile.rtcpTailRoom(), false) == 1) return count(SrtpStatus.NO_TAIL_ROOM);
        int ssrc = packet.getInt(packet.readerIndex() + 4);
        try {
            SrtpContext context = rtcpSend.get(ssrc);
            if (context == null) {
                if (rtcpSend.size() >= maxSsrcs) return count(SrtpStatus.SSRC_LIMIT);
                context = sendContexts.rtcp(ssrc);
                rtcpSend.put(ssrc, context);
            }
            SrtpStatus status = context.transform(packet, RTCP_FIXED_HEADER);
            if (status == SrtpStatus.OK) {
                increment(RTCP_PROTECTED);
                return SrtpStatus.OK;
            }
            return count(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            return fail(e);
        }
    }

    /** Forgets every context and the master keys; later calls return {@link SrtpStatus#FAILED}. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rtpSend.clear();
        rtpReceive.clear();
        rtcpSend.clear();
        rtcpReceive.clear();
        sendContexts.close();
        receiveContexts.close();
    }

    public long rtpProtected() {
        return counters.get(RTP_PROTECTED);
    }

    public long rtcpProtected() {
        return counters.get(RTCP_PROTECTED);
    }

    public long rtpUnprotected() {
        return counters.get(RTP_UNPROTECTED);
    }

    public long rtcpUnprotected() {
        return counters.get(RTCP_UNPROTECTED);
    }

    /** Packets refused because their tag did not verify. */
    public long authFailures() {
        return counters.get(AUTH_FAILED);
    }

    /** Packets refused as replays or as older than the replay window (and, on protect, reused indexes). */
    public long replays() {
        return counters.get(REPLAYED);
    }

    /** Packets too short or inconsistent to transform. */
    public long malformed() {
        return counters.get(MALFORMED);
    }

    /** Packets refused because their SSRC would exceed the per-session bound. */
    public long ssrcLimitDrops() {
        return counters.get(SSRC_LIMIT);
    }

    /** Packets that could not take their tag (buffer at max capacity). */
    public long noTailRoom() {
        return counters.get(NO_TAIL_ROOM);
    }

    /** Packets lost to a crypto backend error, or offered after {@link #close()}. */
    public long failures() {
        return counters.get(FAILED);
    }

    /**
     * The RTP header length (RFC 3550 §5.1: 12 octets, 4 per CSRC, and the extension of RFC 3550 §5.3.1
     * when X is set) if it fits in {@code length}, else -1.
     */
    private static int rtpHeaderLength(ByteBuf packet, int length) {
        if (length < RTP_FIXED_HEADER || !isVersion2(packet)) return -1;
        int base = packet.readerIndex();
        int first = packet.getUnsignedByte(base);
        int headerLength = RTP_FIXED_HEADER + 4 * (first & 0x0F);
        if ((first & 0x10) != 0) {
            if (length < headerLength + 4) return -1;
            headerLength += 4 + 4 * packet.getUnsignedShort(base + headerLength + 2);
        }
        return headerLength <= length ? headerLength : -1;
    }

    private static void requireHeap(ByteBuf packet) {
        if (!packet.hasArray()) {
            throw new IllegalArgumentException("SRTP works in place on heap buffers; copy the datagram into a heap buffer first");
        }
    }

    private static boolean isVersion2(ByteBuf packet) {
        return (packet.getUnsignedByte(packet.readerIndex()) & 0xC0) == 0x80;
    }

    private SrtpStatus count(SrtpStatus status) {
        switch (status) {
            case AUTH_FAILED -> increment(AUTH_FAILED);
            case REPLAYED -> increment(REPLAYED);
            case MALFORMED -> increment(MALFORMED);
            case SSRC_LIMIT -> increment(SSRC_LIMIT);
            case NO_TAIL_ROOM -> increment(NO_TAIL_ROOM);
            case FAILED -> increment(FAILED);
            case OK -> throw new IllegalArgumentException("OK is counted by the caller");
        }
        return status;
    }

    private SrtpStatus fail(Exception e) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(Level.WARNING, "SRTP " + profile + " transform failed (further failures only counted)", e);
        }
        return count(SrtpStatus.FAILED);
    }

    private void increment(int counter) {
        // Single writer (the owning loop); release so that other threads read a recent value.
        counters.setRelease(counter, counters.getPlain(counter) + 1);
    }

    @Override
    public String toString() {
        return "SrtpSession[" + profile + " " + gcmBackend + ", rtp " + rtpReceive.size() + "/" + rtpSend.size()
                + " ssrcs in/out]";
    }

    /** For tests: the number of contexts kept for remote RTP SSRCs. */
    int remoteRtpSsrcCount() {
        return rtpReceive.size();
    }
}
