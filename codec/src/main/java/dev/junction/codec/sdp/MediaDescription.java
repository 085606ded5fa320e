package dev.junction.codec.sdp;

import dev.junction.codec.sdp.SdpAttribute.Candidate;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Extmap;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.Flag;
import dev.junction.codec.sdp.SdpAttribute.Fmtp;
import dev.junction.codec.sdp.SdpAttribute.Msid;
import dev.junction.codec.sdp.SdpAttribute.Rid;
import dev.junction.codec.sdp.SdpAttribute.RtcpFb;
import dev.junction.codec.sdp.SdpAttribute.Rtpmap;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpAttribute.Simulcast;
import dev.junction.codec.sdp.SdpAttribute.Ssrc;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import dev.junction.codec.sdp.SdpField.Connection;
import dev.junction.codec.sdp.SdpField.MediaLine;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One media section: its {@code m=} line and every line up to the next one, in order (RFC 8866 §5), plus typed
 * views of the attributes the answerer needs. Media-level values only; session-level fallbacks (Firefox puts
 * {@code a=fingerprint} at session level) are resolved by {@link SessionDescription}.
 *
 * <p>Where an attribute may appear once, the first occurrence wins. Lookups by payload type are O(1).
 * Immutable; any thread.
 */
public final class MediaDescription {
    private final List<SdpLine> lines;
    private final MediaLine mediaLine;
    private final Optional<Connection> connection;
    private final Optional<String> mid;
    private final Optional<Direction> direction;
    private final Optional<String> iceUfrag;
    private final Optional<String> icePwd;
    private final List<String> iceOptions;
    private final List<Fingerprint> fingerprints;
    private final Optional<SetupRole> setup;
    private final Set<Flag> flags;
    private final List<Rtpmap> rtpmaps;
    private final Rtpmap[] rtpmapByPt = new Rtpmap[128];
    private final List<Fmtp> fmtps;
    private final Fmtp[] fmtpByPt = new Fmtp[128];
    private final SdpLine[] rtpmapLineByPt = new SdpLine[128];
    private final SdpLine[] fmtpLineByPt = new SdpLine[128];
    private final List<RtcpFb> rtcpFeedback;
    private final List<Extmap> extmaps;
    private final List<Ssrc> ssrcs;
    private final List<SsrcGroup> ssrcGroups;
    private final List<Msid> msids;
    private final List<Rid> rids;
    private final Optional<Simulcast> simulcast;
    private final List<Candidate> candidates;
    private final OptionalInt sctpPort;
    private final OptionalLong maxMessageSize;
    private final Optional<SdpAttribute.Sctpmap> sctpmap;

