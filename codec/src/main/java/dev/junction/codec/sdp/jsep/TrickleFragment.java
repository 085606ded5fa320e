package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code application/trickle-ice-sdpfrag} body (RFC 8840 §9.2) as WHIP and WHEP clients PATCH it to trickle
 * candidates or to restart ICE (RFC 9725 §4.3): the ICE attributes of an SDP, without the rest of it.
 *
 * <pre>
 *   a=ice-ufrag:EsAw                       session level: ice-lite, ice-ufrag, ice-pwd, ice-options,
 *   a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1         end-of-candidates, group (and unknown attributes, ignored)
 *   a=group:BUNDLE 0 1
 *   m=audio 9 UDP/TLS/RTP/SAVPF 111        one line per m-section the candidates are for
 *   a=mid:0                                media level: mid, ice-ufrag, ice-pwd, candidate,
 *   a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host ...     end-of-candidates
 *   a=end-of-candidates
 * </pre>
 *
 * <p>What real clients send varies, so {@link #parse} accepts, beyond the grammar: fragments without any m= line,
 * whose candidates then belong to the m-section a session-level {@code a=mid} names (or to none, {@code ""});
 * credentials at session or media level, LF or CRLF line ends, and unknown attributes, which it ignores. It
 * refuses, with a one-line reason for an HTTP 400 body: empty, oversized or non-UTF-8 bodies, control
 * characters, lines that are not {@code <letter>=<value>}, every line type but {@code a=} and {@code m=}, the
 * media attributes of a full offer ({@code a=rtpmap}, {@code a=fingerprint}, ...), malformed candidates (with
 * {@link IceCandidate#parse}'s reason), invalid or conflicting credentials, and one credential without the other.
 *
 * <p>Immutable value; any thread. Parsing runs on the control plane (a Vert.x thread), keeps no reference to the
 * body and never throws on bad input.
 *
 * @param credentials     the client's ICE ufrag and password, if the fragment carries them; new ones mean an ICE
 *                        restart (see {@link #isIceRestart})
 * @param iceLite         whether the fragment says {@code a=ice-lite} (Junction's own restart answers do)
 * @param iceOptions      the {@code a=ice-options} tags in order, without repeats (RFC 8839 §5.6)
 * @param media           the m-sections in order
 * @param candidates      every candidate in order, with the mid of the m-section it belongs to
 * @param endOfCandidates a session-level {@code a=end-of-candidates}: no more candidates for any m-section
 *                        (RFC 8840 §8.2)
 */
public record TrickleFragment(Optional<IceCredentials> credentials, boolean iceLite, List<String> iceOptions,
        List<MediaSection> media, List<Candidate> candidates, boolean endOfCandidates) {

    public TrickleFragment {
        Objects.requireNonNull(credentials, "credentials");
        iceOptions = List.copyOf(iceOptions);
        media = List.copyOf(media);
        candidates = List.copyOf(candidates);
    }

    /**
     * One m= line of the fragment. RFC 8840 §9.2 copies the offer's m= line only to say which m-section follows,
     * so nothing but its media token is kept.
     *
     * @param media           the media token, e.g. {@code audio}
     * @param mid             its {@code a=mid}, or empty when the section has none
     * @param endOfCandidates whether the section says {@code a=end-of-candidates}
     */
    public record MediaSection(String media, String mid, boolean endOfCandidates) {
        public MediaSection {
            Objects.requireNonNull(media, "media");
            Objects.requireNonNull(mid, "mid");
        }

        public MediaKind kind() {
            return MediaKind.of(media);
        }
    }

    /**
     * A trickled candidate and where it belongs.
     *
     * @param mid the mid of its m-section, or empty when the fragment does not say; with BUNDLE every mid shares
     *            one transport, so Junction does not need it
     */
    public record Candidate(String mid, IceCandidate candidate) {
        public Candidate {
            Objects.requireNonNull(mid, "mid");
            Objects.requireNonNull(candidate, "candidate");
        }
    }

    /** The outcome of {@link #parse}: a fragment, or the one reason it was refused. */
    public sealed interface Result permits Parsed, Rejected {
    }

    /** The body was a well-formed fragment. */
    public record Parsed(TrickleFragment fragment) implements Result {
    }

    /** The body was refused; {@code reason} is one line, with the line number when one line is at fault. */
    public record Rejected(String reason) implements Result {
    }

    /** Parses a PATCH body within {@link TrickleLimits#DEFAULT}. Never throws. */
    public static Result parse(byte[] body) {
        return parse(body, TrickleLimits.DEFAULT);
    }

    /** Parses a PATCH body within {@code limits}. Never throws. */
    public static Result parse(byte[] body, TrickleLimits limits) {
        return new TrickleFragmentParser(limits).parse(body);
    }

    /**
     * Whether this fragment restarts ICE for a session whose client currently uses {@code current}: it carries a
     * different ufrag. RFC 8445 §9 has a restarting agent change both ufrag and password, so the ufrag tells one
     * ICE generation from the next; a plain trickle PATCH may repeat the current credentials (RFC 9725 §4.3.1).
     */
    public boolean isIceRestart(IceCredentials current) {
        return credentials.isPresent() && !credentials.get().ufrag().equals(current.ufrag());
    }

    /** Whether the client has no more candidates for {@code mid}: said at session level or in that m-section. */
    public boolean endOfCandidates(String mid) {
        if (endOfCandidates) {
            return true;
        }
        for (MediaSection m : media) {
            if (m.endOfCandidates() && m.mid().equals(mid)) {
                return true;
            }
        }
        return false;
    }
}
