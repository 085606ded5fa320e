package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * jitsi-srtp's contexts for one direction: every profile on Java 21 or when AES-GCM through FFM is off or
 * unavailable, and always for AES_CM_128_HMAC_SHA1_80. jitsi-srtp derives the session keys per context
 * (RFC 3711 §4.3) and keeps rollover counter, replay window and SRTCP index.
 *
 * <p><b>Threading:</b> see {@link SrtpContextSource}; jitsi-srtp's contexts are {@code synchronized}, and
 * staying on one loop keeps those locks uncontended. <b>Buffers:</b> packets reach jitsi-srtp through the
 * session's one {@link ByteBufArrayBuffer} view, which is cleared after every call.
 */
final class JitsiContextSource implements SrtpContextSource {

    // Passed by argument.
    private final boolean sender;
    private final ByteBufArrayBuffer view;

    // Allocated by this.
    private final SrtpContextFactory factory;

    JitsiContextSource(boolean sender, SrtpProfile profile, byte[] masterKey, byte[] masterSalt, ByteBufArrayBuffer view) {
        this.sender = sender;
        this.view = view;
        this.factory = new SrtpContextFactory(sender, masterKey, masterSalt, profile.newPolicy(), profile.newPolicy(),
                JitsiLogger.INSTANCE);
    }

    @Override
    public SrtpContext rtp(int ssrc) throws GeneralSecurityException {
        SrtpCryptoContext context = factory.deriveContext(ssrc, 0);
        return sender ? new RtpSend(context, view) : new RtpReceive(context, view);
    }

    @Override
    public SrtpContext rtcp(int ssrc) throws GeneralSecurityException {
        SrtcpCryptoContext context = factory.deriveControlContext(ssrc);
        return sender ? new RtcpSend(context, view) : new RtcpReceive(context, view);
    }

    @Override
    public void close() {
        factory.close();
    }

    static SrtpStatus map(SrtpErrorStatus status) {
        return switch (status) {
            case OK -> SrtpStatus.OK;
            case AUTH_FAIL -> SrtpStatus.AUTH_FAILED;
            case REPLAY_FAIL, REPLAY_OLD -> SrtpStatus.REPLAYED;
            case INVALID_PACKET -> SrtpStatus.MALFORMED;
            case FAIL -> SrtpStatus.FAILED;
        };
    }

    private record RtpSend(SrtpCryptoContext context, ByteBufArrayBuffer view) implements SrtpContext {
        @Override
        public SrtpStatus transform(ByteBuf packet, int headerLength) throws GeneralSecurityException {
            try {
                return map(context.transformPacket(view.wrap(packet)));
            } finally {
                view.clear();
            }
        }
    }

    private record RtpReceive(SrtpCryptoContext context, ByteBufArrayBuffer view) implements SrtpContext {
        @Override
        public SrtpStatus transform(ByteBuf packet, int headerLength) throws GeneralSecurityException {
            try {
                return map(context.reverseTransformPacket(view.wrap(packet), false));
            } finally {
                view.clear();
            }
        }
    }

    private record RtcpSend(SrtcpCryptoContext context, ByteBufArrayBuffer view) implements SrtpContext {
        @Override
        public SrtpStatus transform(ByteBuf packet, int headerLength) throws GeneralSecurityException {
            try {
                return map(context.transformPacket(view.wrap(packet)));
            } finally {
                view.clear();
            }
        }
    }

    private record RtcpReceive(SrtcpCryptoContext context, ByteBufArrayBuffer view) implements SrtpContext {
        @Override
        public SrtpStatus transform(ByteBuf packet, int headerLength) throws GeneralSecurityException {
            try {
                return map(context.reverseTransformPacket(view.wrap(packet)));
            } finally {
                view.clear();
            }
        }
    }
}
