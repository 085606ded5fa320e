package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Extmap;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.Flag;
import dev.junction.codec.sdp.SdpAttribute.Group;
import dev.junction.codec.sdp.SdpAttribute.Msid;
import dev.junction.codec.sdp.SdpAttribute.Rid;
import dev.junction.codec.sdp.SdpAttribute.RidDirection;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpAttribute.Simulcast;
import dev.junction.codec.sdp.SdpAttribute.SimulcastFormat;
import dev.junction.codec.sdp.SdpAttribute.Ssrc;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import dev.junction.codec.sdp.SdpField.Connection;
import dev.junction.codec.sdp.SdpField.MediaLine;
import dev.junction.codec.sdp.SdpField.Origin;
import dev.junction.codec.sdp.SdpLine;
import dev.junction.codec.sdp.SdpParseResult;
import dev.junction.codec.sdp.SdpParser;
import dev.junction.codec.sdp.SessionDescription;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Junction's JSEP answerer (RFC 8829 §5.3) for WHIP and WHEP offers: turns a browser's offer into the answer SDP
 * and a {@link NegotiatedSession} for the transport and the room.
 *
 * <p>What the answer always is:
 * <ul>
 *   <li>one BUNDLE transport (RFC 8843) with rtcp-mux; m-sections outside the offer's BUNDLE group are rejected;</li>
 *   <li>{@code a=ice-lite} with fresh credentials, one UDP host candidate per announced address on the first
 *       accepted m-section, then {@code a=end-of-candidates} (Junction never trickles);</li>
 *   <li>{@code a=setup:passive}: Junction is the DTLS server, so the offer must be actpass or active; with
 *       {@link #withDtlsSetup(SetupRole) withDtlsSetup(ACTIVE)} Junction answers an actpass (or passive) offer with
 *       {@code a=setup:active} and is the DTLS client, and still answers an active offer with passive;</li>
 *   <li>per accepted m-section the codecs, header extensions and RTCP feedback both sides support, with the
 *       offerer's payload type numbers and extension ids, in the offer's order;</li>
 *   <li>directions inverted (RFC 3264 §6.1); an offered sendrecv follows the {@link ClientRole};</li>
 *   <li>simulcast rids kept where Junction receives ({@code a=rid:x recv}, {@code a=simulcast:recv});</li>
 *   <li>rejected m-sections as RFC 8829 §5.3.1 writes them: port 0, {@code c=}, {@code a=mid} and nothing else.
 *       Data channels are rejected for now. Firefox's port-0 {@code a=bundle-only} sections are accepted.</li>
 * </ul>
 * An offer it cannot answer at all gets an {@link OfferError} whose message is one line for the HTTP 400 body.
 *
 * <p>Immutable and thread-safe; runs on the control plane (a Vert.x thread), never on a media event loop.
 * Never throws on a bad offer; a {@link SendStreamSource} that allocates one SSRC twice is a caller bug and
 * gets an {@link IllegalArgumentException}.
 */
public final class SdpNegotiator {
    /** RFC 8445 §5.1.2.1: type preference of host candidates. */
    static final int HOST_TYPE_PREFERENCE = 126;
    /** The discard port: JSEP's placeholder for m-sections without their own candidates (RFC 8829 §5.3.1). */
    private static final int PLACEHOLDER_PORT = 9;

    private final MediaCapabilities capabilities;
    private final SdpParser parser;
    /** The role an actpass offer gets: PASSIVE (Junction the DTLS server, the default) or ACTIVE. */
    private final SetupRole preferredSetup;

    public SdpNegotiator(MediaCapabilities capabilities) {
        this(capabilities, SdpParser.DEFAULT);
    }

    public SdpNegotiator(MediaCapabilities capabilities, SdpParser parser) {
        this(capabilities, parser, SetupRole.PASSIVE);
    }

    private SdpNegotiator(MediaCapabilities capabilities, SdpParser parser, SetupRole preferredSetup) {
        this.capabilities = capabilities;
        this.parser = parser;
        this.preferredSetup = preferredSetup;
    }

    /**
     * The same negotiator answering actpass offers with {@code setup} (RFC 5763 §5, RFC 8842 §5.3): PASSIVE makes
     * Junction the DTLS server (the default), ACTIVE the DTLS client, which then also accepts passive offers.
     */
    public SdpNegotiator withDtlsSetup(SetupRole setup) {
        if (setup != SetupRole.PASSIVE && setup != SetupRole.ACTIVE) {
            throw new IllegalArgumentException("an answer's a=setup is active or passive, not " + setup.token());
        }
        return new SdpNegotiator(capabilities, parser, setup);
    }

    public MediaCapabilities capabilities() {
        return capabilities;
    }

    /** Parses and answers an offer as it arrived in an HTTP body. */
    public AnswerResult answer(byte[] offerUtf8, AnswerParameters parameters) {
        return answer(parser.parse(offerUtf8), parameters);
    }

    /** Parses and answers offer text. */
    public AnswerResult answer(String offer, AnswerParameters parameters) {
        return answer(parser.parse(offer), parameters);
    }

    private AnswerResult answer(SdpParseResult parsed, AnswerParameters parameters) {
        return switch (parsed) {
            case SdpParseResult.Parsed p -> answer(p.description(), parameters);
            case SdpParseResult.Failed f -> reject(OfferError.Reason.MALFORMED_SDP, "malformed SDP: " + f.error().message());
        };
    }

    /** Answers a parsed offer. */
    public AnswerResult answer(SessionDescription offer, AnswerParameters parameters) {
        List<MediaDescription> media = offer.media();
        if (offer.iceLite()) {
            return reject(OfferError.Reason.ICE_LITE_OFFER,
                    "offer is a=ice-lite like Junction; one side must run full ICE (RFC 8445 §2.5)");
        }
        if (media.isEmpty()) {
            return reject(OfferError.Reason.NO_SUPPORTED_MEDIA, "offer has no m-section");
        }
        Map<String, Integer> midIndex = new HashMap<>();
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            if (m.mid().isEmpty()) {
                return reject(OfferError.Reason.MISSING_MID, "m-section " + (i + 1) + " (" + m.mediaLine().media()
                        + ") has no a=mid; BUNDLE needs one on every m-section (RFC 8843 §7.1)");
            }
            Integer previous = midIndex.putIfAbsent(m.mid().get(), i);
            if (previous != null) {
                return reject(OfferError.Reason.DUPLICATE_MID, "m-sections " + (previous + 1) + " and " + (i + 1)
                        + " both have a=mid:" + m.mid().get());
            }
        }
        Optional<Group> bundle = offer.bundleGroup();
        if (bundle.isEmpty()) {
            return reject(OfferError.Reason.NO_BUNDLE, "offer has no a=group:BUNDLE; Junction needs all media on one "
                    + "transport (RFC 8843, bundlePolicy max-bundle)");
        }
        if (bundle.get().mids().isEmpty()) {
            return reject(OfferError.Reason.NO_BUNDLE, "the offer's a=group:BUNDLE lists no mid");
        }
        Set<String> bundleMids = new LinkedHashSet<>();
        for (String mid : bundle.get().mids()) {
            if (!midIndex.containsKey(mid)) {
                return reject(OfferError.Reason.INVALID_BUNDLE, "a=group:BUNDLE names mid " + quote(mid)
                        + ", which no m-section has");
            }
            if (!bundleMids.add(mid)) {
                return reject(OfferError.Reason.INVALID_BUNDLE, "a=group:BUNDLE names mid " + quote(mid) + " twice");
            }
        }
        // RFC 8843 §7.2.1: the offerer-tagged m-section (first mid of the group) carries the BUNDLE transport.
        MediaDescription tagged = media.get(midIndex.get(bundle.get().mids().get(0)));
        Transport transport = transport(offer, tagged);
        if (transport.error != null) {
            return new AnswerResult.Rejected(transport.error);
        }

        List<Plan> plans = new ArrayList<>(media.size());
        for (int i = 0; i < media.size(); i++) {
            plans.add(plan(i, media.get(i), bundleMids));
        }
        List<String> answerBundle = new ArrayList<>();
        for (String mid : bundleMids) {
            if (plans.get(midIndex.get(mid)).accepted()) {
                answerBundle.add(mid);
            }
        }
        if (answerBundle.isEmpty()) {
            return nothingToServe(plans);
        }
        for (Plan p : plans) {
            if (p.accepted() && !p.media.rtcpMux()) {
                return reject(OfferError.Reason.NO_RTCP_MUX, "m-section mid " + quote(p.mid())
                        + " has no a=rtcp-mux; Junction needs RTP/RTCP multiplexing (RFC 5761, RFC 8843 §9.3)");
            }
        }
        return build(offer, parameters, transport, plans, answerBundle);
    }

    /** The offer's BUNDLE transport parameters, or why they are unusable. */
    private record Transport(IceCredentials remoteIce, List<Fingerprint> fingerprints, SetupRole setup, SetupRole localSetup,
            OfferError error) {
        static Transport failed(OfferError.Reason reason, String message) {
            return new Transport(null, List.of(), null, null, new OfferError(reason, message));
        }
    }

    private Transport transport(SessionDescription offer, MediaDescription tagged) {
        String where = " for the BUNDLE transport (mid " + quote(tagged.mid().orElse("")) + ")";
        Optional<String> ufrag = offer.effectiveIceUfrag(tagged);
        Optional<String> pwd = offer.effectiveIcePwd(tagged);
        if (ufrag.isEmpty() || pwd.isEmpty()) {
            String missing = ufrag.isEmpty() && pwd.isEmpty() ? "a=ice-ufrag and a=ice-pwd"
                    : ufrag.isEmpty() ? "a=ice-ufrag" : "a=ice-pwd";
            return Transport.failed(OfferError.Reason.NO_ICE_CREDENTIALS, "offer has no " + missing + where);
        }
        String problem = IceCredentials.ufragProblem(ufrag.get());
        if (problem.isEmpty()) {
            problem = IceCredentials.pwdProblem(pwd.get());
        }
        if (!problem.isEmpty()) {
            return Transport.failed(OfferError.Reason.INVALID_ICE_CREDENTIALS, "offer's " + problem);
        }
        List<Fingerprint> all = offer.effectiveFingerprints(tagged);
        if (all.isEmpty()) {
            return Transport.failed(OfferError.Reason.NO_FINGERPRINT, "offer has no a=fingerprint" + where
                    + "; DTLS-SRTP needs the client's certificate fingerprint (RFC 5763 §5)");
        }
        List<Fingerprint> usable = new ArrayList<>();
        Set<String> algorithms = new LinkedHashSet<>();
        for (Fingerprint f : all) {
            algorithms.add(f.algorithm());
            if (isVerifiedHash(f.algorithm())) {
                int expected = Fingerprint.digestLength(f.algorithm());
                if (f.bytes().length != expected) {
                    return Transport.failed(OfferError.Reason.INVALID_FINGERPRINT, "offer's a=fingerprint:"
                            + f.hashFunction() + " has " + f.bytes().length + " bytes; a " + f.algorithm()
                            + " digest has " + expected);
                }
                usable.add(f);
            }
        }
        if (usable.isEmpty()) {
            return Transport.failed(OfferError.Reason.UNSUPPORTED_FINGERPRINT_HASH, "offer's a=fingerprint uses "
                    + String.join(", ", algorithms) + "; Junction verifies sha-256, sha-384 or sha-512 (RFC 8122 §5)");
        }
        // RFC 4145 §4: no a=setup means active; JSEP offers always say actpass (RFC 8829 §5.2.1).
        SetupRole setup = offer.effectiveSetup(tagged).orElse(SetupRole.ACTIVE);
        SetupRole local;
        if (setup == SetupRole.ACTPASS) {
            local = preferredSetup;
        } else if (setup == SetupRole.ACTIVE) {
            local = SetupRole.PASSIVE;
        } else if (setup == SetupRole.PASSIVE && preferredSetup == SetupRole.ACTIVE) {
            local = SetupRole.ACTIVE;
        } else {
            return Transport.failed(OfferError.Reason.UNSUPPORTED_SETUP_ROLE, "offer has a=setup:" + setup.token()
                    + "; Junction is the DTLS server (a=setup:passive), so the offer must be actpass or active "
                    + "(RFC 5763 §5)");
        }
        return new Transport(new IceCredentials(ufrag.get(), pwd.get()), usable, setup, local, null);
    }

    private static boolean isVerifiedHash(String algorithm) {
        return switch (algorithm) {
            case "sha-256", "sha-384", "sha-512" -> true;
            default -> false;
        };
    }

    /** Whether and how one offered m-section is served. */
    private record Plan(int index, MediaDescription media, String rejection, boolean codecMismatch,
            CodecSelection.Result codecs) {
        boolean accepted() {
            return rejection.isEmpty();
        }

        String mid() {
            return media.mid().orElse("");
        }
    }

    private Plan plan(int index, MediaDescription m, Set<String> bundleMids) {
        String mid = m.mid().orElse("");
        if (!bundleMids.contains(mid)) {
            return rejected(index, m, "not in the BUNDLE group");
        }
        if (m.port() == 0 && !m.bundleOnly()) {
            return rejected(index, m, "the offer disabled it (port 0 without a=bundle-only)");
        }
        if (m.kind() == MediaKind.APPLICATION) {
            return rejected(index, m, "data channels are not supported");
        }
        if (m.kind() == MediaKind.OTHER) {
            return rejected(index, m, "media " + quote(m.mediaLine().media()) + " is not supported");
        }
        if (!isSupportedProtocol(m.protocol())) {
            return rejected(index, m, "protocol " + quote(m.protocol()) + " is not supported; Junction needs "
                    + "UDP/TLS/RTP/SAVPF (RFC 8829 §5.1.2)");
        }
        CodecSelection.Result codecs = CodecSelection.select(m, capabilities);
        if (codecs.isEmpty()) {
            return new Plan(index, m, "no codec in common: it " + codecs.problem(), true, codecs);
        }
        return new Plan(index, m, "", false, codecs);
    }

    private static Plan rejected(int index, MediaDescription m, String reason) {
        return new Plan(index, m, reason, false, null);
    }

    /** DTLS-SRTP over UDP; {@code RTP/SAVPF} is the pre-RFC 5764 spelling older browsers still send. */
    private static boolean isSupportedProtocol(String protocol) {
        return protocol.equalsIgnoreCase("UDP/TLS/RTP/SAVPF") || protocol.equalsIgnoreCase("RTP/SAVPF");
    }

    private static AnswerResult nothingToServe(List<Plan> plans) {
        for (Plan p : plans) {
            if (p.codecMismatch()) {
                return reject(OfferError.Reason.NO_COMMON_CODEC, "no codec in common: mid " + quote(p.mid()) + " ("
                        + p.media.mediaLine().media() + ") " + p.codecs.problem());
            }
        }
        Plan first = plans.get(0);
        return reject(OfferError.Reason.NO_SUPPORTED_MEDIA, "no m-section Junction can serve: mid " + quote(first.mid())
                + " (" + first.media.mediaLine().media() + ") " + first.rejection()
                + (plans.size() > 1 ? " (and " + (plans.size() - 1) + " more)" : ""));
    }

    private AnswerResult build(SessionDescription offer, AnswerParameters parameters, Transport transport,
            List<Plan> plans, List<String> answerBundle) {
        IceCredentials localIce = IceCredentials.generate(parameters.random());
        String taggedMid = answerBundle.get(0);
        boolean sessionAllowMixed = offer.extmapAllowMixed();
        Set<Long> allocatedSsrcs = new HashSet<>();
        int[] slotsPerKind = new int[MediaKind.values().length];
        boolean anySender = false;
        List<MediaDescription> answerMedia = new ArrayList<>(plans.size());
        List<NegotiatedMedia> negotiated = new ArrayList<>(plans.size());
        for (Plan plan : plans) {
            MediaDescription m = plan.media;
            if (!plan.accepted()) {
                answerMedia.add(rejectedSection(m));
                negotiated.add(new NegotiatedMedia(plan.index, plan.mid(), m.kind(), false, plan.rejection,
                        Direction.INACTIVE, List.of(), Map.of(), List.of(), List.of(), List.of(), Optional.empty(),
                        Optional.empty(), false, false));
                continue;
            }
            Direction offered = offer.effectiveDirection(m);
            ClientRole role = parameters.role();
            boolean send = offered.receives() && role.junctionSends();
            boolean receive = offered.sends() && role.junctionReceives();
            Optional<SendStream> stream = Optional.empty();
            if (send) {
                SendSlot slot = new SendSlot(plan.mid(), m.kind(), slotsPerKind[m.kind().ordinal()]++, plan.index,
                        plan.codecs.codecs(), plan.codecs.hasRtx());
                stream = parameters.sendStreams().allocate(slot);
                if (stream.isPresent() && !plan.codecs.hasRtx() && stream.get().rtxSsrc().isPresent()) {
                    SendStream s = stream.get();
                    stream = Optional.of(new SendStream(s.ssrc(), OptionalLong.empty(), s.cname(), s.streamId(), s.trackId()));
                }
                stream.ifPresent(s -> reserve(allocatedSsrcs, s));
                send = stream.isPresent();
            }
            anySender |= send;
            Direction direction = Direction.of(send, receive);
            boolean isTagged = plan.mid().equals(taggedMid);
            List<Extmap> extmaps = extensions(offer.effectiveExtmaps(m), direction, plan.codecs.codecs());
            Map<String, Integer> extensionIds = new LinkedHashMap<>();
            for (Extmap e : extmaps) {
                extensionIds.put(e.uri(), e.id());
            }
            List<List<SimulcastFormat>> simulcast = direction.receives() && extensionIds.containsKey(HeaderExtensionUri.RID)
                    ? simulcastStreams(m, plan.codecs) : List.of();
            boolean mediaAllowMixed = !sessionAllowMixed && m.extmapAllowMixed();

            List<SdpLine> lines = new ArrayList<>(16 + plan.codecs.lines().size() + parameters.hostAddresses().size());
            List<String> formats = plan.codecs.payloadTypes().stream().map(String::valueOf).toList();
            InetSocketAddress first = parameters.hostAddresses().get(0);
            lines.add(SdpLine.of(new MediaLine(m.mediaLine().media(), isTagged ? first.getPort() : PLACEHOLDER_PORT, 1,
                    m.protocol(), formats)));
            lines.add(SdpLine.of(isTagged ? connection(first.getAddress()) : Connection.NONE));
            if (isTagged) {
                addCandidates(lines, parameters.hostAddresses(), parameters.tcpHostAddresses());
            }
            lines.add(SdpLine.of(new SdpAttribute.IceUfrag(localIce.ufrag())));
            lines.add(SdpLine.of(new SdpAttribute.IcePwd(localIce.pwd())));
            lines.add(SdpLine.of(parameters.localFingerprint()));
            lines.add(SdpLine.of(transport.localSetup));
            lines.add(SdpLine.of(new SdpAttribute.Mid(plan.mid())));
            for (Extmap e : extmaps) {
                lines.add(SdpLine.of(e));
            }
            lines.add(SdpLine.of(direction));
            stream.ifPresent(s -> lines.add(SdpLine.of(new Msid(s.streamId(), s.trackId()))));
            lines.add(SdpLine.of(Flag.RTCP_MUX));
            if (m.rtcpReducedSize()) {
                lines.add(SdpLine.of(Flag.RTCP_RSIZE));
            }
            if (mediaAllowMixed) {
                lines.add(SdpLine.of(Flag.EXTMAP_ALLOW_MIXED));
            }
            lines.addAll(plan.codecs.lines());
            if (!simulcast.isEmpty()) {
                for (List<SimulcastFormat> s : simulcast) {
                    lines.add(SdpLine.of(new Rid(s.get(0).rid(), RidDirection.RECV, "")));
                }
                lines.add(SdpLine.of(new Simulcast(List.of(), simulcast)));
            }
            stream.ifPresent(s -> addSsrcLines(lines, s));
            answerMedia.add(new MediaDescription(lines));

            List<SimulcastLayer> layers = simulcast.stream()
                    .map(s -> new SimulcastLayer(s.get(0).rid(), s.get(0).paused())).toList();
            List<SsrcGroup> simGroups = m.ssrcGroups().stream().filter(g -> "SIM".equals(g.semantics())).toList();
            Optional<Msid> remoteMsid = m.msids().stream().findFirst().or(() -> msidFromSsrcs(m));
            negotiated.add(new NegotiatedMedia(plan.index, plan.mid(), m.kind(), true, "", direction,
                    plan.codecs.codecs(), extensionIds, layers, remoteSsrcs(m), simGroups, remoteMsid, stream,
                    m.rtcpReducedSize(), sessionAllowMixed || m.extmapAllowMixed()));
        }

        long sessionId = parameters.random().nextLong() & Long.MAX_VALUE;
        List<SdpLine> session = new ArrayList<>(8);
        session.add(SdpLine.opaque('v', "0"));
        session.add(SdpLine.of(new Origin("-", Long.toString(sessionId == 0 ? 1 : sessionId), "1", "IN", "IP4", "0.0.0.0")));
        session.add(SdpLine.opaque('s', "-"));
        session.add(SdpLine.opaque('t', "0 0"));
        session.add(SdpLine.of(Flag.ICE_LITE));
        session.add(SdpLine.of(new Group("BUNDLE", answerBundle)));
        if (sessionAllowMixed) {
            session.add(SdpLine.of(Flag.EXTMAP_ALLOW_MIXED));
        }
        if (anySender) {
            session.add(SdpLine.of(new SdpAttribute.MsidSemantic("WMS", List.of("*"))));
        }
        SessionDescription answer = new SessionDescription(session, answerMedia);
        NegotiatedSession result = new NegotiatedSession(localIce, transport.remoteIce, parameters.localFingerprint(),
                transport.fingerprints, transport.setup, transport.localSetup, answerBundle, negotiated);
        return new AnswerResult.Answered(answer.write(), answer, result);
    }

    /** RFC 8829 §5.3.1: a rejected m-section keeps its kind, protocol and formats, gets port 0 and only its mid. */
    private static MediaDescription rejectedSection(MediaDescription m) {
        List<SdpLine> lines = new ArrayList<>(3);
        lines.add(SdpLine.of(new MediaLine(m.mediaLine().media(), 0, 1, m.protocol(), m.formats())));
        lines.add(SdpLine.of(Connection.NONE));
        m.mid().ifPresent(mid -> lines.add(SdpLine.of(new SdpAttribute.Mid(mid))));
        return new MediaDescription(lines);
    }

    /**
     * The offered extensions Junction supports, with the offer's ids (RFC 8285 §7). An offered direction is
     * answered reversed (sendonly becomes recvonly); an extension that cannot flow in the m-section's answered
     * direction is left out, unless the whole section is inactive. The dependency descriptor is left out where the
     * capabilities restrict it to codecs other than the section's first ({@link MediaCapabilities#dependencyDescriptorCodecs()}).
     */
    private List<Extmap> extensions(List<Extmap> offered, Direction mediaDirection, List<NegotiatedCodec> codecs) {
        List<Extmap> result = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        Set<String> uris = new HashSet<>();
        for (Extmap e : offered) {
            if (!capabilities.headerExtensions().contains(e.uri()) || ids.contains(e.id()) || uris.contains(e.uri())) {
                continue;
            }
            if (e.uri().equals(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR)
                    && (codecs.isEmpty() || !capabilities.allowsDependencyDescriptor(codecs.get(0).name()))) {
                continue;
            }
            Optional<Direction> answered = e.direction().map(Direction::reverse);
            Direction usable = answered.orElse(Direction.SENDRECV).intersect(mediaDirection);
            if (usable == Direction.INACTIVE && mediaDirection != Direction.INACTIVE) {
                continue;
            }
            ids.add(e.id());
            uris.add(e.uri());
            result.add(new Extmap(e.id(), answered, e.uri(), ""));
        }
        return result;
    }

    /**
     * The simulcast streams Junction receives: the offer's send streams (RFC 8853 §5.3) whose rid has an
     * {@code a=rid:<id> send} line and, if the rid restricts payload types, one Junction kept. Each stream keeps
     * its first usable alternative only, which RFC 8853 §5.3 allows an answerer to do.
     */
    private static List<List<SimulcastFormat>> simulcastStreams(MediaDescription m, CodecSelection.Result codecs) {
        Optional<Simulcast> simulcast = m.simulcast();
        if (simulcast.isEmpty() || simulcast.get().send().isEmpty()) {
            return List.of();
        }
        Map<String, Rid> sendRids = new HashMap<>();
        for (Rid rid : m.rids()) {
            if (rid.direction() == RidDirection.SEND) {
                sendRids.putIfAbsent(rid.id(), rid);
            }
        }
        Set<Integer> kept = new HashSet<>(codecs.payloadTypes());
        Set<String> used = new HashSet<>();
        List<List<SimulcastFormat>> streams = new ArrayList<>();
        for (List<SimulcastFormat> alternatives : simulcast.get().send()) {
            for (SimulcastFormat f : alternatives) {
                Rid rid = sendRids.get(f.rid());
                if (rid == null || used.contains(f.rid())) {
                    continue;
                }
                List<Integer> pts = rid.payloadTypes();
                if (!pts.isEmpty() && pts.stream().noneMatch(kept::contains)) {
                    continue;
                }
                used.add(f.rid());
                streams.add(List.of(f));
                break;
            }
        }
        return streams;
    }

    /** The offer's SSRCs: primaries in order of appearance, each with its RTX partner from a FID group. */
    private static List<RemoteSsrc> remoteSsrcs(MediaDescription m) {
        Map<Long, Long> rtxOf = new HashMap<>();
        Set<Long> rtx = new HashSet<>();
        for (SsrcGroup g : m.ssrcGroups()) {
            if ("FID".equals(g.semantics()) && g.ssrcs().size() >= 2 && !rtxOf.containsKey(g.ssrcs().get(0))) {
                rtxOf.put(g.ssrcs().get(0), g.ssrcs().get(1));
                rtx.add(g.ssrcs().get(1));
            }
        }
        Map<Long, String> cnames = new LinkedHashMap<>();
        for (Ssrc s : m.ssrcs()) {
            cnames.putIfAbsent(s.ssrc(), "");
            if ("cname".equals(s.attribute()) && cnames.get(s.ssrc()).isEmpty()) {
                cnames.put(s.ssrc(), s.value());
            }
        }
        for (SsrcGroup g : m.ssrcGroups()) {
            for (long s : g.ssrcs()) {
                cnames.putIfAbsent(s, "");
            }
        }
        List<RemoteSsrc> result = new ArrayList<>();
        for (Map.Entry<Long, String> e : cnames.entrySet()) {
            long ssrc = e.getKey();
            if (rtx.contains(ssrc) && !rtxOf.containsKey(ssrc)) {
                continue;
            }
            Long partner = rtxOf.get(ssrc);
            result.add(new RemoteSsrc(ssrc, partner == null ? OptionalLong.empty() : OptionalLong.of(partner), e.getValue()));
        }
        return result;
    }

    /** Plan B style {@code a=ssrc:<id> msid:<stream> <track>}, for offers without a media-level a=msid. */
    private static Optional<Msid> msidFromSsrcs(MediaDescription m) {
        for (Ssrc s : m.ssrcs()) {
            if ("msid".equals(s.attribute())) {
                String[] parts = s.value().strip().split(" ", 3);
                if (!parts[0].isEmpty()) {
                    return Optional.of(new Msid(parts[0], parts.length > 1 ? parts[1] : ""));
                }
            }
        }
        return Optional.empty();
    }

    private static void reserve(Set<Long> allocated, SendStream s) {
        if (!allocated.add(s.ssrc())) {
            throw new IllegalArgumentException("SSRC " + s.ssrc() + " was allocated to two m-sections");
        }
        if (s.rtxSsrc().isPresent() && !allocated.add(s.rtxSsrc().getAsLong())) {
            throw new IllegalArgumentException("SSRC " + s.rtxSsrc().getAsLong() + " was allocated to two m-sections");
        }
    }

    /** {@code a=msid} is at media level already; ssrc lines repeat it for endpoints that still read Plan B style. */
    private static void addSsrcLines(List<SdpLine> lines, SendStream s) {
        String msid = s.streamId() + ' ' + s.trackId();
        if (s.rtxSsrc().isPresent()) {
            lines.add(SdpLine.of(new SsrcGroup("FID", List.of(s.ssrc(), s.rtxSsrc().getAsLong()))));
        }
        lines.add(SdpLine.of(new Ssrc(s.ssrc(), "cname", s.cname())));
        lines.add(SdpLine.of(new Ssrc(s.ssrc(), "msid", msid)));
        if (s.rtxSsrc().isPresent()) {
            lines.add(SdpLine.of(new Ssrc(s.rtxSsrc().getAsLong(), "cname", s.cname())));
            lines.add(SdpLine.of(new Ssrc(s.rtxSsrc().getAsLong(), "msid", msid)));
        }
    }

    /**
     * The host candidates Junction announces for {@code addresses}: one UDP candidate per address, component 1
     * (rtcp-mux), foundation {@code 1}, {@code 2}, ... in the caller's order (the addresses differ, so the
     * foundations must, RFC 8445 §5.1.1.3), priority {@link #hostPriority(int)}, the address in RFC 5952 text.
     * Answers carry them on the BUNDLE m-section; an ICE restart answer ({@link IceRestartAnswer}) carries the
     * same list, so both stay one rule.
     *
     * @param addresses resolved addresses with a port, at most {@link AnswerParameters#MAX_HOST_ADDRESSES}
     * @throws IllegalArgumentException for an unresolved address, port 0, or too many addresses
     */
    public static List<IceCandidate> hostCandidates(List<InetSocketAddress> addresses) {
        return hostCandidates(addresses, List.of());
    }

    /**
     * As {@link #hostCandidates(List)}, then one passive TCP host candidate (ICE-TCP, RFC 6544) per address of
     * {@code tcpAddresses}: foundations continue after the UDP ones (another transport, another foundation), and
     * {@link #tcpHostPriority(int)} ranks every TCP candidate below every UDP one, so a client that can reach
     * UDP uses it.
     */
    public static List<IceCandidate> hostCandidates(List<InetSocketAddress> addresses, List<InetSocketAddress> tcpAddresses) {
        if (addresses.size() > AnswerParameters.MAX_HOST_ADDRESSES || tcpAddresses.size() > AnswerParameters.MAX_HOST_ADDRESSES) {
            throw new IllegalArgumentException("need at most " + AnswerParameters.MAX_HOST_ADDRESSES
                    + " host addresses per transport, got " + addresses.size() + " UDP and " + tcpAddresses.size() + " TCP");
        }
        List<IceCandidate> candidates = new ArrayList<>(addresses.size() + tcpAddresses.size());
        for (int i = 0; i < addresses.size(); i++) {
            InetSocketAddress a = requireHostAddress(addresses.get(i));
            candidates.add(IceCandidate.udpHost(Integer.toString(i + 1), hostPriority(i), addressText(a.getAddress()),
                    a.getPort()));
        }
        for (int i = 0; i < tcpAddresses.size(); i++) {
            InetSocketAddress a = requireHostAddress(tcpAddresses.get(i));
            candidates.add(IceCandidate.tcpPassiveHost(Integer.toString(addresses.size() + i + 1), tcpHostPriority(i),
                    addressText(a.getAddress()), a.getPort()));
        }
        return List.copyOf(candidates);
    }

    private static InetSocketAddress requireHostAddress(InetSocketAddress a) {
        if (a.isUnresolved() || a.getPort() == 0) {
            throw new IllegalArgumentException("host address must be a resolved IP with a port: " + a);
        }
        return a;
    }

    /** {@link #hostCandidates} as lines, then {@code a=end-of-candidates}: Junction never trickles. */
    private static void addCandidates(List<SdpLine> lines, List<InetSocketAddress> addresses, List<InetSocketAddress> tcpAddresses) {
        for (IceCandidate c : hostCandidates(addresses, tcpAddresses)) {
            lines.add(c.toSdpLine());
        }
        lines.add(SdpLine.of(Flag.END_OF_CANDIDATES));
    }

    /**
     * RFC 8445 §5.1.2.1 with type preference 126 (host) and component 1; the local preference counts down from
     * 65535 in the caller's order, so every candidate's priority is unique.
     */
    static long hostPriority(int index) {
        return IceCandidate.priority(HOST_TYPE_PREFERENCE, 65535 - index, 1);
    }

    /**
     * RFC 6544 §4.2 for a passive TCP host candidate: local preference {@code 2^13 * direction-pref + other-pref}
     * with direction-pref 4 (passive) and other-pref counting down from 8191, so at most 40959: below every UDP
     * host candidate's (RFC 6544 §4.2: UDP is preferred where it works).
     */
    static long tcpHostPriority(int index) {
        return IceCandidate.priority(HOST_TYPE_PREFERENCE, (1 << 13) * 4 + 8191 - index, 1);
    }

    private static Connection connection(InetAddress address) {
        return new Connection("IN", address instanceof Inet4Address ? "IP4" : "IP6", addressText(address));
    }

    /** Dotted quad, or the RFC 5952 text form of an IPv6 address (lower case, longest zero run as {@code ::}). */
    static String addressText(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
        }
        int[] h = new int[8];
        for (int i = 0; i < 8; i++) {
            h[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (h[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && h[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(h[i]));
        }
        return sb.toString();
    }

    private static AnswerResult reject(OfferError.Reason reason, String message) {
        return new AnswerResult.Rejected(new OfferError(reason, message));
    }

    private static String quote(String s) {
        return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 40) + "...'";
    }
}
