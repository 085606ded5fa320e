package dev.junction.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IPv4 and IPv6 address literals, parsed without ever resolving a name: settings, SDP candidates and
 * answers carry addresses, and a lookup there would be slow, leak queries, or be spoofable.
 */
public final class IpLiteral {

    private IpLiteral() {
    }

    /**
     * The address {@code text} spells ({@code 127.0.0.1}, {@code ::1}, {@code [::1]}), or empty for anything
     * else: host names, mDNS {@code .local} names, out-of-range octets, garbage.
     */
    public static Optional<InetAddress> parse(String text) {
        if (text == null) return Optional.empty();
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!looksLikeLiteral(bare)) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(bare)); // a literal: getByName does no lookup
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static boolean looksLikeLiteral(String s) {
        if (s.isEmpty()) return false;
        if (s.indexOf(':') >= 0) return s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return false;
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }
}
