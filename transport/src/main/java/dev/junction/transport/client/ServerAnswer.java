package dev.junction.transport.client;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpParseResult;
import dev.junction.codec.sdp.SdpParser;
import dev.junction.codec.sdp.SessionDescription;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.config.IpLiteral;
import dev.junction.transport.dtls.DtlsRole;
import dev.junction.transport.dtls.Fingerprint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client role needs from a WHIP/WHEP server's answer: its ICE credentials, its DTLS
 * fingerprints and its UDP candidates (IP literals only: the client never resolves names or mDNS).
 *
 * @param sdp          the parsed answer
 * @param ice          the server's ICE credentials (from the first bundled section, or session level)
 * @param fingerprints the server's certificate fingerprints the DTLS client will accept
 * @param candidates   the UDP candidates for component 1, in the answer's order
 * @param tcpCandidates the passive TCP candidates (ICE-TCP, RFC 6544) for component 1, in the answer's order; a
 *                     client reaches them by connecting
 * @param dtlsRole     the role the client takes, from the answer's {@code a=setup} (RFC 5763 §5): the DTLS client
 *                     when the server answered passive, the DTLS server when it answered active (Janus does)
 */
public record ServerAnswer(SessionDescription sdp, IceCredentials ice, List<Fingerprint> fingerprints,
        List<InetSocketAddress> candidates, List<InetSocketAddress> tcpCandidates, DtlsRole dtlsRole) {

    public ServerAnswer {
        fingerprints = List.copyOf(fingerprints);
        candidates = List.copyOf(candidates);
        tcpCandidates = List.copyOf(tcpCandidates);
    }

    /** Reads an answer; a precise one-line reason in the exception for anything the client cannot use. */
    public static ServerAnswer parse(String answer) {
        SessionDescription sdp = switch (SdpParser.DEFAULT.parse(answer)) {
            case SdpParseResult.Parsed p -> p.description();
            case SdpParseResult.Failed f -> throw new IllegalArgumentException("answer is not valid SDP: " + f.error());
        };
        MediaDescription first = sdp.media().stream().filter(m -> m.port() != 0 || m.bundleOnly()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("answer accepts no m-section"));
        String ufrag = sdp.effectiveIceUfrag(first).orElseThrow(() -> new IllegalArgumentException("answer has no a=ice-ufrag"));
        String pwd = sdp.effectiveIcePwd(first).orElseThrow(() -> new IllegalArgumentException("answer has no a=ice-pwd"));
        List<Fingerprint> fingerprints = new ArrayList<>();
        for (SdpAttribute.Fingerprint f : sdp.effectiveFingerprints(first)) Fingerprint.fromSdp(f).ifPresent(fingerprints::add);
        if (fingerprints.isEmpty()) throw new IllegalArgumentException("answer has no usable a=fingerprint");
        List<InetSocketAddress> candidates = new ArrayList<>();
        List<InetSocketAddress> tcpCandidates = new ArrayList<>();
        for (MediaDescription m : sdp.media()) {
            for (SdpAttribute.Candidate c : m.candidates()) {
                if (c.component() != 1) continue;
                List<InetSocketAddress> into;
                if (c.transport().equalsIgnoreCase("udp")) into = candidates;
                else if (c.transport().equalsIgnoreCase("tcp") && c.extensions().matches("(?i)(.* )?tcptype passive( .*)?")) into = tcpCandidates;
                else continue;
                IpLiteral.parse(c.address()).map(ip -> new InetSocketAddress(ip, c.port()))
                        .filter(a -> !into.contains(a)).ifPresent(into::add);
            }
        }
        if (candidates.isEmpty() && tcpCandidates.isEmpty()) {
            throw new IllegalArgumentException("answer has no UDP or passive TCP candidate with an IP address");
        }
        // Our offers say actpass, so the answer picks (RFC 8842 §5.3); RFC 4145 §4: no a=setup means active.
        DtlsRole role = switch (sdp.effectiveSetup(first).orElse(SetupRole.ACTIVE)) {
            case PASSIVE -> DtlsRole.CLIENT;
            case ACTIVE -> DtlsRole.SERVER;
            case ACTPASS, HOLDCONN -> throw new IllegalArgumentException("answer has a=setup:"
                    + sdp.effectiveSetup(first).get().token() + "; an answer must say active or passive (RFC 8842 §5.3)");
        };
        return new ServerAnswer(sdp, new IceCredentials(ufrag, pwd), fingerprints, candidates, tcpCandidates, role);
    }
}
