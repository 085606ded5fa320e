package dev.junction.codec.sdp.jsep;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Writes the body of Junction's {@code 200 OK} to an ICE restart PATCH (RFC 9725 §4.3.2): an
 * {@code application/trickle-ice-sdpfrag} (RFC 8840 §9.2) with the new local credentials and every local
 * candidate, so the client needs nothing more.
 *
 * <pre>
 *   a=ice-lite                                                   Junction is an ICE-lite agent (RFC 8839 §5.3)
 *   a=ice-ufrag:&lt;ufrag&gt;                                           the new local credentials (RFC 8839 §5.4)
 *   a=ice-pwd:&lt;pwd&gt;
 *   a=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host      SdpNegotiator.hostCandidates, one per address
 *   a=candidate:2 1 udp 2130706175 2001:db8::1 40000 typ host
 *   a=candidate:3 1 tcp 2124414975 192.0.2.1 40000 typ host tcptype passive   ICE-TCP, when Junction listens
 *   a=end-of-candidates                                          Junction never trickles (RFC 8840 §8.2)
 * </pre>
 * Lines end in CRLF. {@link TrickleFragment#parse} reads the result back. Stateless; any thread.
 */
public final class IceRestartAnswer {

    private IceRestartAnswer() {
    }

    /** The answer with the candidates of {@link SdpNegotiator#hostCandidates}, the same as in a full answer. */
    public static String forHostAddresses(IceCredentials local, List<InetSocketAddress> hostAddresses) {
        return write(local, SdpNegotiator.hostCandidates(hostAddresses));
    }

    /** As above, with passive TCP host candidates after the UDP ones (ICE-TCP, RFC 6544). */
    public static String forHostAddresses(IceCredentials local, List<InetSocketAddress> hostAddresses,
            List<InetSocketAddress> tcpHostAddresses) {
        return write(local, SdpNegotiator.hostCandidates(hostAddresses, tcpHostAddresses));
    }

    /**
     * The answer with {@code candidates} in order.
     *
     * @throws IllegalArgumentException when {@code local} is not a valid ufrag and password (RFC 8839 §5.4)
     */
    public static String write(IceCredentials local, List<IceCandidate> candidates) {
        String problem = IceCredentials.ufragProblem(local.ufrag());
        if (problem.isEmpty()) {
            problem = IceCredentials.pwdProblem(local.pwd());
        }
        if (!problem.isEmpty()) {
            throw new IllegalArgumentException("local " + problem);
        }
        StringBuilder sb = new StringBuilder(96 + 64 * candidates.size());
        sb.append("a=ice-lite\r\n");
        sb.append("a=ice-ufrag:").append(local.ufrag()).append("\r\n");
        sb.append("a=ice-pwd:").append(local.pwd()).append("\r\n");
        for (IceCandidate c : candidates) {
            sb.append("a=candidate:").append(c.write()).append("\r\n");
        }
        sb.append("a=end-of-candidates\r\n");
        return sb.toString();
    }
}
