package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpLine;
import dev.junction.codec.sdp.SdpTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One ICE candidate: the value of an {@code a=candidate} attribute (RFC 8839 §5.1), with the {@code tcptype} of
 * TCP candidates (RFC 6544 §4.5).
 *
 * <pre>
 *   &lt;foundation&gt; &lt;component-id&gt; &lt;transport&gt; &lt;priority&gt; &lt;connection-address&gt; &lt;port&gt;
 *       typ &lt;cand-type&gt; [raddr &lt;connection-address&gt;] [rport &lt;port&gt;] [tcptype active|passive|so]
 *       *(&lt;extension-name&gt; &lt;extension-value&gt;)
 *
 *   1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1
 *   |          | |   |          |         |         |    '-- extension pairs, kept in order
 *   |          | |   |          |         |         '------- host, srflx, prflx or relay
 *   |          | |   |          |         '----------------- port 0-65535
 *   |          | |   |          '--------------------------- IPv4, IPv6, or a host name such as an mDNS .local
 *   |          | |   '-------------------------------------- priority 0-2^32-1 (RFC 8445 §5.1.2.1)
 *   |          | '------------------------------------------ UDP or TCP, any case (Firefox writes UDP)
 *   |          '-------------------------------------------- component-id 1-256 (1 = RTP; rtcp-mux needs no 2)
 *   '------------------------------------------------------- foundation, 1-32 ice-chars
 * </pre>
 *
 * <p>{@link #parse} is strict about every field and never throws: input it refuses gets a one-line reason for an
 * HTTP 400 body. ABNF literals are case-insensitive (RFC 5234 §2.3), so {@code typ}, the candidate type,
 * {@code raddr}, {@code rport} and {@code tcptype} are accepted in any case. {@link #write} produces the canonical
 * form: lower-case transport and keywords, then {@code raddr}, {@code rport}, {@code tcptype} and the extensions
 * in order; {@code parse(write())} returns an equal record. The address is kept as written.
 *
 * <p>Immutable value; any thread. The constructor throws {@link IllegalArgumentException} for values
 * {@link #parse} would refuse, which is a caller bug.
 *
 * @param foundation     1-32 ice-chars; equal for candidates of the same type, base and server (RFC 8445 §5.1.1.3)
 * @param componentId    1-256; 1 is RTP, 2 RTCP without rtcp-mux
 * @param transport      UDP or TCP
 * @param priority       0 to 2^32-1, see {@link #priority(int, int, int)}
 * @param address        the connection address as written: IPv4, IPv6, or a host name (see {@link #addressKind()})
 * @param port           0-65535; TCP active candidates use 9, the discard port (RFC 6544 §4.5)
 * @param type           host, srflx, prflx or relay
 * @param relatedAddress {@code raddr}: the base of a reflexive candidate, the mapped address of a relayed one
 * @param relatedPort    {@code rport}, 0-65535
 * @param tcpType        {@code tcptype}, TCP candidates only
 * @param extensions     the remaining name/value pairs in order, at most {@value #MAX_EXTENSIONS}
 */
public record IceCandidate(String foundation, int componentId, Transport transport, long priority, String address,
        int port, Type type, Optional<String> relatedAddress, OptionalInt relatedPort, Optional<TcpType> tcpType,
        List<Extension> extensions) {

    /** Priorities are at most 10 digits (RFC 8839 §5.1) and travel as 32 bits in STUN's PRIORITY attribute. */
    public static final long MAX_PRIORITY = 0xFFFF_FFFFL;
    /** Longest value accepted, in chars; a browser's longest candidate (mDNS name, four extensions) is about 200. */
    public static final int MAX_LENGTH = 2048;
    /** Most extension pairs; Chromium writes four ({@code generation ufrag network-id network-cost}). */
    public static final int MAX_EXTENSIONS = 16;

    /** RFC 8839 §5.1: {@code transport = "UDP" / transport-extension}; RFC 6544 adds TCP. */
    public enum Transport {
        UDP("udp"),
        TCP("tcp");

        private final String token;

        Transport(String token) {
            this.token = token;
        }

        /** The lower-case token the writer uses, as Chromium and Junction's answers do. */
        public String token() {
            return token;
        }

        static Transport parse(String text) {
            for (Transport t : values()) {
                if (t.token.equalsIgnoreCase(text)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** RFC 8839 §5.1 candidate types, with the type preferences RFC 8445 §5.1.2.2 recommends. */
    public enum Type {
        HOST("host", 126),
        PEER_REFLEXIVE("prflx", 110),
        SERVER_REFLEXIVE("srflx", 100),
        RELAYED("relay", 0);

        private final String token;
        private final int recommendedPreference;

        Type(String token, int recommendedPreference) {
            this.token = token;
            this.recommendedPreference = recommendedPreference;
        }

        public String token() {
            return token;
        }

        /** The type preference RFC 8445 §5.1.2.2 recommends for {@link #priority(int, int, int)}. */
        public int recommendedPreference() {
            return recommendedPreference;
        }

        static Type parse(String text) {
            for (Type t : values()) {
                if (t.token.equalsIgnoreCase(text)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** RFC 6544 §4.5: who opens the TCP connection. */
    public enum TcpType {
        ACTIVE("active"),
        PASSIVE("passive"),
        SIMULTANEOUS_OPEN("so");

        private final String token;

        TcpType(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        static TcpType parse(String text) {
            for (TcpType t : values()) {
                if (t.token.equalsIgnoreCase(text)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** What the connection address is; RFC 8839 §5.1 tells IPv6 by its colon and allows a host name instead. */
    public enum AddressKind {
        IPV4,
        IPV6,
        /** A host name, kept as text and never resolved here; browsers hide local IPs behind mDNS names. */
        FQDN
    }

    /**
     * One {@code <extension-att-name> <extension-att-value>} pair (RFC 8839 §5.1), e.g. Chromium's
     * {@code generation 0}. Neither part may be empty or contain blanks or control characters, and the name may
     * not be one of the keywords this record models ({@code raddr}, {@code rport}, {@code tcptype}).
     */
    public record Extension(String name, String value) {
        public Extension {
            String problem = extensionProblem(name, value);
            if (!problem.isEmpty()) {
                throw new IllegalArgumentException(problem);
            }
        }
    }

    /** The outcome of {@link #parse}: a candidate, or the one reason it was refused. */
    public sealed interface Result permits Parsed, Rejected {
    }

    /** The value was a well-formed candidate. */
    public record Parsed(IceCandidate candidate) implements Result {
    }

    /** The value was refused; {@code reason} is one line, e.g. {@code a=candidate port '70000' is not ...}. */
    public record Rejected(String reason) implements Result {
    }

    public IceCandidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(relatedAddress, "relatedAddress");
        Objects.requireNonNull(relatedPort, "relatedPort");
        Objects.requireNonNull(tcpType, "tcpType");
        extensions = List.copyOf(extensions);
        String problem = foundationProblem(foundation);
        if (problem.isEmpty() && (componentId < 1 || componentId > 256)) {
            problem = "a=candidate component-id " + componentId + " is not in 1-256 (RFC 8445 §5.1.2.1)";
        }
        if (problem.isEmpty() && (priority < 0 || priority > MAX_PRIORITY)) {
            problem = "a=candidate priority " + priority + " is not in 0-" + MAX_PRIORITY;
        }
        if (problem.isEmpty()) {
            problem = addressProblem("address", address);
        }
        if (problem.isEmpty() && (port < 0 || port > 65535)) {
            problem = "a=candidate port " + port + " is not in 0-65535";
        }
        if (problem.isEmpty() && relatedAddress.isPresent()) {
            problem = addressProblem("raddr", relatedAddress.get());
        }
        if (problem.isEmpty() && relatedPort.isPresent() && (relatedPort.getAsInt() < 0 || relatedPort.getAsInt() > 65535)) {
            problem = "a=candidate rport " + relatedPort.getAsInt() + " is not in 0-65535";
        }
        if (problem.isEmpty() && tcpType.isPresent() && transport != Transport.TCP) {
            problem = "a=candidate has a tcptype but is not a TCP candidate (RFC 6544 §4.5)";
        }
        if (problem.isEmpty() && extensions.size() > MAX_EXTENSIONS) {
            problem = "a=candidate has " + extensions.size() + " extension pairs, more than " + MAX_EXTENSIONS;
        }
        if (problem.isEmpty()) {
            int length = write(foundation, componentId, transport, priority, address, port, type, relatedAddress,
                    relatedPort, tcpType, extensions).length();
            if (length > MAX_LENGTH) {
                problem = "a=candidate is " + length + " characters, more than " + MAX_LENGTH;
            }
        }
        if (!problem.isEmpty()) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** A UDP host candidate for component 1 (RTP with rtcp-mux), as an ICE-lite agent announces it. */
    public static IceCandidate udpHost(String foundation, long priority, String address, int port) {
        return new IceCandidate(foundation, 1, Transport.UDP, priority, address, port, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.empty(), List.of());
    }

    /** A passive TCP host candidate for component 1 (RFC 6544 §4.5: the port Junction listens on). */
    public static IceCandidate tcpPassiveHost(String foundation, long priority, String address, int port) {
        return new IceCandidate(foundation, 1, Transport.TCP, priority, address, port, Type.HOST, Optional.empty(),
                OptionalInt.empty(), Optional.of(TcpType.PASSIVE), List.of());
    }

    /**
     * RFC 8445 §5.1.2.1: {@code 2^24 * type preference + 2^8 * local preference + (256 - component ID)}.
     *
     * @param typePreference  0-126, e.g. {@link Type#recommendedPreference()}
     * @param localPreference 0-65535; unique per candidate of one component when an agent has several addresses
     * @param componentId     1-256
     * @throws IllegalArgumentException when an argument is out of its range
     */
    public static long priority(int typePreference, int localPreference, int componentId) {
        if (typePreference < 0 || typePreference > 126) {
            throw new IllegalArgumentException("type preference " + typePreference + " is not in 0-126 (RFC 8445 §5.1.2.1)");
        }
        if (localPreference < 0 || localPreference > 65535) {
            throw new IllegalArgumentException("local preference " + localPreference + " is not in 0-65535 (RFC 8445 §5.1.2.1)");
        }
        if (componentId < 1 || componentId > 256) {
            throw new IllegalArgumentException("component ID " + componentId + " is not in 1-256 (RFC 8445 §5.1.2.1)");
        }
        return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - componentId);
    }

    /** Parses the text after {@code a=candidate:}. Never throws. */
    public static Result parse(String value) {
        if (value.length() > MAX_LENGTH) {
            return reject("a=candidate is " + value.length() + " characters, more than " + MAX_LENGTH);
        }
        int control = IceSyntax.controlCharacter(value);
        if (control >= 0) {
            return reject(String.format("a=candidate has control character 0x%02X at column %d",
                    (int) value.charAt(control), control + 1));
        }
        List<String> t = SdpTokens.split(value);
        if (t.size() < 8) {
            return reject("a=candidate needs <foundation> <component-id> <transport> <priority> <address> <port> "
                    + "typ <type> (RFC 8839 §5.1), found " + t.size() + " fields");
        }
        String problem = foundationProblem(t.get(0));
        if (!problem.isEmpty()) {
            return reject(problem);
        }
        long component = IceSyntax.number(t.get(1), 3, 256);
        if (component < 1) {
            return reject("a=candidate component-id " + SdpTokens.quote(t.get(1))
                    + " is not a number in 1-256 (RFC 8445 §5.1.2.1)");
        }
        Transport transport = Transport.parse(t.get(2));
        if (transport == null) {
            return reject("a=candidate transport " + SdpTokens.quote(t.get(2)) + " is not UDP or TCP (RFC 8839 §5.1, RFC 6544)");
        }
        long priority = IceSyntax.number(t.get(3), 10, MAX_PRIORITY);
        if (priority < 0) {
            return reject("a=candidate priority " + SdpTokens.quote(t.get(3)) + " is not a number in 0-" + MAX_PRIORITY);
        }
        problem = addressProblem("address", t.get(4));
        if (!problem.isEmpty()) {
            return reject(problem);
        }
        long port = IceSyntax.number(t.get(5), 5, 65535);
        if (port < 0) {
            return reject("a=candidate port " + SdpTokens.quote(t.get(5)) + " is not a number in 0-65535");
        }
        if (!"typ".equalsIgnoreCase(t.get(6))) {
            return reject("a=candidate has " + SdpTokens.quote(t.get(6)) + " where 'typ' belongs (RFC 8839 §5.1)");
        }
        Type type = Type.parse(t.get(7));
        if (type == null) {
            return reject("a=candidate type " + SdpTokens.quote(t.get(7)) + " is not host, srflx, prflx or relay (RFC 8839 §5.1)");
        }
        return parseTail(t, t.get(0), (int) component, transport, priority, t.get(4), (int) port, type);
    }

    /** The name/value pairs after the type: {@code raddr}, {@code rport}, {@code tcptype} once each, then extensions. */
    private static Result parseTail(List<String> t, String foundation, int component, Transport transport, long priority,
            String address, int port, Type type) {
        if ((t.size() - 8) % 2 != 0) {
            return reject("a=candidate extension " + SdpTokens.quote(t.get(t.size() - 1))
                    + " has no value; extensions are name/value pairs (RFC 8839 §5.1)");
        }
        Optional<String> relatedAddress = Optional.empty();
        OptionalInt relatedPort = OptionalInt.empty();
        Optional<TcpType> tcpType = Optional.empty();
        List<Extension> extensions = new ArrayList<>();
        for (int i = 8; i < t.size(); i += 2) {
            String name = t.get(i);
            String value = t.get(i + 1);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "raddr" -> {
                    String problem = relatedAddress.isPresent() ? "a=candidate has a second raddr"
                            : addressProblem("raddr", value);
                    if (!problem.isEmpty()) {
                        return reject(problem);
                    }
                    relatedAddress = Optional.of(value);
                }
                case "rport" -> {
                    long rport = IceSyntax.number(value, 5, 65535);
                    if (relatedPort.isPresent()) {
                        return reject("a=candidate has a second rport");
                    }
                    if (rport < 0) {
                        return reject("a=candidate rport " + SdpTokens.quote(value) + " is not a number in 0-65535");
                    }
                    relatedPort = OptionalInt.of((int) rport);
                }
                case "tcptype" -> {
                    TcpType parsed = TcpType.parse(value);
                    if (tcpType.isPresent()) {
                        return reject("a=candidate has a second tcptype");
                    }
                    if (parsed == null) {
                        return reject("a=candidate tcptype " + SdpTokens.quote(value)
                                + " is not active, passive or so (RFC 6544 §4.5)");
                    }
                    if (transport != Transport.TCP) {
                        return reject("a=candidate has a tcptype but is not a TCP candidate (RFC 6544 §4.5)");
                    }
                    tcpType = Optional.of(parsed);
                }
                default -> {
                    if (extensions.size() == MAX_EXTENSIONS) {
                        return reject("a=candidate has more than " + MAX_EXTENSIONS + " extension pairs");
                    }
                    extensions.add(new Extension(name, value));
                }
            }
        }
        return new Parsed(new IceCandidate(foundation, component, transport, priority, address, port, type,
                relatedAddress, relatedPort, tcpType, extensions));
    }

    /** The attribute value in canonical form, without {@code a=candidate:}. */
    public String write() {
        return write(foundation, componentId, transport, priority, address, port, type, relatedAddress, relatedPort,
                tcpType, extensions);
    }

    /** The typed view the SDP model keeps for an {@code a=candidate} line; extensions start with the tcptype. */
    public SdpAttribute.Candidate toSdpAttribute() {
        StringBuilder rest = new StringBuilder();
        tcpType.ifPresent(t -> rest.append("tcptype ").append(t.token()));
        for (Extension e : extensions) {
            if (!rest.isEmpty()) {
                rest.append(' ');
            }
            rest.append(e.name()).append(' ').append(e.value());
        }
        return new SdpAttribute.Candidate(foundation, componentId, transport.token(), priority, address, port,
                type.token(), relatedAddress.orElse(""), relatedPort.orElse(-1), rest.toString());
    }

    /** The {@code a=candidate:...} line: text from {@link #write()}, typed as {@link #toSdpAttribute()}. */
    public SdpLine toSdpLine() {
        return new SdpLine('a', "candidate:" + write(), toSdpAttribute());
    }

    /** Whether the address is an IPv4 address, an IPv6 address or a host name. */
    public AddressKind addressKind() {
        return IceSyntax.addressKind(address);
    }

    /**
     * Whether the address is a multicast DNS name (RFC 6762 §3, {@code .local}), which browsers put in place of
     * a private IP; resolving it needs mDNS on the client's link, so a server normally cannot.
     */
    public boolean isMdns() {
        return addressKind() == AddressKind.FQDN && address.regionMatches(true, address.length() - 6, ".local", 0, 6);
    }

    @Override
    public String toString() {
        return "candidate:" + write();
    }

    private static String write(String foundation, int componentId, Transport transport, long priority, String address,
            int port, Type type, Optional<String> relatedAddress, OptionalInt relatedPort, Optional<TcpType> tcpType,
            List<Extension> extensions) {
        StringBuilder sb = new StringBuilder(96);
        sb.append(foundation).append(' ').append(componentId).append(' ').append(transport.token()).append(' ')
                .append(priority).append(' ').append(address).append(' ').append(port).append(" typ ")
                .append(type.token());
        relatedAddress.ifPresent(a -> sb.append(" raddr ").append(a));
        relatedPort.ifPresent(p -> sb.append(" rport ").append(p));
        tcpType.ifPresent(t -> sb.append(" tcptype ").append(t.token()));
        for (Extension e : extensions) {
            sb.append(' ').append(e.name()).append(' ').append(e.value());
        }
        return sb.toString();
    }

    private static String foundationProblem(String foundation) {
        return IceSyntax.isIceChars(foundation, 1, 32) ? ""
                : "a=candidate foundation " + SdpTokens.quote(foundation)
                        + " is not 1-32 ice-chars A-Z a-z 0-9 + / (RFC 8839 §5.1)";
    }

    private static String addressProblem(String what, String address) {
        return IceSyntax.addressKind(address) != null ? ""
                : "a=candidate " + what + " " + SdpTokens.quote(address)
                        + " is not an IPv4 address, an IPv6 address or a host name (RFC 8839 §5.1)";
    }

    private static String extensionProblem(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || value.isEmpty()) {
            return "a=candidate extension name and value must not be empty";
        }
        if (hasBlankOrControl(name) || hasBlankOrControl(value)) {
            return "a=candidate extension " + SdpTokens.quote(name) + " has a blank or control character";
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "raddr", "rport", "tcptype" -> "a=candidate extension name " + SdpTokens.quote(name)
                    + " is a keyword of the candidate itself";
            default -> "";
        };
    }

    private static boolean hasBlankOrControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    private static Result reject(String reason) {
        return new Rejected(reason);
    }
}
