package dev.junction.codec.sdp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The typed value of an {@code a=<name>[:<value>]} line (RFC 8866 §5.13), one record per attribute the answerer
 * needs. Records hold the parsed values; the line they came from keeps its exact text ({@link SdpLine}).
 *
 * <p>Attribute names are case-sensitive (RFC 8866 §5.13); encoding names, hash functions and transports are
 * compared ignoring case where their RFCs say so. Immutable values; any thread.
 */
public sealed interface SdpAttribute extends SdpField {

    /** The attribute name, the part before the first {@code ':'}. */
    String attributeName();

    /** The attribute value after the {@code ':'}, or empty for a property attribute such as {@code a=rtcp-mux}. */
    String formatValue();

    @Override
    default char lineType() {
        return 'a';
    }

    @Override
    default String toValue() {
        String value = formatValue();
        return value.isEmpty() ? attributeName() : attributeName() + ':' + value;
    }

    /** {@code a=group:<semantics> *(SP <identification-tag>)} (RFC 5888 §5), e.g. {@code BUNDLE 0 1} (RFC 8843). */
    record Group(String semantics, List<String> mids) implements SdpAttribute {
        public Group {
            mids = List.copyOf(mids);
        }

        public boolean isBundle() {
            return "BUNDLE".equals(semantics);
        }

        @Override
        public String attributeName() {
            return "group";
        }

        @Override
        public String formatValue() {
            return mids.isEmpty() ? semantics : semantics + ' ' + String.join(" ", mids);
        }
    }

    /**
     * {@code a=msid-semantic:<semantic> [<ids>]}: a WMS leftover from Plan B that browsers still write
     * (Chromium {@code " WMS <stream>"}, Firefox {@code "WMS *"}).
     */
    record MsidSemantic(String semantic, List<String> ids) implements SdpAttribute {
        public MsidSemantic {
            ids = List.copyOf(ids);
        }

        @Override
        public String attributeName() {
            return "msid-semantic";
        }

        @Override
        public String formatValue() {
            return ids.isEmpty() ? semantic : semantic + ' ' + String.join(" ", ids);
        }
    }

