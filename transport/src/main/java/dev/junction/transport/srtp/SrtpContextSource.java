package dev.junction.transport.srtp;

import java.security.GeneralSecurityException;

/**
 * Makes the {@link SrtpContext}s of one direction of one {@link SrtpSession}, from that direction's master
 * key and salt: jitsi-srtp's ({@link JitsiContextSource}) or Junction's AES-GCM over OpenSSL
 * ({@link GcmContextSource}).
 *
 * <p><b>Threading:</b> created on the session's creating thread, then used and closed on its event loop.
 */
interface SrtpContextSource {

    /** A fresh context for RTP from {@code ssrc}, with rollover counter 0. */
    SrtpContext rtp(int ssrc) throws GeneralSecurityException;

    /** A fresh context for RTCP whose sender SSRC is {@code ssrc}, with SRTCP index 0. */
    SrtpContext rtcp(int ssrc) throws GeneralSecurityException;

    /** Wipes the master key and frees native state; contexts made before must not be used afterwards. */
    void close();
}
