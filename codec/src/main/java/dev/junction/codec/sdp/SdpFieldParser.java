package dev.junction.codec.sdp;

import static dev.junction.codec.sdp.SdpTokens.parsePayloadType;
import static dev.junction.codec.sdp.SdpTokens.parseUnsigned;
import static dev.junction.codec.sdp.SdpTokens.quote;
import static dev.junction.codec.sdp.SdpTokens.rest;
import static dev.junction.codec.sdp.SdpTokens.split;

import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.SimulcastFormat;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Turns one line's value into its {@link SdpField}. Throws {@link SdpSyntaxException} with a one-line reason
 * (without the line number, which {@link SdpParser} adds) when a line Junction interprets is malformed.
 * Stateless; any thread.
 */
final class SdpFieldParser {
    static final long MAX_SSRC = 0xFFFF_FFFFL;
    /** More SSRCs than any grouping semantics uses (FID 2, SIM 3, FEC-FR 2); bounds the work per line. */
    static final int MAX_GROUP_SSRCS = 16;
    /** RFC 8851 §10 leaves rid-id length open; one-byte header extensions carry at most 16 bytes. */
    static final int MAX_RID_LENGTH = 64;
    /** Non-RTP m= lines (data channels) list one or two formats; this bounds pathological ones. */
    static final int MAX_NON_RTP_FORMATS = 64;

    private SdpFieldParser() {
    }

    static SdpField parse(char type, String value) {
        return switch (type) {
            case 'o' -> origin(value);
            case 'c' -> connection(value);
            case 'm' -> media(value);
            case 'a' -> attribute(value);
            default -> new SdpField.Opaque(type, value);
        };
    }

