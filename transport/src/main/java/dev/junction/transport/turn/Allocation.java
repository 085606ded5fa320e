package dev.junction.transport.turn;

import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * One TURN allocation (RFC 8656 §2.2, §7): its 5-tuple, credentials, relayed address(es), expiry, permissions
 * and channel bindings, and its bandwidth budget. Permissions and channels are short arrays scanned linearly:
 * a WebRTC allocation has one or two of each, and the arrays are bounded by the settings, so lookups on the
 * per-packet path allocate nothing and need no boxed keys.
 *
 * <p>Owned by the {@link TurnServer}, on its thread.
 */
final class Allocation {

    /** A permission for one peer IP (RFC 8656 §9). */
    static final class Permission {
        final InetAddress address;
        final byte[] addressBytes;
        /** Allowed for any port (an operator's range) rather than only our media sockets. */
        final boolean anyPort;
        long expiresNs;
        /** The last peer transport address sent to through this permission, so Send indications reuse it. */
        InetSocketAddress lastPeer;

        Permission(InetAddress address, boolean anyPort, long expiresNs) {
            this.address = address;
            this.addressBytes = address.getAddress();
            this.anyPort = anyPort;
            this.expiresNs = expiresNs;
        }

        /** The peer at {@code port} of this IP; allocates only when the port changes. */
        InetSocketAddress peer(int port) {
            InetSocketAddress last = lastPeer;
            if (last == null || last.getPort() != port) {
                last = new InetSocketAddress(address, port);
                lastPeer = last;
            }
            return last;
        }
    }

    /** A channel binding (RFC 8656 §12): active until it expires, then reserved (cooling) for 5 minutes. */
    static final class Channel {
        final int number;
        final InetSocketAddress peer;
        final InetSocketAddress relay;
        long expiresNs;
        /** Expired and kept only so neither its number nor its peer is rebound elsewhere yet (RFC 8656 §12). */
        boolean cooling;

        Channel(int number, InetSocketAddress peer, InetSocketAddress relay, long expiresNs) {
            this.number = number;
            this.peer = peer;
            this.relay = relay;
            this.expiresNs = expiresNs;
        }

        boolean isActive(long nowNs) {
            return !cooling && expiresNs - nowNs > 0;
        }
    }

    // Passed by argument.
    final TurnFiveTuple tuple;
    final String username;
    final String user;
    final StunIntegrity integrity;
    final byte[] transactionId;
    final InetSocketAddress relayV4;
    final InetSocketAddress relayV6;
    /** ADDRESS-ERROR-CODE of a dual allocation whose IPv6 half failed (440 or 508), else 0; repeated on retransmissions. */
    final int ipv6ErrorCode;
    final TokenBucket bandwidth;

    // State.
    long expiresNs;
    Permission[] permissions = new Permission[2];
    int permissionCount;
    Channel[] channels = new Channel[1];
    int channelCount;

    Allocation(TurnFiveTuple tuple, String username, String user, StunIntegrity integrity, byte[] transactionId,
               InetSocketAddress relayV4, InetSocketAddress relayV6, int ipv6ErrorCode, TokenBucket bandwidth, long expiresNs) {
        this.tuple = tuple;
        this.username = username;
        this.user = user;
        this.integrity = integrity;
        this.transactionId = transactionId;
        this.relayV4 = relayV4;
        this.relayV6 = relayV6;
        this.ipv6ErrorCode = ipv6ErrorCode;
        this.bandwidth = bandwidth;
        this.expiresNs = expiresNs;
    }

    /** The relayed address for peers of {@code family} (StunMessage.FAMILY_*), or null: 443. */
    InetSocketAddress relayFor(int family) {
        return family == StunMessage.FAMILY_IPV4 ? relayV4 : family == StunMessage.FAMILY_IPV6 ? relayV6 : null;
    }

    InetSocketAddress relayFor(InetAddress peer) {
        return peer instanceof Inet4Address ? relayV4 : relayV6;
    }

    /** The live permission for {@code ip}, or null; allocation-free. */
    Permission permission(InetAddress ip, long nowNs) {
        for (int i = 0; i < permissionCount; i++) {
            Permission p = permissions[i];
            if (p.address.equals(ip)) {
                return p.expiresNs - nowNs > 0 ? p : null;
            }
        }
        return null;
    }

    /** The live permission for the address in {@code bytes[0, length)}, or null; allocation-free. */
    Permission permission(byte[] bytes, int length, long nowNs) {
        for (int i = 0; i < permissionCount; i++) {
            Permission p = permissions[i];
            if (p.addressBytes.length == length && Arrays.equals(p.addressBytes, 0, length, bytes, 0, length)) {
                return p.expiresNs - nowNs > 0 ? p : null;
            }
        }
        return null;
    }

    /** The permission for {@code ip}, live or not yet swept, or null. */
    Permission anyPermission(InetAddress ip) {
        for (int i = 0; i < permissionCount; i++) {
            if (permissions[i].address.equals(ip)) {
                return permissions[i];
            }
        }
        return null;
    }

    /** Installs or refreshes the permission for {@code ip} (RFC 8656 §9.2). */
    void installPermission(InetAddress ip, boolean anyPort, long expiresNs) {
        Permission p = anyPermission(ip);
        if (p != null) {
            p.expiresNs = expiresNs;
            return;
        }
        if (permissionCount == permissions.length) {
            permissions = Arrays.copyOf(permissions, permissionCount * 2);
        }
        permissions[permissionCount++] = new Permission(ip, anyPort, expiresNs);
    }

    Channel channel(int number) {
        for (int i = 0; i < channelCount; i++) {
            if (channels[i].number == number) {
                return channels[i];
            }
        }
        return null;
    }

    Channel channel(InetSocketAddress peer) {
        for (int i = 0; i < channelCount; i++) {
            if (channels[i].peer.equals(peer)) {
                return channels[i];
            }
        }
        return null;
    }

    void addChannel(Channel channel) {
        if (channelCount == channels.length) {
            channels = Arrays.copyOf(channels, channelCount * 2);
        }
        channels[channelCount++] = channel;
    }

    /**
     * Drops expired permissions, moves expired channels to cooling and ends cooling ones; returns the earliest
     * deadline left (the allocation's own expiry at the latest).
     */
    long sweep(long nowNs, long channelGuardNs) {
        long earliest = expiresNs;
        for (int i = 0; i < permissionCount; ) {
            Permission p = permissions[i];
            if (p.expiresNs - nowNs <= 0) {
                permissions[i] = permissions[--permissionCount];
                permissions[permissionCount] = null;
            } else {
                earliest = earlier(earliest, p.expiresNs);
                i++;
            }
        }
        for (int i = 0; i < channelCount; ) {
            Channel c = channels[i];
            if (c.expiresNs - nowNs <= 0) {
                if (!c.cooling) {
                    c.cooling = true;
                    c.expiresNs += channelGuardNs;
                } else {
                    channels[i] = channels[--channelCount];
                    channels[channelCount] = null;
                    continue;
                }
            }
            earliest = earlier(earliest, c.expiresNs);
            i++;
        }
        return earliest;
    }

    static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}