    /**
     * @param lines the section's lines; the first is its {@code m=} line and no other is
     * @throws IllegalArgumentException if the lines do not form one media section
     */
    public MediaDescription(List<SdpLine> lines) {
        this.lines = List.copyOf(lines);
        if (this.lines.isEmpty() || !(this.lines.get(0).field() instanceof MediaLine m)) {
            throw new IllegalArgumentException("a media section starts with its m= line");
        }
        this.mediaLine = m;
        Connection conn = null;
        String midValue = null;
        Direction dir = null;
        String ufrag = null;
        String pwd = null;
        SetupRole setupRole = null;
        Simulcast sim = null;
        SdpAttribute.Sctpmap map = null;
        int sctp = -1;
        long maxMessage = -1;
        List<String> options = new ArrayList<>();
        List<Fingerprint> prints = new ArrayList<>();
        EnumSet<Flag> flagSet = EnumSet.noneOf(Flag.class);
        List<Rtpmap> maps = new ArrayList<>();
        List<Fmtp> fmtpList = new ArrayList<>();
        List<RtcpFb> fbs = new ArrayList<>();
        List<Extmap> exts = new ArrayList<>();
        List<Ssrc> ssrcList = new ArrayList<>();
        List<SsrcGroup> groups = new ArrayList<>();
        List<Msid> msidList = new ArrayList<>();
        List<Rid> ridList = new ArrayList<>();
        List<Candidate> cands = new ArrayList<>();
        for (int i = 1; i < this.lines.size(); i++) {
            SdpLine line = this.lines.get(i);
            switch (line.field()) {
                case MediaLine other -> throw new IllegalArgumentException("a media section has one m= line");
                case Connection c -> conn = conn == null ? c : conn;
                case SdpAttribute.Mid v -> midValue = midValue == null ? v.value() : midValue;
                case Direction d -> dir = dir == null ? d : dir;
                case SdpAttribute.IceUfrag v -> ufrag = ufrag == null ? v.value() : ufrag;
                case SdpAttribute.IcePwd v -> pwd = pwd == null ? v.value() : pwd;
                case SdpAttribute.IceOptions v -> options.addAll(v.options());
                case Fingerprint f -> prints.add(f);
                case SetupRole s -> setupRole = setupRole == null ? s : setupRole;
                case Flag f -> flagSet.add(f);
                case Rtpmap r -> {
                    maps.add(r);
                    if (rtpmapByPt[r.payloadType()] == null) {
                        rtpmapByPt[r.payloadType()] = r;
                        rtpmapLineByPt[r.payloadType()] = line;
                    }
                }
                case Fmtp f -> {
                    fmtpList.add(f);
                    int pt = f.payloadType();
                    if (pt >= 0 && fmtpByPt[pt] == null) {
                        fmtpByPt[pt] = f;
                        fmtpLineByPt[pt] = line;
                    }
                }
                case RtcpFb fb -> fbs.add(fb);
                case Extmap e -> exts.add(e);
                case Ssrc s -> ssrcList.add(s);
                case SsrcGroup g -> groups.add(g);
                case Msid ms -> msidList.add(ms);
                case Rid r -> ridList.add(r);
                case Simulcast s -> sim = sim == null ? s : sim;
                case Candidate c -> cands.add(c);
                case SdpAttribute.SctpPort p -> sctp = sctp < 0 ? p.port() : sctp;
                case SdpAttribute.MaxMessageSize s -> maxMessage = maxMessage < 0 ? s.bytes() : maxMessage;
                case SdpAttribute.Sctpmap s -> map = map == null ? s : map;
                default -> {
                    // Session-level attributes misplaced here and unknown lines: kept, not interpreted.
                }
            }
        }
        this.connection = Optional.ofNullable(conn);
        this.mid = Optional.ofNullable(midValue);
        this.direction = Optional.ofNullable(dir);
        this.iceUfrag = Optional.ofNullable(ufrag);
        this.icePwd = Optional.ofNullable(pwd);
        this.iceOptions = List.copyOf(options);
        this.fingerprints = List.copyOf(prints);
        this.setup = Optional.ofNullable(setupRole);
        this.flags = java.util.Collections.unmodifiableSet(flagSet);
        this.rtpmaps = List.copyOf(maps);
        this.fmtps = List.copyOf(fmtpList);
        this.rtcpFeedback = List.copyOf(fbs);
        this.extmaps = List.copyOf(exts);
        this.ssrcs = List.copyOf(ssrcList);
        this.ssrcGroups = List.copyOf(groups);
        this.msids = List.copyOf(msidList);
        this.rids = List.copyOf(ridList);
        this.simulcast = Optional.ofNullable(sim);
        this.candidates = List.copyOf(cands);
        this.sctpPort = sctp < 0 ? OptionalInt.empty() : OptionalInt.of(sctp);
        this.maxMessageSize = maxMessage < 0 ? OptionalLong.empty() : OptionalLong.of(maxMessage);
        this.sctpmap = Optional.ofNullable(map);
    }

    /** Every line of the section in order, the {@code m=} line first. */
    public List<SdpLine> lines() {
        return lines;
    }

    public MediaLine mediaLine() {
        return mediaLine;
    }

    public MediaKind kind() {
        return mediaLine.kind();
    }

    public int port() {
        return mediaLine.port();
    }

    public String protocol() {
        return mediaLine.protocol();
    }

    /** The {@code m=} line's formats in order: payload type numbers for RTP, e.g. {@code webrtc-datachannel} for SCTP. */
    public List<String> formats() {
        return mediaLine.formats();
    }

    /** The payload types of the {@code m=} line in order; empty for non-RTP sections. */
    public List<Integer> payloadTypes() {
        if (!mediaLine.isRtp()) {
            return List.of();
        }
        List<Integer> pts = new ArrayList<>(mediaLine.formats().size());
        for (String f : mediaLine.formats()) {
            pts.add(SdpTokens.parsePayloadType(f));
        }
        return List.copyOf(pts);
    }

    public Optional<Connection> connection() {
        return connection;
    }

    public Optional<String> mid() {
        return mid;
    }

    /** The media-level direction attribute, if any (a session-level one may apply otherwise). */
    public Optional<Direction> direction() {
        return direction;
    }

