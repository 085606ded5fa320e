package dev.junction.codec.sdp;

import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Extmap;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.Flag;
import dev.junction.codec.sdp.SdpAttribute.Group;
import dev.junction.codec.sdp.SdpAttribute.MsidSemantic;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpField.Connection;
import dev.junction.codec.sdp.SdpField.MediaLine;
import dev.junction.codec.sdp.SdpField.Origin;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A session description (RFC 8866): the session-level lines before the first {@code m=} line and the media
 * sections, each kept line for line, with typed views of what WebRTC needs.
 *
 * <p>The {@code effective...} methods resolve an attribute for one media section the way RFC 8866 §5 and
 * RFC 8839 allow it to be written: the media-level value wins, the session-level value applies otherwise
 * (Firefox writes {@code a=fingerprint} and a default direction at session level; Chromium repeats everything
 * per m-section).
 *
 * <p>Built by {@link SdpParser} from text or by the answerer from lines; written by {@link SdpWriter}.
 * Immutable; any thread.
 */
public final class SessionDescription {
    private final List<SdpLine> sessionLines;
    private final List<MediaDescription> media;
    private final Optional<Origin> origin;
    private final Optional<Connection> connection;
    private final List<Group> groups;
    private final Optional<Direction> direction;
    private final Optional<String> iceUfrag;
    private final Optional<String> icePwd;
    private final List<String> iceOptions;
    private final List<Fingerprint> fingerprints;
    private final Optional<SetupRole> setup;
    private final Optional<MsidSemantic> msidSemantic;
    private final List<Extmap> extmaps;
    private final Set<Flag> flags;

    /**
     * @param sessionLines the lines before the first m= line, {@code v=} first
     * @param media        the media sections in order
     * @throws IllegalArgumentException if a session line is an m= line
     */
    public SessionDescription(List<SdpLine> sessionLines, List<MediaDescription> media) {
        this.sessionLines = List.copyOf(sessionLines);
        this.media = List.copyOf(media);
        Origin o = null;
        Connection c = null;
        Direction dir = null;
        String ufrag = null;
        String pwd = null;
        SetupRole setupRole = null;
        MsidSemantic semantic = null;
        List<Group> groupList = new ArrayList<>();
        List<String> options = new ArrayList<>();
        List<Fingerprint> prints = new ArrayList<>();
        List<Extmap> exts = new ArrayList<>();
        EnumSet<Flag> flagSet = EnumSet.noneOf(Flag.class);
        for (SdpLine line : this.sessionLines) {
            switch (line.field()) {
                case MediaLine m -> throw new IllegalArgumentException("m= lines belong to media sections");
                case Origin v -> o = o == null ? v : o;
                case Connection v -> c = c == null ? v : c;
                case Group g -> groupList.add(g);
                case Direction d -> dir = dir == null ? d : dir;
                case SdpAttribute.IceUfrag v -> ufrag = ufrag == null ? v.value() : ufrag;
                case SdpAttribute.IcePwd v -> pwd = pwd == null ? v.value() : pwd;
                case SdpAttribute.IceOptions v -> options.addAll(v.options());
                case Fingerprint f -> prints.add(f);
                case SetupRole s -> setupRole = setupRole == null ? s : setupRole;
                case MsidSemantic s -> semantic = semantic == null ? s : semantic;
                case Extmap e -> exts.add(e);
                case Flag f -> flagSet.add(f);
                default -> {
                    // v=, s=, t=, b= and unknown attributes: kept, not interpreted.
                }
            }
        }
        this.origin = Optional.ofNullable(o);
        this.connection = Optional.ofNullable(c);
        this.groups = List.copyOf(groupList);
        this.direction = Optional.ofNullable(dir);
        this.iceUfrag = Optional.ofNullable(ufrag);
        this.icePwd = Optional.ofNullable(pwd);
        this.iceOptions = List.copyOf(options);
        this.fingerprints = List.copyOf(prints);
        this.setup = Optional.ofNullable(setupRole);
        this.msidSemantic = Optional.ofNullable(semantic);
        this.extmaps = List.copyOf(exts);
        this.flags = java.util.Collections.unmodifiableSet(flagSet);
    }

    /** The lines before the first m= line, in order. */
    public List<SdpLine> sessionLines() {
        return sessionLines;
    }

    public List<MediaDescription> media() {
        return media;
    }

    /** The media section whose {@code a=mid} is {@code mid}. */
    public Optional<MediaDescription> media(String mid) {
        for (MediaDescription m : media) {
            if (m.mid().filter(mid::equals).isPresent()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** Every line, session lines first, then each media section's. */
    public List<SdpLine> allLines() {
        List<SdpLine> all = new ArrayList<>(sessionLines);
        for (MediaDescription m : media) {
            all.addAll(m.lines());
        }
        return all;
    }

    public Optional<Origin> origin() {
        return origin;
    }

    public Optional<Connection> connection() {
        return connection;
    }

    public List<Group> groups() {
        return groups;
    }

    /** The first {@code a=group:BUNDLE} (RFC 8843 §7.1). */
    public Optional<Group> bundleGroup() {
        for (Group g : groups) {
            if (g.isBundle()) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    public boolean iceLite() {
        return flags.contains(Flag.ICE_LITE);
    }

    public boolean extmapAllowMixed() {
        return flags.contains(Flag.EXTMAP_ALLOW_MIXED);
    }

    public boolean has(Flag flag) {
        return flags.contains(flag);
    }

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

    public Optional<MsidSemantic> msidSemantic() {
        return msidSemantic;
    }

    /** Session-level extmaps, which apply to every media section that does not map the same URI (RFC 8285 §7). */
    public List<Extmap> extmaps() {
        return extmaps;
    }

    /** The direction of {@code m}: its own attribute, else the session's, else sendrecv (RFC 8866 §6.7). */
    public Direction effectiveDirection(MediaDescription m) {
        return m.direction().or(() -> direction).orElse(Direction.SENDRECV);
    }

    public Optional<String> effectiveIceUfrag(MediaDescription m) {
        return m.iceUfrag().or(() -> iceUfrag);
    }

    public Optional<String> effectiveIcePwd(MediaDescription m) {
        return m.icePwd().or(() -> icePwd);
    }

    /** The media-level fingerprints if there are any, else the session-level ones (RFC 8122 §5). */
    public List<Fingerprint> effectiveFingerprints(MediaDescription m) {
        return m.fingerprints().isEmpty() ? fingerprints : m.fingerprints();
    }

    public Optional<SetupRole> effectiveSetup(MediaDescription m) {
        return m.setup().or(() -> setup);
    }

    /** The section's extmaps followed by session-level ones for URIs the section does not map itself. */
    public List<Extmap> effectiveExtmaps(MediaDescription m) {
        if (extmaps.isEmpty()) {
            return m.extmaps();
        }
        List<Extmap> result = new ArrayList<>(m.extmaps());
        for (Extmap session : extmaps) {
            boolean mapped = false;
            for (Extmap local : m.extmaps()) {
                mapped |= local.uri().equals(session.uri());
            }
            if (!mapped) {
                result.add(session);
            }
        }
        return result;
    }

    /** The text of this description with CRLF line endings ({@link SdpWriter}). */
    public String write() {
        return SdpWriter.write(this);
    }

    @Override
    public String toString() {
        return write();
    }
}
