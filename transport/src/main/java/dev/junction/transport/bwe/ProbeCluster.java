package dev.junction.transport.bwe;

/**
 * A request to the pacer: send at {@code bitrateBps} until both {@code minPackets} packets and
 * {@code durationNs} worth of bytes have gone, tagging each packet with {@code id} (its
 * {@link SendHistory} probe cluster id), with padding when there is not enough media.
 *
 * <p>Probing is how a sender learns there is more capacity than it uses (draft-ietf-rmcat-gcc-02 leaves
 * the mechanism to the implementation; libwebrtc sends clusters of at least 5 packets over at least 15 ms).
 */
public record ProbeCluster(int id, long bitrateBps, long durationNs, int minPackets) {

    /** The bytes the cluster must carry: its rate over its duration. */
    public long minBytes() {
        return bitrateBps * durationNs / 8_000_000_000L;
    }
}
