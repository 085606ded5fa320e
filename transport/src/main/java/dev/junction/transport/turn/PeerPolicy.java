package dev.junction.transport.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Not an open relay (issue 10): which peers an allocation may reach. An SFU's TURN server only needs to reach
 * the SFU, so by default the only permitted peers are Junction's own media transport addresses; an operator
 * may add CIDR ranges. Permissions are per IP (RFC 8656 §9), so a media IP is permitted, but data to or from
 * any port of it other than a media socket's is dropped: a client must not reach other services on our host.
 *
 * <p>Immutable after construction; read on the core's thread.
 */
final class PeerPolicy {

    /** What a permission for a peer IP allows. */
    enum Scope {
        /** Not a peer: 403. */
        FORBIDDEN,
        /** One of our media IPs, not in an allowed range: only its media ports. */
        MEDIA_PORTS,
        /** Inside an allowed range: any port. */
        ANY_PORT
    }

    // Passed by argument.
    private final Set<InetSocketAddress> mediaAddresses;
    private final List<IpRange> allowedRanges;

    // Allocated by this.
    private final Set<InetAddress> mediaIps = new HashSet<>();

    PeerPolicy(Set<InetSocketAddress> mediaAddresses, List<IpRange> allowedRanges) {
        this.mediaAddresses = Set.copyOf(mediaAddresses);
        this.allowedRanges = List.copyOf(allowedRanges);
        for (InetSocketAddress media : this.mediaAddresses) {
            if (media.isUnresolved() || media.getAddress().isAnyLocalAddress()) {
                throw new IllegalArgumentException("media addresses must be concrete announced addresses: " + media);
            }
            mediaIps.add(media.getAddress());
        }
    }

    /** What a permission for {@code peerIp} may reach; on the request path (allocates for range checks). */
    Scope scope(InetAddress peerIp) {
        for (IpRange range : allowedRanges) {
            if (range.contains(peerIp)) {
                return Scope.ANY_PORT;
            }
        }
        return mediaIps.contains(peerIp) ? Scope.MEDIA_PORTS : Scope.FORBIDDEN;
    }

    /** Whether {@code peer} is one of our media sockets, so data goes in process; allocation-free. */
    boolean isLocal(InetSocketAddress peer) {
        return mediaAddresses.contains(peer);
    }
}
