package dev.junction.transport.turn;

import java.net.InetSocketAddress;

/**
 * Where relayed transport addresses come from (RFC 8656 §7.2): implemented by the I/O layer over its relay
 * sockets, and by a fake in tests, so the {@link TurnServer} core never opens a socket.
 *
 * <p>Called on the core's thread only. An address handed out stays the allocation's until {@link #release}.
 * Packets arriving on it are given to {@link TurnServer#handlePeerPacket} with the same instance as
 * {@code relayAddress}.
 */
public interface RelayPorts {

    /** Whether relayed addresses of {@code family} ({@code StunMessage.FAMILY_IPV4} or {@code FAMILY_IPV6}) can exist at all (else 440). */
    boolean supports(int family);

    /**
     * A free relayed transport address of {@code family}, with an even port when {@code evenPort}
     * (RFC 8656 §7.2, EVEN-PORT), or null when none is free (508 Insufficient Capacity).
     */
    InetSocketAddress allocate(int family, boolean evenPort);

    /** The allocation that held {@code relayAddress} is gone: its socket may close or be reused. */
    void release(InetSocketAddress relayAddress);
}
