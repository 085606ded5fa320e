package dev.junction.loadtest;

import dev.junction.transport.socket.TurnClientConnection;
import dev.junction.transport.turn.TurnTransport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TURN servers a WHIP/WHEP server advertises (RFC 9725 §4.6): {@code Link: <turn:host:port?transport=udp>;
 * rel="ice-server"; username="..."; credential="..."; credential-type="password"} on its 201 and OPTIONS answers,
 * one header per server or several comma-separated in one. {@code turn:} with {@code transport=udp} or {@code tcp}
 * (RFC 7065; no parameter means UDP) and {@code turns:} (TLS over TCP). Other relations and URI schemes are skipped.
 *
 * <p>Stateless; any thread.
 */
final class IceServerLinks {

    private static final Pattern LINK = Pattern.compile("<(turns?):(\\[[^\\]]+\\]|[^:>?]+):(\\d+)(?:\\?transport=(udp|tcp))?>([^<]*)");
    private static final Pattern PARAM = Pattern.compile("([A-Za-z-]+)\\s*=\\s*\"([^\"]*)\"");

    private IceServerLinks() {
    }

    /** Every TURN server in {@code headerValues} (the values of the response's {@code Link} headers), in order. */
    static List<TurnClientConnection.Server> parse(List<String> headerValues) {
        List<TurnClientConnection.Server> servers = new ArrayList<>();
        for (String value : headerValues) {
            Matcher link = LINK.matcher(value);
            while (link.find()) {
                String rel = null;
                String username = null;
                String credential = null;
                Matcher param = PARAM.matcher(link.group(5));
                while (param.find()) {
                    switch (param.group(1).toLowerCase(java.util.Locale.ROOT)) {
                        case "rel" -> rel = param.group(2);
                        case "username" -> username = param.group(2);
                        case "credential" -> credential = param.group(2);
                        default -> {
                        }
                    }
                }
                if (!"ice-server".equals(rel) || username == null || credential == null) continue;
                boolean tls = link.group(1).equals("turns");
                String protocol = link.group(4);
                if (tls && "udp".equals(protocol)) continue; // DTLS, which no one here speaks
                TurnTransport transport = tls ? TurnTransport.TLS : "tcp".equals(protocol) ? TurnTransport.TCP : TurnTransport.UDP;
                String host = link.group(2).startsWith("[") ? link.group(2).substring(1, link.group(2).length() - 1) : link.group(2);
                servers.add(new TurnClientConnection.Server(transport, new InetSocketAddress(host, Integer.parseInt(link.group(3))),
                        username, credential));
            }
        }
        return servers;
    }
}
