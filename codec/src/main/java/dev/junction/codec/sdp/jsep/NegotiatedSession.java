package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import java.util.List;
import java.util.Optional;

/**
 * What an offer/answer exchange settled, for the transport (ICE, DTLS) and the room (codecs, SSRCs, rids).
 * Everything runs over one BUNDLE transport: Junction is ICE-lite, and the DTLS server ({@code a=setup:passive}) unless
 * the answer said {@code a=setup:active}.
 *
 * @param localIce           the credentials in the answer: STUN checks must carry this ufrag and be signed with
 *                           this password (RFC 8445 §7.2.2)
 * @param remoteIce          the offer's credentials
 * @param localFingerprint   the fingerprint the answer announced
 * @param remoteFingerprints the offer's fingerprints with hash functions Junction verifies; the client's DTLS
 *                           certificate must match one (RFC 8122 §5)
 * @param remoteSetup        the offer's setup role (actpass, active, or passive when Junction answers active)
 * @param localSetup         the answer's setup role: PASSIVE (Junction is the DTLS server) or ACTIVE (the client)
 * @param bundleMids         the answer's BUNDLE group, the first mid tagging the transport (RFC 8843 §7.3.1)
 * @param media              every offered m-section in offer order, rejected ones included
 */
public record NegotiatedSession(IceCredentials localIce, IceCredentials remoteIce, Fingerprint localFingerprint,
        List<Fingerprint> remoteFingerprints, SetupRole remoteSetup, SetupRole localSetup, List<String> bundleMids,
        List<NegotiatedMedia> media) {

    public NegotiatedSession {
        remoteFingerprints = List.copyOf(remoteFingerprints);
        bundleMids = List.copyOf(bundleMids);
        media = List.copyOf(media);
    }

    /** Whether Junction is the DTLS server of this session (it answered {@code a=setup:passive}). */
    public boolean dtlsServer() {
        return localSetup != SetupRole.ACTIVE;
    }

    /** The m-section with mid {@code mid}. */
    public Optional<NegotiatedMedia> media(String mid) {
        for (NegotiatedMedia m : media) {
            if (m.mid().equals(mid)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The accepted m-sections, in offer order. */
    public List<NegotiatedMedia> acceptedMedia() {
        return media.stream().filter(NegotiatedMedia::accepted).toList();
    }
}