    /** {@code a=mid:<identification-tag>} (RFC 5888 §4, RFC 8843). */
    record Mid(String value) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "mid";
        }

        @Override
        public String formatValue() {
            return value;
        }
    }

    /**
     * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]} (RFC 8866 §6.6).
     *
     * @param channels the encoding parameters (audio channels), or 0 when absent
     */
    record Rtpmap(int payloadType, String encodingName, int clockRate, int channels) implements SdpAttribute {
        /** Audio channels, 1 when the rtpmap leaves them out (RFC 8866 §6.6). */
        public int effectiveChannels() {
            return channels == 0 ? 1 : channels;
        }

        /** Whether this is the codec named {@code name}; encoding names are case-insensitive (RFC 4855 §3). */
        public boolean is(String name) {
            return encodingName.equalsIgnoreCase(name);
        }

        @Override
        public String attributeName() {
            return "rtpmap";
        }

        @Override
        public String formatValue() {
            String base = payloadType + " " + encodingName + '/' + clockRate;
            return channels == 0 ? base : base + '/' + channels;
        }
    }

    /**
     * {@code a=fmtp:<format> <format specific parameters>} (RFC 8866 §6.15). Parameters are usually
     * {@code key=value} pairs separated by {@code ';'}, but not always ({@code 0-15} for telephone-event,
     * {@code 111/111} for RED), so the text is kept and parsed on demand.
     */
    record Fmtp(String format, String parameters) implements SdpAttribute {
        /** The payload type, or -1 when the format is not a payload type number. */
        public int payloadType() {
            return SdpTokens.parsePayloadType(format);
        }

        /** The value of {@code key}; parameter names compare ignoring case (RFC 4855 §3). */
        public Optional<String> parameter(String key) {
            for (String part : parameters.split(";", -1)) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(key)) {
                    return Optional.of(part.substring(eq + 1).trim());
                }
            }
            return Optional.empty();
        }

        /** The {@code key=value} pairs in order, keys lower-cased; parts without {@code '='} map to "". */
        public Map<String, String> parameterMap() {
            Map<String, String> map = new LinkedHashMap<>();
            for (String part : parameters.split(";", -1)) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq < 0) {
                    map.putIfAbsent(p.toLowerCase(Locale.ROOT), "");
                } else {
                    map.putIfAbsent(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
                }
            }
            return java.util.Collections.unmodifiableMap(map);
        }

        @Override
        public String attributeName() {
            return "fmtp";
        }

        @Override
        public String formatValue() {
            return format + ' ' + parameters;
        }
    }

    /**
     * {@code a=rtcp-fb:<payload type|*> <type>[ <parameters>]} (RFC 4585 §4.2), e.g. {@code 96 nack pli}.
     *
     * @param parameters what follows the type ({@code pli}, {@code fir}, ...), or empty
     */
    record RtcpFb(String format, String type, String parameters) implements SdpAttribute {
        /** The payload type, or -1 for the {@code *} wildcard. */
        public int payloadType() {
            return SdpTokens.parsePayloadType(format);
        }

        public boolean isWildcard() {
            return "*".equals(format);
        }

        /** The feedback without its payload type, e.g. {@code "nack pli"} or {@code "transport-cc"}. */
        public String feedback() {
            return parameters.isEmpty() ? type : type + ' ' + parameters;
        }

        @Override
        public String attributeName() {
            return "rtcp-fb";
        }

        @Override
        public String formatValue() {
            return format + ' ' + feedback();
        }
    }

    /**
     * {@code a=extmap:<id>[/<direction>] <URI>[ <extension attributes>]} (RFC 8285 §7).
     *
     * @param direction  the optional direction; absent means the media section's direction
     * @param attributes extension attributes after the URI, or empty
     */
    record Extmap(int id, Optional<Direction> direction, String uri, String attributes) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "extmap";
        }

        @Override
        public String formatValue() {
            StringBuilder sb = new StringBuilder(uri.length() + 16).append(id);
            direction.ifPresent(d -> sb.append('/').append(d.token()));
            sb.append(' ').append(uri);
            if (!attributes.isEmpty()) {
                sb.append(' ').append(attributes);
            }
            return sb.toString();
        }
    }

    /**
     * {@code a=ssrc:<ssrc-id> <attribute>[:<value>]} (RFC 5576 §4.1), e.g. {@code 1234 cname:abc}.
     *
     * @param ssrc an unsigned 32-bit value
     */
    record Ssrc(long ssrc, String attribute, String value) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "ssrc";
        }

        @Override
        public String formatValue() {
            return value.isEmpty() ? ssrc + " " + attribute : ssrc + " " + attribute + ':' + value;
        }
    }

    /** {@code a=ssrc-group:<semantics> <ssrc-id> ...} (RFC 5576 §4.2): {@code FID} pairs RTX (RFC 4588), {@code SIM} simulcast. */
    record SsrcGroup(String semantics, List<Long> ssrcs) implements SdpAttribute {
        public SsrcGroup {
            ssrcs = List.copyOf(ssrcs);
        }

        @Override
        public String attributeName() {
            return "ssrc-group";
        }

        @Override
        public String formatValue() {
            StringBuilder sb = new StringBuilder(semantics);
            for (long s : ssrcs) {
                sb.append(' ').append(s);
            }
            return sb.toString();
        }
    }

    /**
     * {@code a=msid:<stream id>[ <track id>]} (RFC 8830 §2).
     *
     * @param trackId the appdata (track id), or empty
     */
    record Msid(String streamId, String trackId) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "msid";
        }

        @Override
        public String formatValue() {
            return trackId.isEmpty() ? streamId : streamId + ' ' + trackId;
        }
    }

    /** The direction of an {@code a=rid} line (RFC 8851 §10). */
    enum RidDirection {
        SEND("send"),
        RECV("recv");

        private final String token;

        RidDirection(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        public RidDirection reverse() {
            return this == SEND ? RECV : SEND;
        }
    }

    /**
     * {@code a=rid:<rid-id> <send|recv>[ <restrictions>]} (RFC 8851 §10).
     *
     * @param restrictions {@code pt=96,97;max-width=1280;...} as written, or empty
     */
    record Rid(String id, RidDirection direction, String restrictions) implements SdpAttribute {
        /** The payload types of a {@code pt=} restriction, empty when there is none. */
        public List<Integer> payloadTypes() {
            List<Integer> pts = new ArrayList<>();
            for (String part : restrictions.split(";", -1)) {
                String p = part.trim();
                if (p.startsWith("pt=")) {
                    for (String pt : p.substring(3).split(",", -1)) {
                        int value = SdpTokens.parsePayloadType(pt.trim());
                        if (value >= 0) {
                            pts.add(value);
                        }
                    }
                }
            }
            return List.copyOf(pts);
        }

        @Override
        public String attributeName() {
            return "rid";
        }

        @Override
        public String formatValue() {
            String base = id + ' ' + direction.token();
            return restrictions.isEmpty() ? base : base + ' ' + restrictions;
        }
    }

    /** One rid in an {@code a=simulcast} stream list; {@code paused} is the {@code ~} prefix (RFC 8853 §5.1). */
    record SimulcastFormat(String rid, boolean paused) {
        @Override
        public String toString() {
            return paused ? "~" + rid : rid;
        }
    }

    /**
     * {@code a=simulcast:<send|recv> <streams>[ <recv|send> <streams>]} (RFC 8853 §5.1). Streams are separated by
     * {@code ';'}, alternatives of one stream by {@code ','}.
     */
    record Simulcast(List<List<SimulcastFormat>> send, List<List<SimulcastFormat>> recv) implements SdpAttribute {
        public Simulcast {
            send = send.stream().map(List::copyOf).toList();
            recv = recv.stream().map(List::copyOf).toList();
        }

        @Override
        public String attributeName() {
            return "simulcast";
        }

        @Override
        public String formatValue() {
            StringBuilder sb = new StringBuilder();
            if (!send.isEmpty()) {
                sb.append("send ");
                appendStreams(sb, send);
            }
            if (!recv.isEmpty()) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append("recv ");
                appendStreams(sb, recv);
            }
            return sb.toString();
        }

        private static void appendStreams(StringBuilder sb, List<List<SimulcastFormat>> streams) {
            for (int i = 0; i < streams.size(); i++) {
                if (i > 0) {
                    sb.append(';');
                }
                List<SimulcastFormat> alternatives = streams.get(i);
                for (int j = 0; j < alternatives.size(); j++) {
                    if (j > 0) {
                        sb.append(',');
                    }
                    sb.append(alternatives.get(j));
                }
            }
        }
    }

    /**
     * {@code a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type>
     * [raddr <addr>] [rport <port>] *(<name> <value>)} (RFC 8839 §5.1).
     *
     * @param relatedAddress the {@code raddr}, or empty
     * @param relatedPort    the {@code rport}, or -1
     * @param extensions     the remaining name/value pairs as written ({@code generation 0 network-id 1}), or empty
     */
    record Candidate(String foundation, int component, String transport, long priority, String address, int port,
            String type, String relatedAddress, int relatedPort, String extensions) implements SdpAttribute {

        /** A UDP host candidate for component 1 (RTP, rtcp-mux), as an ICE-lite agent announces it. */
        public static Candidate udpHost(String foundation, long priority, String address, int port) {
            return new Candidate(foundation, 1, "udp", priority, address, port, "host", "", -1, "");
        }

        @Override
        public String attributeName() {
            return "candidate";
        }

        @Override
        public String formatValue() {
            StringBuilder sb = new StringBuilder(96);
            sb.append(foundation).append(' ').append(component).append(' ').append(transport).append(' ')
                    .append(priority).append(' ').append(address).append(' ').append(port).append(" typ ")
                    .append(type);
            if (!relatedAddress.isEmpty()) {
                sb.append(" raddr ").append(relatedAddress);
            }
            if (relatedPort >= 0) {
                sb.append(" rport ").append(relatedPort);
            }
            if (!extensions.isEmpty()) {
                sb.append(' ').append(extensions);
            }
            return sb.toString();
        }
    }

    /**
     * {@code a=fingerprint:<hash-func> <hex>:<hex>...} (RFC 8122 §5): the digest of the DTLS certificate.
     * The bytes are copied in and out, so the record stays immutable.
     */
    record Fingerprint(String hashFunction, byte[] bytes) implements SdpAttribute {
        public Fingerprint {
            bytes = bytes.clone();
        }

        /**
         * Reads {@code "sha-256 AB:CD:..."}, the form a transport reports its certificate fingerprint in.
         * Empty when the text is not a hash function name and colon-separated hex bytes.
         */
        public static Optional<Fingerprint> parse(String text) {
            try {
                return Optional.of(SdpFieldParser.fingerprint(text.strip()));
            } catch (SdpSyntaxException e) {
                return Optional.empty();
            }
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The hash function name in lower case ({@code sha-256}); RFC 8122 §5 compares it ignoring case. */
        public String algorithm() {
            return hashFunction.toLowerCase(Locale.ROOT);
        }

        /** The digest length the hash function produces, or -1 for a function Junction does not know. */
        public static int digestLength(String algorithm) {
            return switch (algorithm.toLowerCase(Locale.ROOT)) {
                case "sha-1" -> 20;
                case "sha-224" -> 28;
                case "sha-256" -> 32;
                case "sha-384" -> 48;
                case "sha-512" -> 64;
                case "md5", "md2" -> 16;
                default -> -1;
            };
        }

        /** The bytes as upper-case hex pairs joined by {@code ':'}. */
        public String hex() {
            StringBuilder sb = new StringBuilder(bytes.length * 3);
            for (int i = 0; i < bytes.length; i++) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(Character.toUpperCase(Character.forDigit((bytes[i] >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(bytes[i] & 0xF, 16)));
            }
            return sb.toString();
        }

        @Override
        public String attributeName() {
            return "fingerprint";
        }

        @Override
        public String formatValue() {
            return hashFunction + ' ' + hex();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fingerprint f && hashFunction.equals(f.hashFunction) && Arrays.equals(bytes, f.bytes);
        }

        @Override
        public int hashCode() {
            return hashFunction.hashCode() * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Fingerprint[" + formatValue() + "]";
        }
    }

    /** {@code a=ice-ufrag:<ufrag>} (RFC 8839 §5.4); validated by whoever uses it. */
    record IceUfrag(String value) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "ice-ufrag";
        }

        @Override
        public String formatValue() {
            return value;
        }
    }

    /** {@code a=ice-pwd:<password>} (RFC 8839 §5.4); validated by whoever uses it. */
    record IcePwd(String value) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "ice-pwd";
        }

        @Override
        public String formatValue() {
            return value;
        }
    }

    /** {@code a=ice-options:<option> ...} (RFC 8839 §5.6), e.g. {@code trickle}. */
    record IceOptions(List<String> options) implements SdpAttribute {
        public IceOptions {
            options = List.copyOf(options);
        }

        @Override
        public String attributeName() {
            return "ice-options";
        }

        @Override
        public String formatValue() {
            return String.join(" ", options);
        }
    }

    /** {@code a=sctp-port:<port>} (RFC 8841 §5). */
    record SctpPort(int port) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "sctp-port";
        }

        @Override
        public String formatValue() {
            return Integer.toString(port);
        }
    }

    /** {@code a=max-message-size:<bytes>} (RFC 8841 §6). */
    record MaxMessageSize(long bytes) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "max-message-size";
        }

        @Override
        public String formatValue() {
            return Long.toString(bytes);
        }
    }

    /**
     * {@code a=sctpmap:<number> <app>[ <streams>]}, the pre-RFC 8841 data channel form (draft-ietf-mmusic-sctp-sdp-05).
     *
     * @param streams the stream count, or 0 when absent
     */
    record Sctpmap(int number, String app, int streams) implements SdpAttribute {
        @Override
        public String attributeName() {
            return "sctpmap";
        }

        @Override
        public String formatValue() {
            return streams == 0 ? number + " " + app : number + " " + app + ' ' + streams;
        }
    }

    /** {@code a=sendrecv}, {@code a=sendonly}, {@code a=recvonly}, {@code a=inactive} (RFC 8866 §6.7), from the writer's view. */
    enum Direction implements SdpAttribute {
        SENDRECV("sendrecv", true, true),
        SENDONLY("sendonly", true, false),
        RECVONLY("recvonly", false, true),
        INACTIVE("inactive", false, false);

        private final String token;
        private final boolean sends;
        private final boolean receives;

        Direction(String token, boolean sends, boolean receives) {
            this.token = token;
            this.sends = sends;
            this.receives = receives;
        }

        public String token() {
            return token;
        }

        /** Whether the side that wrote this direction sends media. */
        public boolean sends() {
            return sends;
        }

        /** Whether the side that wrote this direction receives media. */
        public boolean receives() {
            return receives;
        }

        /** The same flow seen from the other side: sendonly and recvonly swap (RFC 3264 §6.1). */
        public Direction reverse() {
            return of(receives, sends);
        }

        /** The direction that sends iff {@code send} and receives iff {@code receive}. */
        public static Direction of(boolean send, boolean receive) {
            if (send) {
                return receive ? SENDRECV : SENDONLY;
            }
            return receive ? RECVONLY : INACTIVE;
        }

        /** Narrows this direction to what {@code limit} allows in both senses. */
        public Direction intersect(Direction limit) {
            return of(sends && limit.sends, receives && limit.receives);
        }

        @Override
        public String attributeName() {
            return token;
        }

        @Override
        public String formatValue() {
            return "";
        }

        static Direction parse(String token) {
            return switch (token) {
                case "sendrecv" -> SENDRECV;
                case "sendonly" -> SENDONLY;
                case "recvonly" -> RECVONLY;
                case "inactive" -> INACTIVE;
                default -> null;
            };
        }
    }

    /** {@code a=setup:<role>} (RFC 4145 §4, RFC 5763 §5): which side opens the DTLS connection. */
    enum SetupRole implements SdpAttribute {
        ACTIVE("active"),
        PASSIVE("passive"),
        ACTPASS("actpass"),
        HOLDCONN("holdconn");

        private final String token;

        SetupRole(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        @Override
        public String attributeName() {
            return "setup";
        }

        @Override
        public String formatValue() {
            return token;
        }

        static SetupRole parse(String token) {
            return switch (token) {
                case "active" -> ACTIVE;
                case "passive" -> PASSIVE;
                case "actpass" -> ACTPASS;
                case "holdconn" -> HOLDCONN;
                default -> null;
            };
        }
    }

    /** Property attributes: present or absent, no value. */
    enum Flag implements SdpAttribute {
        /** RTP and RTCP share one port (RFC 5761 §5.1.3); BUNDLE requires it (RFC 8843 §9.3). */
        RTCP_MUX("rtcp-mux"),
        /** RFC 8858: the offerer will not fall back to separate RTCP ports. */
        RTCP_MUX_ONLY("rtcp-mux-only"),
        /** Reduced-size RTCP is accepted (RFC 5506 §5). */
        RTCP_RSIZE("rtcp-rsize"),
        /** The agent is an ICE-lite implementation (RFC 8839 §5.3); session level only. */
        ICE_LITE("ice-lite"),
        /** Use this m-section only if it ends up bundled (RFC 8843 §6); port 0 then does not mean rejected. */
        BUNDLE_ONLY("bundle-only"),
        /** No more candidates will follow (RFC 8840 §8.2). */
        END_OF_CANDIDATES("end-of-candidates"),
        /** One- and two-byte header extensions may be mixed in a stream (RFC 8285 §6). */
        EXTMAP_ALLOW_MIXED("extmap-allow-mixed");

        private final String token;

        Flag(String token) {
            this.token = token;
        }

        @Override
        public String attributeName() {
            return token;
        }

        @Override
        public String formatValue() {
            return "";
        }

        static Flag parse(String token) {
            for (Flag f : values()) {
                if (f.token.equals(token)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Any other attribute, kept as written; {@code value} is empty for {@code a=name} without a colon. */
    record Other(String attributeName, String value) implements SdpAttribute {
        @Override
        public String formatValue() {
            return value;
        }
    }
}
