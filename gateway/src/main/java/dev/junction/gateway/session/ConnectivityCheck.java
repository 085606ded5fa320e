package dev.junction.gateway.session;

import dev.junction.config.MediaSettings;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.MediaSocket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The connectivity self-check (issue 13): what Junction listens on and announces, and the mistakes that make
 * "nobody can connect" (wrong announced addresses behind NAT or in containers, mediamtx #4874, #4017). Printed at
 * start and served at {@code GET /health?verbose}.
 *
 * <p>Warnings: a loopback or private address announced while the media sockets bind all interfaces; an IPv6
 * address announced with IPv4-only sockets (or the reverse); an announced address that is one of this host's but
 * not the one the sockets are bound to; and a media port that a UDP probe sent from this host to the announced
 * address never reached (a firewall, or a public address behind a NAT without hairpinning).
 *
 * <p>Threading: {@link #run} blocks for up to {@link #PROBE_WAIT_MS} per announced address and loop; callers on an
 * event loop use {@link #runAsync}, which runs on this check's own thread.
 */
public final class ConnectivityCheck {

    /** How long a probe may take to show up in its socket's counter. */
    static final long PROBE_WAIT_MS = 1_000;

    /** The report: what is there, and what looks wrong. */
    public record Report(List<String> lines, List<String> warnings) {

        /** One line each, warnings last and marked; a closing line says whether anything looked wrong. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (String l : lines) sb.append(l).append('\n');
            for (String w : warnings) sb.append("WARNING: ").append(w).append('\n');
            sb.append(warnings.isEmpty() ? "connectivity: no problems found\n" : "connectivity: " + warnings.size() + " warning(s)\n");
            return sb.toString();
        }
    }

    private final MediaSettings media;
    private final List<MediaSocket> sockets;
    private final List<IceTcpListener> tcp;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("junction-selfcheck").daemon().factory());

    ConnectivityCheck(MediaSettings media, List<MediaSocket> sockets, List<IceTcpListener> tcp) {
        this.media = media;
        this.sockets = List.copyOf(sockets);
        this.tcp = List.copyOf(tcp);
    }

    /** {@link #run} on this check's thread. */
    public CompletableFuture<Report> runAsync(String httpUrl) {
        return CompletableFuture.supplyAsync(() -> run(httpUrl), thread);
    }

    /** Describes the sockets and candidates and probes each announced media port; blocks (see the class comment). */
    public Report run(String httpUrl) {
        List<String> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        lines.add("HTTP: " + httpUrl);
        for (int i = 0; i < sockets.size(); i++) {
            String line = "media loop " + i + ": UDP " + text(sockets.get(i).localAddress());
            if (!tcp.isEmpty()) line += ", ICE-TCP " + text(tcp.get(i).localAddress());
            lines.add(line);
        }
        // What the sockets are really bound to: on epoll, 0.0.0.0 becomes :: (both families), on NIO it stays IPv4.
        InetAddress bind = sockets.isEmpty() ? literal(media.bindAddress()) : sockets.get(0).localAddress().getAddress();
        boolean wildcard = bind.isAnyLocalAddress();
        for (String ip : media.announce()) {
            InetAddress announced = literal(ip);
            StringBuilder candidates = new StringBuilder("announced " + ip + ": candidates udp");
            for (MediaSocket s : sockets) candidates.append(' ').append(s.localAddress().getPort());
            if (!tcp.isEmpty()) {
                candidates.append(", tcp");
                for (IceTcpListener l : tcp) candidates.append(' ').append(l.localAddress().getPort());
            }
            lines.add(candidates.toString());
            warnings.addAll(addressProblems(announced, bind, wildcard));
            String unreachable = probe(announced);
            if (unreachable != null) warnings.add(unreachable);
        }
        return new Report(List.copyOf(lines), List.copyOf(warnings));
    }

    /** What is wrong with announcing {@code announced} from sockets bound to {@code bind}; no I/O. */
    static List<String> addressProblems(InetAddress announced, InetAddress bind, boolean wildcard) {
        List<String> problems = new ArrayList<>();
        String ip = announced.getHostAddress();
        if (wildcard && announced.isLoopbackAddress()) {
            problems.add("announced " + ip + " is a loopback address while the media sockets bind all interfaces: only"
                    + " browsers on this host can reach it; announce the address clients reach (--announce)");
        } else if (wildcard && (announced.isSiteLocalAddress() || announced.isLinkLocalAddress() || isUniqueLocal(announced))) {
            problems.add("announced " + ip + " is a private address while the media sockets bind all interfaces: clients"
                    + " outside that network (or outside a container) cannot reach it; behind NAT announce the public address");
        }
        boolean v6Announced = announced instanceof Inet6Address;
        if (v6Announced && bind instanceof Inet4Address) {
            problems.add("announced " + ip + " is IPv6 but the media sockets are bound to IPv4 " + bind.getHostAddress()
                    + ": bind :: for both, or announce an IPv4 address");
        } else if (!v6Announced && bind instanceof Inet6Address && !bind.isAnyLocalAddress()) {
            problems.add("announced " + ip + " is IPv4 but the media sockets are bound to IPv6 " + bind.getHostAddress());
        } else if (!wildcard && !announced.equals(bind) && isLocal(announced)) {
            problems.add("announced " + ip + " is an address of this host, but the media sockets are bound to "
                    + bind.getHostAddress() + ": packets to " + ip + " never reach them");
        }
        return problems;
    }

    /**
     * Sends one small datagram from this host to every loop's port at {@code announced} and waits for each socket
     * to count it. Returns a warning naming the ports that received nothing, or null. The probe is not WebRTC,
     * so the demux drops it (counted as not_webrtc).
     */
    private String probe(InetAddress announced) {
        long[] before = new long[sockets.size()];
        for (int i = 0; i < sockets.size(); i++) before[i] = sockets.get(i).counter(MediaSocket.DATAGRAMS_IN);
        try (DatagramSocket probe = new DatagramSocket()) {
            byte[] payload = "junction connectivity self-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (MediaSocket s : sockets) {
                probe.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(announced, s.localAddress().getPort())));
            }
        } catch (IOException | SecurityException e) {
            return "could not send a UDP probe to " + announced.getHostAddress() + ": " + e.getMessage();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_WAIT_MS);
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) missing.add(i);
        while (!missing.isEmpty() && System.nanoTime() - deadline < 0) {
            missing.removeIf(i -> sockets.get(i).counter(MediaSocket.DATAGRAMS_IN) > before[i]);
            if (!missing.isEmpty()) LockSupport.parkNanos(1_000_000);
        }
        if (missing.isEmpty()) return null;
        StringBuilder ports = new StringBuilder();
        for (int i : missing) ports.append(ports.isEmpty() ? "" : ", ").append(sockets.get(i).localAddress().getPort());
        return "a UDP probe from this host to " + announced.getHostAddress() + " port(s) " + ports + " never arrived within "
                + PROBE_WAIT_MS + " ms: a firewall drops it, or the address is a NAT's public one without hairpinning"
                + " (then check from outside with ./junction loadtest)";
    }

    private static boolean isUniqueLocal(InetAddress a) {
        return a instanceof Inet6Address && (a.getAddress()[0] & 0xFE) == 0xFC; // fc00::/7, RFC 4193
    }

    private static boolean isLocal(InetAddress a) {
        try {
            return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // config holds IP literals only: no lookup happens
        } catch (IOException e) {
            throw new IllegalStateException("not an IP literal: " + ip, e);
        }
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops this check's thread. */
    void close() {
        thread.shutdownNow();
    }
}
