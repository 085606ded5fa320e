package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * What one answer needs besides the offer: the client's role, the local transport's identity and addresses,
 * randomness for the ICE credentials, and the streams to announce where Junction sends.
 *
 * @param role             what the client does; decides the answer to sendrecv sections
 * @param localFingerprint the fingerprint of the transport's DTLS certificate, e.g. from
 *                         {@code Fingerprint.parse("sha-256 AB:...")}; sha-256, sha-384 or sha-512
 * @param hostAddresses    one UDP host candidate each, in preference order: the announced IPv4/IPv6 address and
 *                         the media port of the session's event loop; resolved addresses only
 * @param tcpHostAddresses one passive TCP host candidate each (ICE-TCP, RFC 6544), in preference order after
 *                         every UDP one; empty when Junction listens on no TCP port
 * @param random           source of the ICE ufrag/pwd and the o= session id
 * @param sendStreams      allocates what Junction sends per sending m-section; {@link SendStreamSource#NONE}
 *                         for a publisher
 */
public record AnswerParameters(ClientRole role, Fingerprint localFingerprint, List<InetSocketAddress> hostAddresses,
        List<InetSocketAddress> tcpHostAddresses, SecureRandom random, SendStreamSource sendStreams) {

    /** More host candidates than any deployment announces; each is one line in every answer. */
    public static final int MAX_HOST_ADDRESSES = 16;

    public AnswerParameters {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(localFingerprint, "localFingerprint");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(sendStreams, "sendStreams");
        hostAddresses = List.copyOf(hostAddresses);
        tcpHostAddresses = List.copyOf(tcpHostAddresses);
        int length = Fingerprint.digestLength(localFingerprint.algorithm());
        boolean strongHash = switch (localFingerprint.algorithm()) {
            case "sha-256", "sha-384", "sha-512" -> true;
            default -> false;
        };
        if (!strongHash || localFingerprint.bytes().length != length) {
            throw new IllegalArgumentException("local fingerprint must be a sha-256, sha-384 or sha-512 digest: "
                    + localFingerprint.formatValue());
        }
        if (hostAddresses.isEmpty() || hostAddresses.size() > MAX_HOST_ADDRESSES) {
            throw new IllegalArgumentException("need 1-" + MAX_HOST_ADDRESSES + " host addresses, got " + hostAddresses.size());
        }
        if (tcpHostAddresses.size() > MAX_HOST_ADDRESSES) {
            throw new IllegalArgumentException("need at most " + MAX_HOST_ADDRESSES + " TCP host addresses, got " + tcpHostAddresses.size());
        }
        for (List<InetSocketAddress> list : List.of(hostAddresses, tcpHostAddresses)) {
            for (InetSocketAddress a : list) {
                if (a.isUnresolved() || a.getPort() == 0) {
                    throw new IllegalArgumentException("host address must be a resolved IP with a port: " + a);
                }
            }
        }
    }

    /** Without TCP candidates. */
    public AnswerParameters(ClientRole role, Fingerprint localFingerprint, List<InetSocketAddress> hostAddresses,
            SecureRandom random, SendStreamSource sendStreams) {
        this(role, localFingerprint, hostAddresses, List.of(), random, sendStreams);
    }

    /** The same with {@code tcp} as its passive TCP host candidates. */
    public AnswerParameters withTcpHostAddresses(List<InetSocketAddress> tcp) {
        return new AnswerParameters(role, localFingerprint, hostAddresses, tcp, random, sendStreams);
    }

    /** A WHIP publisher: Junction receives and announces no streams. */
    public static AnswerParameters publisher(Fingerprint localFingerprint, List<InetSocketAddress> hostAddresses,
            SecureRandom random) {
        return new AnswerParameters(ClientRole.PUBLISHER, localFingerprint, hostAddresses, random, SendStreamSource.NONE);
    }

    /** A WHEP subscriber: Junction sends what {@code sendStreams} allocates. */
    public static AnswerParameters subscriber(Fingerprint localFingerprint, List<InetSocketAddress> hostAddresses,
            SecureRandom random, SendStreamSource sendStreams) {
        return new AnswerParameters(ClientRole.SUBSCRIBER, localFingerprint, hostAddresses, random, sendStreams);
    }
}