    static SdpField.Origin origin(String value) {
        List<String> t = split(value);
        if (t.size() != 6) {
            throw new SdpSyntaxException("o= needs 6 fields (<username> <sess-id> <sess-version> <nettype> "
                    + "<addrtype> <unicast-address>), found " + t.size());
        }
        requireDigits("o= sess-id", t.get(1));
        requireDigits("o= sess-version", t.get(2));
        return new SdpField.Origin(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), t.get(5));
    }

    static SdpField.Connection connection(String value) {
        List<String> t = split(value);
        if (t.size() != 3) {
            throw new SdpSyntaxException("c= needs 3 fields (<nettype> <addrtype> <connection-address>), found "
                    + t.size());
        }
        return new SdpField.Connection(t.get(0), t.get(1), t.get(2));
    }

    static SdpField.MediaLine media(String value) {
        List<String> t = split(value);
        if (t.size() < 4) {
            throw new SdpSyntaxException("m= needs <media> <port> <proto> and at least one <fmt>, found "
                    + t.size() + " fields");
        }
        String portField = t.get(1);
        int slash = portField.indexOf('/');
        long port = parseUnsigned(slash < 0 ? portField : portField.substring(0, slash), 65535);
        long count = slash < 0 ? 1 : parseUnsigned(portField.substring(slash + 1), 65535);
        if (port < 0 || count < 1) {
            throw new SdpSyntaxException("m= port " + quote(portField) + " is not <port>[/<count>] in 0-65535");
        }
        String proto = t.get(2);
        List<String> formats = t.subList(3, t.size());
        if (SdpField.MediaLine.isRtpProtocol(proto)) {
            boolean[] seen = new boolean[128];
            for (String f : formats) {
                int pt = parsePayloadType(f);
                if (pt < 0) {
                    throw new SdpSyntaxException("m= payload type " + quote(f) + " is not a number in 0-127");
                }
                if (seen[pt]) {
                    throw new SdpSyntaxException("m= lists payload type " + pt + " twice");
                }
                seen[pt] = true;
            }
        } else if (formats.size() > MAX_NON_RTP_FORMATS) {
            throw new SdpSyntaxException("m= lists " + formats.size() + " formats, more than " + MAX_NON_RTP_FORMATS);
        }
        return new SdpField.MediaLine(t.get(0), (int) port, (int) count, proto, formats);
    }

    static SdpAttribute attribute(String value) {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        if (name.isEmpty()) {
            throw new SdpSyntaxException("a= has no attribute name");
        }
        if (colon < 0) {
            Direction direction = Direction.parse(name);
            if (direction != null) {
                return direction;
            }
            SdpAttribute.Flag flag = SdpAttribute.Flag.parse(name);
            if (flag != null) {
                return flag;
            }
        }
        String v = colon < 0 ? "" : value.substring(colon + 1).strip();
        return switch (name) {
            case "group" -> group(needValue(name, colon, v));
            case "msid-semantic" -> msidSemantic(needValue(name, colon, v));
            case "mid" -> new SdpAttribute.Mid(singleToken(name, needValue(name, colon, v)));
            case "rtpmap" -> rtpmap(needValue(name, colon, v));
            case "fmtp" -> fmtp(needValue(name, colon, v));
            case "rtcp-fb" -> rtcpFb(needValue(name, colon, v));
            case "extmap" -> extmap(needValue(name, colon, v));
            case "ssrc" -> ssrc(needValue(name, colon, v));
            case "ssrc-group" -> ssrcGroup(needValue(name, colon, v));
            case "msid" -> msid(needValue(name, colon, v));
            case "rid" -> rid(needValue(name, colon, v));
            case "simulcast" -> simulcast(needValue(name, colon, v));
            case "candidate" -> candidate(needValue(name, colon, v));
            case "fingerprint" -> fingerprint(needValue(name, colon, v));
            case "setup" -> setup(needValue(name, colon, v));
            case "ice-ufrag" -> new SdpAttribute.IceUfrag(singleToken(name, needValue(name, colon, v)));
            case "ice-pwd" -> new SdpAttribute.IcePwd(singleToken(name, needValue(name, colon, v)));
            case "ice-options" -> new SdpAttribute.IceOptions(split(needValue(name, colon, v)));
            case "sctp-port" -> new SdpAttribute.SctpPort((int) number(name, needValue(name, colon, v), 65535));
            case "max-message-size" ->
                    new SdpAttribute.MaxMessageSize(number(name, needValue(name, colon, v), Long.MAX_VALUE / 2));
            case "sctpmap" -> sctpmap(needValue(name, colon, v));
            default -> new SdpAttribute.Other(name, colon < 0 ? "" : value.substring(colon + 1));
        };
    }

    private static String needValue(String name, int colon, String v) {
        if (colon < 0 || v.isEmpty()) {
            throw new SdpSyntaxException("a=" + name + " needs a value");
        }
        return v;
    }

    private static String singleToken(String name, String v) {
        for (int i = 0; i < v.length(); i++) {
            if (SdpTokens.isBlank(v.charAt(i))) {
                throw new SdpSyntaxException("a=" + name + " value " + quote(v) + " contains a space");
            }
        }
        return v;
    }

    private static long number(String name, String v, long max) {
        long n = parseUnsigned(v, max);
        if (n < 0) {
            throw new SdpSyntaxException("a=" + name + " value " + quote(v) + " is not a number in 0-" + max);
        }
        return n;
    }

    private static void requireDigits(String what, String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                throw new SdpSyntaxException(what + " " + quote(v) + " is not a number");
            }
        }
    }

    private static SdpAttribute.Group group(String v) {
        List<String> t = split(v);
        return new SdpAttribute.Group(t.get(0), t.subList(1, t.size()));
    }

    private static SdpAttribute.MsidSemantic msidSemantic(String v) {
        List<String> t = split(v);
        return new SdpAttribute.MsidSemantic(t.get(0), t.subList(1, t.size()));
    }

    private static SdpAttribute.Rtpmap rtpmap(String v) {
        List<String> t = split(v);
        if (t.size() != 2) {
            throw new SdpSyntaxException("a=rtpmap needs <payload type> <encoding name>/<clock rate>[/<channels>]");
        }
        int pt = parsePayloadType(t.get(0));
        if (pt < 0) {
            throw new SdpSyntaxException("a=rtpmap payload type " + quote(t.get(0)) + " is not a number in 0-127");
        }
        String[] enc = t.get(1).split("/", -1);
        if (enc.length < 2 || enc.length > 3 || enc[0].isEmpty()) {
            throw new SdpSyntaxException("a=rtpmap:" + pt + " encoding " + quote(t.get(1))
                    + " is not <name>/<clock rate>[/<channels>]");
        }
        long clock = parseUnsigned(enc[1], Integer.MAX_VALUE);
        if (clock < 1) {
            throw new SdpSyntaxException("a=rtpmap:" + pt + " clock rate " + quote(enc[1]) + " is not a positive number");
        }
        long channels = enc.length == 3 ? parseUnsigned(enc[2], 255) : 0;
        if (enc.length == 3 && channels < 1) {
            throw new SdpSyntaxException("a=rtpmap:" + pt + " channels " + quote(enc[2]) + " is not a number in 1-255");
        }
        return new SdpAttribute.Rtpmap(pt, enc[0], (int) clock, (int) channels);
    }

    private static SdpAttribute.Fmtp fmtp(String v) {
        int space = indexOfBlank(v);
        String format = space < 0 ? v : v.substring(0, space);
        String params = space < 0 ? "" : v.substring(space + 1).strip();
        return new SdpAttribute.Fmtp(format, params);
    }

    private static SdpAttribute.RtcpFb rtcpFb(String v) {
        List<String> t = split(v);
        if (t.size() < 2) {
            throw new SdpSyntaxException("a=rtcp-fb needs <payload type|*> <type>");
        }
        if (!"*".equals(t.get(0)) && parsePayloadType(t.get(0)) < 0) {
            throw new SdpSyntaxException("a=rtcp-fb payload type " + quote(t.get(0)) + " is not * or a number in 0-127");
        }
        return new SdpAttribute.RtcpFb(t.get(0), t.get(1), rest(t, 2));
    }

    private static SdpAttribute.Extmap extmap(String v) {
        List<String> t = split(v);
        if (t.size() < 2) {
            throw new SdpSyntaxException("a=extmap needs <id>[/<direction>] <URI>");
        }
        String idField = t.get(0);
        int slash = idField.indexOf('/');
        long id = parseUnsigned(slash < 0 ? idField : idField.substring(0, slash), 255);
        if (id < 1) {
            throw new SdpSyntaxException("a=extmap id " + quote(idField) + " is not a number in 1-255 (RFC 8285 §5)");
        }
        Optional<Direction> direction = Optional.empty();
        if (slash >= 0) {
            Direction d = Direction.parse(idField.substring(slash + 1));
            if (d == null) {
                throw new SdpSyntaxException("a=extmap:" + id + " direction " + quote(idField.substring(slash + 1))
                        + " is not sendrecv, sendonly, recvonly or inactive");
            }
            direction = Optional.of(d);
        }
        return new SdpAttribute.Extmap((int) id, direction, t.get(1), rest(t, 2));
    }

    private static SdpAttribute.Ssrc ssrc(String v) {
        int space = indexOfBlank(v);
        String idText = space < 0 ? v : v.substring(0, space);
        long ssrc = ssrcNumber("a=ssrc", idText);
        String attr = space < 0 ? "" : v.substring(space + 1).strip();
        if (attr.isEmpty()) {
            throw new SdpSyntaxException("a=ssrc:" + ssrc + " has no <attribute>[:<value>] (RFC 5576 §4.1)");
        }
        int colon = attr.indexOf(':');
        return colon < 0
                ? new SdpAttribute.Ssrc(ssrc, attr, "")
                : new SdpAttribute.Ssrc(ssrc, attr.substring(0, colon), attr.substring(colon + 1));
    }

    private static SdpAttribute.SsrcGroup ssrcGroup(String v) {
        List<String> t = split(v);
        if (t.size() - 1 > MAX_GROUP_SSRCS) {
            throw new SdpSyntaxException("a=ssrc-group lists " + (t.size() - 1) + " SSRCs, more than " + MAX_GROUP_SSRCS);
        }
        List<Long> ssrcs = new ArrayList<>(t.size() - 1);
        for (int i = 1; i < t.size(); i++) {
            ssrcs.add(ssrcNumber("a=ssrc-group", t.get(i)));
        }
        return new SdpAttribute.SsrcGroup(t.get(0), ssrcs);
    }

    private static long ssrcNumber(String what, String text) {
        long ssrc = parseUnsigned(text, MAX_SSRC);
        if (ssrc < 0) {
            throw new SdpSyntaxException(what + " SSRC " + quote(text) + " is not a number in 0-4294967295");
        }
        return ssrc;
    }

    private static SdpAttribute.Msid msid(String v) {
        List<String> t = split(v);
        if (t.size() > 2) {
            throw new SdpSyntaxException("a=msid has " + t.size() + " fields, expected <stream id> [<track id>]");
        }
        return new SdpAttribute.Msid(t.get(0), t.size() == 2 ? t.get(1) : "");
    }

    private static SdpAttribute.Rid rid(String v) {
        List<String> t = split(v);
        if (t.size() < 2) {
            throw new SdpSyntaxException("a=rid needs <rid-id> <send|recv>");
        }
        String id = ridId("a=rid", t.get(0));
        SdpAttribute.RidDirection direction = switch (t.get(1)) {
            case "send" -> SdpAttribute.RidDirection.SEND;
            case "recv" -> SdpAttribute.RidDirection.RECV;
            default -> throw new SdpSyntaxException("a=rid:" + id + " direction " + quote(t.get(1)) + " is not send or recv");
        };
        return new SdpAttribute.Rid(id, direction, rest(t, 2));
    }

    /** RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"). */
    private static String ridId(String what, String id) {
        if (id.isEmpty() || id.length() > MAX_RID_LENGTH) {
            throw new SdpSyntaxException(what + " rid " + quote(id) + " must be 1-" + MAX_RID_LENGTH + " characters");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw new SdpSyntaxException(what + " rid " + quote(id) + " has a character other than A-Z a-z 0-9 - _");
            }
        }
        return id;
    }

    private static SdpAttribute.Simulcast simulcast(String v) {
        List<String> t = split(v);
        if (t.size() != 2 && t.size() != 4) {
            throw new SdpSyntaxException("a=simulcast needs <send|recv> <streams> [<recv|send> <streams>] (RFC 8853 §5.1)");
        }
        List<List<SimulcastFormat>> send = List.of();
        List<List<SimulcastFormat>> recv = List.of();
        for (int i = 0; i < t.size(); i += 2) {
            List<List<SimulcastFormat>> streams = simulcastStreams(t.get(i + 1));
            switch (t.get(i)) {
                case "send" -> {
                    if (!send.isEmpty()) {
                        throw new SdpSyntaxException("a=simulcast has two send lists");
                    }
                    send = streams;
                }
                case "recv" -> {
                    if (!recv.isEmpty()) {
                        throw new SdpSyntaxException("a=simulcast has two recv lists");
                    }
                    recv = streams;
                }
                default -> throw new SdpSyntaxException("a=simulcast direction " + quote(t.get(i)) + " is not send or recv");
            }
        }
        return new SdpAttribute.Simulcast(send, recv);
    }

    private static List<List<SimulcastFormat>> simulcastStreams(String list) {
        List<List<SimulcastFormat>> streams = new ArrayList<>();
        for (String stream : list.split(";", -1)) {
            List<SimulcastFormat> alternatives = new ArrayList<>();
            for (String alt : stream.split(",", -1)) {
                boolean paused = alt.startsWith("~");
                alternatives.add(new SimulcastFormat(ridId("a=simulcast", paused ? alt.substring(1) : alt), paused));
            }
            streams.add(alternatives);
        }
        return streams;
    }

    private static SdpAttribute.Candidate candidate(String v) {
        List<String> t = split(v);
        if (t.size() < 8 || !"typ".equals(t.get(6))) {
            throw new SdpSyntaxException("a=candidate needs <foundation> <component> <transport> <priority> "
                    + "<address> <port> typ <type> (RFC 8839 §5.1)");
        }
        long component = parseUnsigned(t.get(1), 256);
        if (component < 1) {
            throw new SdpSyntaxException("a=candidate component " + quote(t.get(1)) + " is not a number in 1-256");
        }
        long priority = parseUnsigned(t.get(3), 0xFFFF_FFFFL);
        if (priority < 0) {
            throw new SdpSyntaxException("a=candidate priority " + quote(t.get(3)) + " is not a number in 0-4294967295");
        }
        long port = parseUnsigned(t.get(5), 65535);
        if (port < 0) {
            throw new SdpSyntaxException("a=candidate port " + quote(t.get(5)) + " is not a number in 0-65535");
        }
        String relatedAddress = "";
        long relatedPort = -1;
        List<String> extensions = new ArrayList<>();
        int i = 8;
        while (i < t.size()) {
            String key = t.get(i);
            if (i + 1 < t.size() && "raddr".equals(key) && relatedAddress.isEmpty()) {
                relatedAddress = t.get(i + 1);
                i += 2;
            } else if (i + 1 < t.size() && "rport".equals(key) && relatedPort < 0) {
                relatedPort = parseUnsigned(t.get(i + 1), 65535);
                if (relatedPort < 0) {
                    throw new SdpSyntaxException("a=candidate rport " + quote(t.get(i + 1)) + " is not a number in 0-65535");
                }
                i += 2;
            } else {
                extensions.add(key);
                i++;
            }
        }
        return new SdpAttribute.Candidate(t.get(0), (int) component, t.get(2), priority, t.get(4), (int) port,
                t.get(7), relatedAddress, (int) relatedPort, String.join(" ", extensions));
    }

    static SdpAttribute.Fingerprint fingerprint(String v) {
        List<String> t = split(v);
        if (t.size() != 2) {
            throw new SdpSyntaxException("a=fingerprint needs <hash-func> <hex>:<hex>... (RFC 8122 §5)");
        }
        String hex = t.get(1);
        // Pairs of hex digits joined by ':': 3n-1 characters for n bytes.
        if ((hex.length() + 1) % 3 != 0 || hex.length() > 64 * 3 - 1) {
            throw new SdpSyntaxException("a=fingerprint value " + quote(hex) + " is not 1-64 colon-separated hex bytes");
        }
        byte[] bytes = new byte[(hex.length() + 1) / 3];
        for (int i = 0; i < bytes.length; i++) {
            int at = i * 3;
            if ((at + 2 < hex.length() && hex.charAt(at + 2) != ':') || !HexFormat.isHexDigit(hex.charAt(at))
                    || !HexFormat.isHexDigit(hex.charAt(at + 1))) {
                throw new SdpSyntaxException("a=fingerprint value " + quote(hex) + " is not 1-64 colon-separated hex bytes");
            }
            bytes[i] = (byte) ((HexFormat.fromHexDigit(hex.charAt(at)) << 4) | HexFormat.fromHexDigit(hex.charAt(at + 1)));
        }
        return new SdpAttribute.Fingerprint(t.get(0), bytes);
    }

    private static SdpAttribute.SetupRole setup(String v) {
        SdpAttribute.SetupRole role = SdpAttribute.SetupRole.parse(v);
        if (role == null) {
            throw new SdpSyntaxException("a=setup value " + quote(v) + " is not active, passive, actpass or holdconn");
        }
        return role;
    }

    private static SdpAttribute.Sctpmap sctpmap(String v) {
        List<String> t = split(v);
        if (t.size() < 2 || t.size() > 3) {
            throw new SdpSyntaxException("a=sctpmap needs <number> <app> [<streams>]");
        }
        long number = parseUnsigned(t.get(0), 65535);
        long streams = t.size() == 3 ? parseUnsigned(t.get(2), 65535) : 0;
        if (number < 0 || streams < 0) {
            throw new SdpSyntaxException("a=sctpmap numbers must be in 0-65535");
        }
        return new SdpAttribute.Sctpmap((int) number, t.get(1), (int) streams);
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (SdpTokens.isBlank(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
