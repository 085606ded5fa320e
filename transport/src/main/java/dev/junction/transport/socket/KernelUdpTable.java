package dev.junction.transport.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kernel knows about our UDP sockets and the sockets themselves never see: datagrams it dropped for a
 * socket (almost always because the socket's receive buffer was full while its loop was busy or stalled), and
 * the bytes queued unread. Read from Linux's {@code /proc/net/udp} and {@code /proc/net/udp6}, one line per
 * socket:
 *
 * <pre>
 *   sl  local_address rem_address   st tx_queue:rx_queue tr:tm->when retrnsmt   uid  timeout inode ref pointer drops
 *   12: 0100007F:A1B2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41533 2 000000... 0
 * </pre>
 *
 * A socket is found by its inode (exact, see {@link MediaSocket#inode()}), or where the inode is unknown (the NIO
 * fallback) by its local port.
 *
 * <p>A snapshot, read once per {@code /metrics} scrape, off the media loops; never per packet. Where the files do
 * not exist (not Linux) every lookup is {@link #UNKNOWN}.
 */
public final class KernelUdpTable {

    /** A socket's figures; -1 where the socket is not in the table. */
    public record Entry(long drops, long receiveQueueBytes) {
    }

    public static final Entry UNKNOWN = new Entry(-1, -1);
    private static final List<Path> FILES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private final Map<Long, Entry> byInode = new HashMap<>();
    private final Map<Integer, Entry> byPort = new HashMap<>();

    private KernelUdpTable() {
    }

    /** Reads the table now. A file that cannot be read or a line that cannot be parsed is skipped. */
    public static KernelUdpTable read() {
        KernelUdpTable table = new KernelUdpTable();
        for (Path file : FILES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            } catch (IOException | SecurityException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) table.add(lines.get(i)); // line 0 is the header
        }
        return table;
    }

    /** Parses one line of the table's format; package-private for tests. */
    static KernelUdpTable parse(List<String> lines) {
        KernelUdpTable table = new KernelUdpTable();
        for (String line : lines) table.add(line);
        return table;
    }

    /** The figures of {@code socket}, or {@link #UNKNOWN}. */
    public Entry lookup(MediaSocket socket) {
        return entry(socket.inode(), socket.localAddress().getPort());
    }

    /** By inode where it is known (above 0), else by local port. */
    Entry entry(long inode, int port) {
        if (inode > 0) return byInode.getOrDefault(inode, UNKNOWN);
        return byPort.getOrDefault(port, UNKNOWN);
    }

    private void add(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 13 || !f[0].endsWith(":")) return;
        try {
            int portAt = f[1].lastIndexOf(':');
            int queuesAt = f[4].indexOf(':');
            if (portAt < 0 || queuesAt < 0) return;
            int port = Integer.parseInt(f[1].substring(portAt + 1), 16);
            long receiveQueue = Long.parseLong(f[4].substring(queuesAt + 1), 16);
            long inode = Long.parseLong(f[9]);
            long drops = Long.parseLong(f[12]);
            Entry entry = new Entry(drops, receiveQueue);
            byInode.put(inode, entry);
            // Two sockets on one port (SO_REUSEPORT, or IPv4 and IPv6): the port cannot tell them apart.
            byPort.merge(port, entry, (a, b) -> UNKNOWN);
        } catch (NumberFormatException e) {
            // a line of a format this parser does not know; skipped
        }
    }
}
