package dev.junction.codec.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the two routing fields of a TLS ClientHello, the server name (SNI, RFC 6066 §3) and the offered
 * application protocols (ALPN, RFC 7301 §3.1), from the first bytes of a connection, without terminating TLS.
 * Used to tell HTTPS from TURN over TLS on one port (RFC 7443 names ALPN {@code stun.turn}).
 *
 * <pre>
 *   TLSPlaintext (RFC 8446 §5.1), one or more, their fragments concatenated:
 *   | type=22 (handshake) | legacy_record_version 0x03 0x0? | length (16, at most 2^14) | fragment ... |
 *
 *   Handshake (RFC 8446 §4):    | msg_type=1 (client_hello) | length (24) | ClientHello ... |
 *   ClientHello (RFC 8446 §4.1.2):
 *     legacy_version (2) | random (32) | legacy_session_id (1 + 0..32) | cipher_suites (2 + 2..2^16-2, even)
 *     | legacy_compression_methods (1 + 1..255) | extensions (2 + ...), absent in a bare TLS 1.0 hello
 *   Extension: | extension_type (16) | extension_data length (16) | data |
 *     server_name (0):    ServerNameList length (16) | { name_type (8), 0 = host_name | HostName length (16) | name }
 *     ALPN (16):          ProtocolNameList length (16) | { length (8, at least 1) | protocol name }
 * </pre>
 *
 * Every length is checked against its container: the bytes come from anyone on the internet. A handshake message
 * spread over several records is reassembled (a ClientHello with a post-quantum key share is about 1.8 KB and
 * may be split); one longer than {@link #MAX_HELLO_BYTES} is refused. Stateless and thread-safe; reads the buffer
 * at absolute indexes and never moves or releases it.
 */
public final class TlsClientHello {

    /** Record content type of handshake messages (RFC 8446 §5.1). */
    public static final int CONTENT_HANDSHAKE = 22;
    /** Handshake type of a ClientHello (RFC 8446 §4). */
    public static final int CLIENT_HELLO = 1;
    /** The largest record fragment RFC 8446 §5.1 allows. */
    public static final int MAX_RECORD_FRAGMENT = 1 << 14;
    /** The largest ClientHello read; real ones are 0.2-2 KB. */
    public static final int MAX_HELLO_BYTES = 1 << 14;
    static final int EXT_SERVER_NAME = 0;
    static final int EXT_ALPN = 16;
    private static final int MAX_HOST_NAME = 255;

    private TlsClientHello() {
    }

    /** What {@link #parse} found. */
    public sealed interface Result {
    }

    /** The bytes so far are a valid start of a ClientHello, but it is not all there yet. */
    public record NeedMore() implements Result {
    }

    /** Not a ClientHello, or a malformed one: {@code reason} says which rule failed. */
    public record Malformed(String reason) implements Result {
    }

    /**
     * A whole ClientHello.
     *
     * @param serverName the host_name of the SNI extension, lower-cased; empty without one (or with a name that
     *                   is not a DNS name: IP literals are not allowed there, RFC 6066 §3)
     * @param alpn       the ALPN protocol names in the client's order; empty without the extension
     * @param bytes      how many bytes of the stream the records that carried it take
     */
    public record Hello(Optional<String> serverName, List<String> alpn, int bytes) implements Result {
        public Hello {
            alpn = List.copyOf(alpn);
        }

        /** Whether the client offered ALPN {@code protocol}. */
        public boolean offers(String protocol) {
            return alpn.contains(protocol);
        }
    }

    private static final NeedMore NEED_MORE = new NeedMore();

    /**
     * Whether {@code length} bytes at {@code offset} could begin a TLS handshake record, {@code 0x16 0x03 0x00-0x04}
     * (true for no bytes at all: nothing contradicts it yet).
     */
    public static boolean looksLikeTls(ByteBuf buf, int offset, int length) {
        if (length < 1) return true;
        if (buf.getUnsignedByte(offset) != CONTENT_HANDSHAKE) return false;
        if (length < 2) return true;
        if (buf.getUnsignedByte(offset + 1) != 3) return false;
        return length < 3 || buf.getUnsignedByte(offset + 2) <= 4;
    }

    /** Parses the ClientHello at the start of {@code [offset, offset + length)} of {@code buf}. */
    public static Result parse(ByteBuf buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.writerIndex()) return new Malformed("range outside the buffer");
        // Reassemble the handshake message from the records' fragments.
        byte[] message = null;
        int have = 0;
        int need = -1;
        int pos = offset;
        int end = offset + length;
        while (need < 0 || have < need) {
            if (end - pos < 5) {
                return looksLikeTls(buf, pos, end - pos) ? NEED_MORE : new Malformed("not a TLS handshake record");
            }
            if (!looksLikeTls(buf, pos, 3)) return new Malformed("not a TLS handshake record");
            int fragment = buf.getUnsignedShort(pos + 3);
            if (fragment == 0 || fragment > MAX_RECORD_FRAGMENT) return new Malformed("record length " + fragment);
            if (end - pos - 5 < fragment) return NEED_MORE;
            if (message == null) {
                if (fragment < 4) {
                    // The 4-byte handshake header itself split over records: legal but unheard of; refuse it.
                    return new Malformed("handshake header split over records");
                }
                if (buf.getUnsignedByte(pos + 5) != CLIENT_HELLO) return new Malformed("first handshake message is not a ClientHello");
                int helloLength = buf.getUnsignedMedium(pos + 6);
                if (helloLength > MAX_HELLO_BYTES) return new Malformed("ClientHello of " + helloLength + " bytes");
                need = 4 + helloLength;
                message = new byte[need];
            }
            int take = Math.min(fragment, need - have);
            if (take < fragment) return new Malformed("record continues past the ClientHello");
            buf.getBytes(pos + 5, message, have, take);
            have += take;
            pos += 5 + fragment;
        }
        return parseBody(message, 4, need, pos - offset);
    }

    /** The ClientHello body in {@code m[from, to)}. */
    private static Result parseBody(byte[] m, int from, int to, int recordBytes) {
        int p = from;
        // legacy_version, random
        if (to - p < 2 + 32 + 1) return new Malformed("ClientHello too short");
        if (m[p] != 3) return new Malformed("legacy_version is not 3.x");
        p += 2 + 32;
        int sessionId = m[p] & 0xFF;
        if (sessionId > 32 || to - p - 1 < sessionId) return new Malformed("legacy_session_id length " + sessionId);
        p += 1 + sessionId;
        if (to - p < 2) return new Malformed("no cipher_suites");
        int suites = u16(m, p);
        if (suites < 2 || (suites & 1) != 0 || to - p - 2 < suites) return new Malformed("cipher_suites length " + suites);
        p += 2 + suites;
        if (to - p < 1) return new Malformed("no legacy_compression_methods");
        int compressions = m[p] & 0xFF;
        if (compressions < 1 || to - p - 1 < compressions) return new Malformed("legacy_compression_methods length " + compressions);
        p += 1 + compressions;
        Optional<String> serverName = Optional.empty();
        List<String> alpn = List.of();
        if (p == to) return new Hello(serverName, alpn, recordBytes); // no extensions (RFC 5246 §7.4.1.2 allows it)
        if (to - p < 2) return new Malformed("truncated extensions length");
        int extensions = u16(m, p);
        p += 2;
        if (extensions != to - p) return new Malformed("extensions length " + extensions + " but " + (to - p) + " bytes left");
        boolean seenSni = false;
        boolean seenAlpn = false;
        while (p < to) {
            if (to - p < 4) return new Malformed("truncated extension header");
            int type = u16(m, p);
            int dataLength = u16(m, p + 2);
            p += 4;
            if (to - p < dataLength) return new Malformed("extension " + type + " longer than the hello");
            if (type == EXT_SERVER_NAME) {
                if (seenSni) return new Malformed("two server_name extensions");
                seenSni = true;
                // A ServerHello's empty server_name is legal; a ClientHello's must hold a list (RFC 6066 §3).
                Object name = serverName(m, p, p + dataLength);
                if (name instanceof Malformed bad) return bad;
                serverName = ((Optional<?>) name).map(String.class::cast);
            } else if (type == EXT_ALPN) {
                if (seenAlpn) return new Malformed("two ALPN extensions");
                seenAlpn = true;
                Object names = alpn(m, p, p + dataLength);
                if (names instanceof Malformed bad) return bad;
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) names;
                alpn = list;
            }
            p += dataLength;
        }
        return new Hello(serverName, alpn, recordBytes);
    }

    /** An {@code Optional<String>} or a {@link Malformed}. */
    private static Object serverName(byte[] m, int p, int to) {
        if (to - p < 2 || u16(m, p) != to - p - 2) return new Malformed("server_name list length");
        p += 2;
        Optional<String> found = Optional.empty();
        while (p < to) {
            if (to - p < 3) return new Malformed("truncated server name entry");
            int nameType = m[p] & 0xFF;
            int nameLength = u16(m, p + 1);
            p += 3;
            if (nameLength < 1 || to - p < nameLength) return new Malformed("server name length " + nameLength);
            if (nameType == 0 && found.isEmpty() && isDnsName(m, p, nameLength)) {
                found = Optional.of(new String(m, p, nameLength, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
            }
            p += nameLength;
        }
        return found;
    }

    /** A {@code List<String>} or a {@link Malformed}. */
    private static Object alpn(byte[] m, int p, int to) {
        if (to - p < 2 || u16(m, p) != to - p - 2 || to - p == 2) return new Malformed("ALPN list length");
        p += 2;
        List<String> names = new ArrayList<>(4);
        while (p < to) {
            int nameLength = m[p] & 0xFF;
            p += 1;
            // RFC 7301 §3.1: empty names are not allowed.
            if (nameLength < 1 || to - p < nameLength) return new Malformed("ALPN protocol name length " + nameLength);
            names.add(new String(m, p, nameLength, StandardCharsets.ISO_8859_1));
            p += nameLength;
        }
        return names;
    }

    /** Letters, digits, '-', '_' and '.', at most 255 bytes: the names an operator can configure to route by. */
    private static boolean isDnsName(byte[] m, int p, int length) {
        if (length > MAX_HOST_NAME) return false;
        for (int i = p; i < p + length; i++) {
            int c = m[i] & 0xFF;
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
            if (!ok) return false;
        }
        return true;
    }

    private static int u16(byte[] m, int p) {
        return ((m[p] & 0xFF) << 8) | (m[p + 1] & 0xFF);
    }
}