    public Optional<String> iceUfrag() {
        return iceUfrag;
    }

    public Optional<String> icePwd() {
        return icePwd;
    }

    public List<String> iceOptions() {
        return iceOptions;
    }

    public List<Fingerprint> fingerprints() {
        return fingerprints;
    }

    public Optional<SetupRole> setup() {
        return setup;
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

    public boolean rtcpMux() {
        return flags.contains(Flag.RTCP_MUX);
    }

    public boolean rtcpReducedSize() {
        return flags.contains(Flag.RTCP_RSIZE);
    }

    public boolean bundleOnly() {
        return flags.contains(Flag.BUNDLE_ONLY);
    }

    public boolean endOfCandidates() {
        return flags.contains(Flag.END_OF_CANDIDATES);
    }

    public boolean extmapAllowMixed() {
        return flags.contains(Flag.EXTMAP_ALLOW_MIXED);
    }

    public List<Rtpmap> rtpmaps() {
        return rtpmaps;
    }

    /** The rtpmap of payload type {@code pt} (first one if repeated). */
    public Optional<Rtpmap> rtpmap(int pt) {
        return validPt(pt) ? Optional.ofNullable(rtpmapByPt[pt]) : Optional.empty();
    }

    /** The line the rtpmap of {@code pt} came from, so an answer can repeat it verbatim. */
    public Optional<SdpLine> rtpmapLine(int pt) {
        return validPt(pt) ? Optional.ofNullable(rtpmapLineByPt[pt]) : Optional.empty();
    }

    public List<Fmtp> fmtps() {
        return fmtps;
    }

    public Optional<Fmtp> fmtp(int pt) {
        return validPt(pt) ? Optional.ofNullable(fmtpByPt[pt]) : Optional.empty();
    }

    /** The line the fmtp of {@code pt} came from, so an answer can repeat it verbatim. */
    public Optional<SdpLine> fmtpLine(int pt) {
        return validPt(pt) ? Optional.ofNullable(fmtpLineByPt[pt]) : Optional.empty();
    }

    /** Every rtcp-fb line in order, wildcard ones included. */
    public List<RtcpFb> rtcpFeedback() {
        return rtcpFeedback;
    }

    /** The feedback that applies to {@code pt}: its own rtcp-fb lines and the {@code *} ones (RFC 4585 §4.2), in order. */
    public List<RtcpFb> rtcpFeedback(int pt) {
        List<RtcpFb> result = new ArrayList<>();
        for (RtcpFb fb : rtcpFeedback) {
            if (fb.isWildcard() || fb.payloadType() == pt) {
                result.add(fb);
            }
        }
        return result;
    }

    public List<Extmap> extmaps() {
        return extmaps;
    }

    public List<Ssrc> ssrcs() {
        return ssrcs;
    }

    public List<SsrcGroup> ssrcGroups() {
        return ssrcGroups;
    }

    public List<Msid> msids() {
        return msids;
    }

    public List<Rid> rids() {
        return rids;
    }

    public Optional<Simulcast> simulcast() {
        return simulcast;
    }

    public List<Candidate> candidates() {
        return candidates;
    }

    public OptionalInt sctpPort() {
        return sctpPort;
    }

    public OptionalLong maxMessageSize() {
        return maxMessageSize;
    }

    public Optional<SdpAttribute.Sctpmap> sctpmap() {
        return sctpmap;
    }

    /** Every attribute of type {@code type}, in order. */
    public <T extends SdpAttribute> List<T> attributes(Class<T> type) {
        List<T> result = new ArrayList<>();
        for (SdpLine line : lines) {
            if (type.isInstance(line.field())) {
                result.add(type.cast(line.field()));
            }
        }
        return result;
    }

    /** The values of every attribute named {@code name} that Junction does not interpret (e.g. {@code rtcp-xr}). */
    public List<String> otherAttributes(String name) {
        List<String> result = new ArrayList<>();
        for (SdpLine line : lines) {
            if (line.field() instanceof SdpAttribute.Other o && o.attributeName().equals(name)) {
                result.add(o.value());
            }
        }
        return result;
    }

    private static boolean validPt(int pt) {
        return pt >= 0 && pt < 128;
    }

    @Override
    public String toString() {
        return "MediaDescription[" + mediaLine.toValue() + mid.map(m -> " mid=" + m).orElse("") + "]";
    }
}
