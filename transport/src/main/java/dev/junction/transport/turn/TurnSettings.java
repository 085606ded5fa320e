package dev.junction.transport.turn;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the TURN core needs from config (issue 10). Immutable; the gateway builds it from the config module's
 * settings. Lifetimes are in seconds as on the wire.
 *
 * @param realm                       REALM of the long-term credentials (RFC 8489 §9.2)
 * @param secret                      the REST shared secret that derives passwords ({@link RestCredentials})
 * @param mediaAddresses              Junction's own media transport addresses (announced, not wildcard): the
 *                                    only peers by default, and the ones reached in process
 * @param allowedPeerRanges           more peers an operator allows (any port)
 * @param nonceLifetimeSeconds        how long a NONCE stays valid before 438
 * @param defaultLifetimeSeconds      allocation lifetime without LIFETIME, and the least granted (RFC 8656 §7.2: 600)
 * @param maxLifetimeSeconds          the most granted (RFC 8656 recommends at most 3600)
 * @param permissionLifetimeSeconds   RFC 8656 §9: 300, not negotiable
 * @param channelLifetimeSeconds      RFC 8656 §12: 600, not negotiable
 * @param maxAllocationsPerUser       486 beyond this, counted by the user part of the REST username
 * @param maxAllocations              508 beyond this total
 * @param bandwidthBytesPerSecond     per allocation, both directions together; 0 for unlimited
 * @param burstBytes                  the bucket size of that budget
 * @param maxPermissionsPerAllocation 508 beyond this (bounds per-allocation state)
 * @param maxChannelsPerAllocation    508 beyond this
 */
public record TurnSettings(
        String realm,
        byte[] secret,
        Set<InetSocketAddress> mediaAddresses,
        List<IpRange> allowedPeerRanges,
        long nonceLifetimeSeconds,
        long defaultLifetimeSeconds,
        long maxLifetimeSeconds,
        long permissionLifetimeSeconds,
        long channelLifetimeSeconds,
        int maxAllocationsPerUser,
        int maxAllocations,
        long bandwidthBytesPerSecond,
        long burstBytes,
        int maxPermissionsPerAllocation,
        int maxChannelsPerAllocation) {

    public TurnSettings {
        Objects.requireNonNull(realm, "realm");
        if (secret == null || secret.length == 0) throw new IllegalArgumentException("a TURN secret is required");
        secret = secret.clone();
        mediaAddresses = Set.copyOf(mediaAddresses);
        allowedPeerRanges = List.copyOf(allowedPeerRanges);
        if (nonceLifetimeSeconds <= 0 || defaultLifetimeSeconds <= 0 || maxLifetimeSeconds < defaultLifetimeSeconds
                || permissionLifetimeSeconds <= 0 || channelLifetimeSeconds <= 0) {
            throw new IllegalArgumentException("lifetimes must be positive and max >= default");
        }
        if (maxAllocationsPerUser <= 0 || maxAllocations <= 0 || maxPermissionsPerAllocation <= 0 || maxChannelsPerAllocation <= 0) {
            throw new IllegalArgumentException("quotas must be positive");
        }
        if (bandwidthBytesPerSecond < 0 || burstBytes < 0 || (bandwidthBytesPerSecond > 0 && burstBytes < 1500)) {
            throw new IllegalArgumentException("bandwidth >= 0, and a burst of at least one datagram (1500 bytes)");
        }
    }

    /**
     * RFC 8656's lifetimes, a 1-hour nonce, 10 allocations per user, 1000 in total, no bandwidth limit, and
     * only {@code mediaAddresses} as peers.
     */
    public static TurnSettings defaults(String realm, byte[] secret, Set<InetSocketAddress> mediaAddresses) {
        return new TurnSettings(realm, secret, mediaAddresses, List.of(), 3600, 600, 3600, 300, 600,
                10, 1000, 0, 0, 32, 32);
    }

    /**
     * From the configuration: RFC 8656's lifetimes and table limits as in {@link #defaults}, the config's realm,
     * quotas, bandwidth (a burst of one second of it, at least ten full-size datagrams) and allowed peers.
     */
    public static TurnSettings from(dev.junction.config.TurnConfig config, byte[] secret, Set<InetSocketAddress> mediaAddresses) {
        long bytesPerSecond = config.bandwidthKbps() * 1000 / 8;
        return defaults(config.realm(), secret, mediaAddresses)
                .withAllowedPeerRanges(config.allowedPeers().stream().map(IpRange::parse).toList())
                .withQuotas(config.maxAllocationsPerUser(), config.maxAllocations())
                .withBandwidth(bytesPerSecond, bytesPerSecond == 0 ? 0 : Math.max(15_000, bytesPerSecond));
    }

    public TurnSettings withAllowedPeerRanges(List<IpRange> ranges) {
        return new TurnSettings(realm, secret, mediaAddresses, ranges, nonceLifetimeSeconds, defaultLifetimeSeconds,
                maxLifetimeSeconds, permissionLifetimeSeconds, channelLifetimeSeconds, maxAllocationsPerUser, maxAllocations,
                bandwidthBytesPerSecond, burstBytes, maxPermissionsPerAllocation, maxChannelsPerAllocation);
    }

    public TurnSettings withQuotas(int perUser, int total) {
        return new TurnSettings(realm, secret, mediaAddresses, allowedPeerRanges, nonceLifetimeSeconds, defaultLifetimeSeconds,
                maxLifetimeSeconds, permissionLifetimeSeconds, channelLifetimeSeconds, perUser, total,
                bandwidthBytesPerSecond, burstBytes, maxPermissionsPerAllocation, maxChannelsPerAllocation);
    }

    public TurnSettings withBandwidth(long bytesPerSecond, long burst) {
        return new TurnSettings(realm, secret, mediaAddresses, allowedPeerRanges, nonceLifetimeSeconds, defaultLifetimeSeconds,
                maxLifetimeSeconds, permissionLifetimeSeconds, channelLifetimeSeconds, maxAllocationsPerUser, maxAllocations,
                bytesPerSecond, burst, maxPermissionsPerAllocation, maxChannelsPerAllocation);
    }

    public TurnSettings withNonceLifetimeSeconds(long seconds) {
        return new TurnSettings(realm, secret, mediaAddresses, allowedPeerRanges, seconds, defaultLifetimeSeconds,
                maxLifetimeSeconds, permissionLifetimeSeconds, channelLifetimeSeconds, maxAllocationsPerUser, maxAllocations,
                bandwidthBytesPerSecond, burstBytes, maxPermissionsPerAllocation, maxChannelsPerAllocation);
    }

    public TurnSettings withTableLimits(int permissionsPerAllocation, int channelsPerAllocation) {
        return new TurnSettings(realm, secret, mediaAddresses, allowedPeerRanges, nonceLifetimeSeconds, defaultLifetimeSeconds,
                maxLifetimeSeconds, permissionLifetimeSeconds, channelLifetimeSeconds, maxAllocationsPerUser, maxAllocations,
                bandwidthBytesPerSecond, burstBytes, permissionsPerAllocation, channelsPerAllocation);
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public String toString() {
        return "TurnSettings[realm=" + realm + ", secret=<" + secret.length + " bytes>, mediaAddresses=" + mediaAddresses
                + ", allowedPeerRanges=" + allowedPeerRanges + ", quotas=" + maxAllocationsPerUser + "/" + maxAllocations
                + ", bandwidth=" + bandwidthBytesPerSecond + "B/s]";
    }
}
