package dev.junction.gateway.session;

import dev.junction.gateway.http.IceServerSource;
import dev.junction.transport.turn.RestCredentials;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The embedded TURN server as WHIP/WHEP clients learn of it (RFC 9725 §4.6): one {@code Link: rel="ice-server"}
 * value per announced address and transport, {@code turn:…?transport=udp}, {@code turn:…?transport=tcp} and, with
 * TLS, {@code turns:…?transport=tcp}, then, in one-port mode, {@code turn:} and {@code turns:} over TCP on the public
 * port (the TURN name when one is configured, so that the TLS server name routes it to TURN), each with REST credentials minted for this response only (a fresh random
 * user, so the per-user quota counts one client's allocations, valid for the configured TTL).
 *
 * <p>Threading: any thread (immutable but for the CSPRNG, which is thread-safe).
 */
final class TurnAdvertisement implements IceServerSource {

    private final byte[] secret;
    private final long ttlSeconds;
    private final List<String> hosts;
    private final int port;
    private final int tlsPort;
    private final int publicPort;
    private final List<String> publicTlsHosts;
    private final SecureRandom random = new SecureRandom();

    /** {@code tlsPort} 0 when TLS is off. */
    TurnAdvertisement(byte[] secret, long ttlSeconds, List<String> announce, int port, int tlsPort) {
        this(secret, ttlSeconds, announce, port, tlsPort, 0, "");
    }

    /** {@code publicPort} 0 when one-port mode is off; {@code turnName} empty when none is configured. */
    TurnAdvertisement(byte[] secret, long ttlSeconds, List<String> announce, int port, int tlsPort, int publicPort, String turnName) {
        this.secret = secret.clone();
        this.ttlSeconds = ttlSeconds;
        this.hosts = announce.stream().map(ip -> ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip).toList();
        this.port = port;
        this.tlsPort = tlsPort;
        this.publicPort = publicPort;
        this.publicTlsHosts = turnName.isEmpty() ? hosts : List.of(turnName);
    }

    @Override
    public List<String> links() {
        byte[] user = new byte[6];
        random.nextBytes(user);
        RestCredentials.Credential credential = RestCredentials.mint(secret, "whip-" + HexFormat.of().formatHex(user),
                System.currentTimeMillis() / 1000 + ttlSeconds);
        String params = "; rel=\"ice-server\"; username=\"" + credential.username() + "\"; credential=\"" + credential.password()
                + "\"; credential-type=\"password\"";
        List<String> links = new ArrayList<>(hosts.size() * 3);
        for (String host : hosts) {
            links.add("<turn:" + host + ":" + port + "?transport=udp>" + params);
            links.add("<turn:" + host + ":" + port + "?transport=tcp>" + params);
            if (tlsPort != 0) links.add("<turns:" + host + ":" + tlsPort + "?transport=tcp>" + params);
        }
        if (publicPort != 0) {
            for (String host : hosts) links.add("<turn:" + host + ":" + publicPort + "?transport=tcp>" + params);
            for (String host : publicTlsHosts) links.add("<turns:" + host + ":" + publicPort + "?transport=tcp>" + params);
        }
        return links;
    }
}
