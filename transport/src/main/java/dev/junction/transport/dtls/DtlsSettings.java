package dev.junction.transport.dtls;

import dev.junction.transport.srtp.SrtpProfile;
import java.util.List;

/**
 * Tunables of {@link DtlsEndpoint}. Immutable.
 *
 * @param handshakeTimeoutMs   how long a handshake may take from {@link DtlsEndpoint#start()}, waiting for the
 *                             peer's first flight included; bctls's own default is forever (DESIGN §8)
 * @param initialRetransmitMs  the first flight retransmission timer, doubled on each loss (RFC 6347 §4.2.4.1)
 * @param maxDatagramBytes     the largest UDP payload we send; bctls fragments handshake messages to fit.
 *                             1200 stays under any path MTU a WebRTC peer meets
 * @param maxQueuedDatagrams   inbound datagrams buffered for the DTLS thread; more are dropped and counted
 * @param srtpProfiles         the SRTP profiles we accept, most preferred first; the server picks the first
 *                             of these the client offers, the client offers them in this order
 */
public record DtlsSettings(long handshakeTimeoutMs, int initialRetransmitMs, int maxDatagramBytes,
                           int maxQueuedDatagrams, List<SrtpProfile> srtpProfiles) {

    /** 10 s handshake, 1 s first retransmission, 1200-byte datagrams, 64 queued, GCM preferred. */
    public static final DtlsSettings DEFAULT = new DtlsSettings(10_000, 1_000, 1200, 64,
            List.of(SrtpProfile.AEAD_AES_256_GCM, SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80));

    public DtlsSettings {
        srtpProfiles = List.copyOf(srtpProfiles);
        if (handshakeTimeoutMs <= 0 || handshakeTimeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("handshakeTimeoutMs out of range: " + handshakeTimeoutMs);
        }
        if (initialRetransmitMs < 1) throw new IllegalArgumentException("initialRetransmitMs must be positive");
        if (maxDatagramBytes < 256 || maxDatagramBytes > 65_507) {
            throw new IllegalArgumentException("maxDatagramBytes out of range: " + maxDatagramBytes);
        }
        if (maxQueuedDatagrams < 1) throw new IllegalArgumentException("maxQueuedDatagrams must be positive");
        if (srtpProfiles.isEmpty()) throw new IllegalArgumentException("at least one SRTP profile is required");
        if (srtpProfiles.stream().distinct().count() != srtpProfiles.size()) {
            throw new IllegalArgumentException("duplicate SRTP profile in " + srtpProfiles);
        }
    }

    public DtlsSettings withHandshakeTimeoutMs(long timeoutMs) {
        return new DtlsSettings(timeoutMs, initialRetransmitMs, maxDatagramBytes, maxQueuedDatagrams, srtpProfiles);
    }

    public DtlsSettings withInitialRetransmitMs(int retransmitMs) {
        return new DtlsSettings(handshakeTimeoutMs, retransmitMs, maxDatagramBytes, maxQueuedDatagrams, srtpProfiles);
    }

    public DtlsSettings withSrtpProfiles(List<SrtpProfile> profiles) {
        return new DtlsSettings(handshakeTimeoutMs, initialRetransmitMs, maxDatagramBytes, maxQueuedDatagrams, profiles);
    }
}
