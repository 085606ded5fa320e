package dev.junction.codec.sdp;

import java.util.List;

/**
 * The typed meaning of one SDP line (RFC 8866 §5): what the parser understood of {@link SdpLine#value()}.
 *
 * <pre>
 *   &lt;type&gt;=&lt;value&gt;          type is one lower-case letter; the value's syntax depends on it
 * </pre>
 *
 * <p>Lines the answerer does not need ({@code s=}, {@code t=}, {@code b=}, ...) are {@link Opaque}; unknown
 * attributes are {@link SdpAttribute.Other}. Either way the line keeps its exact text, so nothing is lost or
 * reordered when a description is written back.
 *
 * <p>Immutable values; any thread.
 */
public sealed interface SdpField
        permits SdpField.Origin, SdpField.Connection, SdpField.MediaLine, SdpField.Opaque, SdpAttribute {

    /** The line's type letter, for example {@code 'a'}. */
    char lineType();

    /** The value text after {@code "x="}, formatted canonically; parsed lines keep their original text instead. */
    String toValue();

    /**
     * {@code o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>} (RFC 8866 §5.2).
     * The numbers stay text: RFC 8866 allows any number of digits.
     */
    record Origin(String username, String sessionId, String sessionVersion, String netType, String addrType,
            String address) implements SdpField {
        @Override
        public char lineType() {
            return 'o';
        }

        @Override
        public String toValue() {
            return username + ' ' + sessionId + ' ' + sessionVersion + ' ' + netType + ' ' + addrType + ' ' + address;
        }
    }

    /** {@code c=<nettype> <addrtype> <connection-address>} (RFC 8866 §5.7). */
    record Connection(String netType, String addrType, String address) implements SdpField {
        /** {@code c=IN IP4 0.0.0.0}: the placeholder JSEP uses where no address applies (RFC 8829 §5.2.1). */
        public static final Connection NONE = new Connection("IN", "IP4", "0.0.0.0");

        @Override
        public char lineType() {
            return 'c';
        }

        @Override
        public String toValue() {
            return netType + ' ' + addrType + ' ' + address;
        }
    }

    /**
     * {@code m=<media> <port>[/<number of ports>] <proto> <fmt> ...} (RFC 8866 §5.14).
     *
     * @param portCount the number after {@code /}, or 1 when absent
     * @param formats   the format tokens in offer order; payload type numbers for RTP protocols
     */
    record MediaLine(String media, int port, int portCount, String protocol, List<String> formats)
            implements SdpField {
        public MediaLine {
            formats = List.copyOf(formats);
        }

        /** The media kind; {@link MediaKind#OTHER} for kinds Junction does not know. */
        public MediaKind kind() {
            return MediaKind.of(media);
        }

        /** Whether the protocol carries RTP, so that the formats are payload type numbers (RFC 8866 §5.14). */
        public boolean isRtp() {
            return isRtpProtocol(protocol);
        }

        static boolean isRtpProtocol(String protocol) {
            return protocol.toUpperCase(java.util.Locale.ROOT).contains("RTP/");
        }

        @Override
        public char lineType() {
            return 'm';
        }

        @Override
        public String toValue() {
            StringBuilder sb = new StringBuilder(32 + formats.size() * 4);
            sb.append(media).append(' ').append(port);
            if (portCount != 1) {
                sb.append('/').append(portCount);
            }
            sb.append(' ').append(protocol);
            for (String f : formats) {
                sb.append(' ').append(f);
            }
            return sb.toString();
        }
    }

    /** A line whose value Junction does not interpret ({@code v=}, {@code s=}, {@code t=}, {@code b=}, ...). */
    record Opaque(char lineType, String value) implements SdpField {
        @Override
        public String toValue() {
            return value;
        }
    }
}
