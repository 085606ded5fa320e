package dev.junction.codec.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Port numbers on loopback for tests that must name a port before something binds it (a cluster's member list, a
 * TURN server's config, an external coturn or openssl process). They come from below the kernel's ephemeral range
 * ({@code ip_local_port_range}), never from it: a port the kernel handed out and took back is free again for every
 * outgoing connection's source port, and one did take such a port before its server could bind it (CI, stop 20:
 * Hazelcast's connects between cluster members). Shared with the other modules' tests through codec's test-jar.
 */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /** {@code count} distinct TCP ports free on loopback now. */
    public static int[] tcp(int count) throws IOException {
        return pick(count, false);
    }

    /** One port number free on loopback now for both TCP and UDP (a TURN server listens on both with one number). */
    public static int tcpAndUdp() throws IOException {
        return pick(1, true)[0];
    }

    /** One UDP port free on loopback now. */
    public static int udp() throws IOException {
        return tcpAndUdp();
    }

    private static int[] pick(int count, boolean udpToo) throws IOException {
        int[] range = ephemeralRange();
        int low;
        int high;
        if (range[0] > 12_000) {
            low = range[0] - 10_000;
            high = range[0] - 1;
        } else {
            low = range[1] + 1;
            high = 65_535;
        }
        List<AutoCloseable> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0, attempts = 0; i < count; attempts++) {
                if (attempts > 10_000) throw new IOException("no free loopback port in " + low + ".." + high);
                int port = low + ThreadLocalRandom.current().nextInt(high - low + 1);
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.setReuseAddress(false);
                    tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                } catch (IOException taken) {
                    tcp.close();
                    continue;
                }
                held.add(tcp);
                if (udpToo) {
                    try {
                        held.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                    } catch (IOException taken) {
                        continue;
                    }
                }
                ports[i++] = port;
            }
            return ports;
        } finally {
            for (AutoCloseable c : held) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing a probe socket
                }
            }
        }
    }

    private static int[] ephemeralRange() {
        try {
            String[] f = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999}; // Linux's default
        }
    }
}
