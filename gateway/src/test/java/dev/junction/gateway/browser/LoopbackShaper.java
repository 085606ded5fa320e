package dev.junction.gateway.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A rate limit on loopback for the browser tests, with the kernel's own shaper (the machine's kernel has {@code tbf}
 * and {@code htb} but no {@code netem}): an {@code htb} root on {@code lo} whose default class is unlimited, and one
 * limited class, with a drop-tail {@code bfifo} queue, that takes the UDP datagrams sent to the given ports (a test
 * relay's gateway-side port, so only that browser's downlink is limited). {@link #setRate} changes the limit while
 * traffic flows (lifting it is a high rate); {@link #close} removes the root qdisc and with it everything.
 *
 * <p>Only in a private, loopback-only network namespace (the browser tests' {@code unshare --net} wrapper): it
 * refuses to touch a namespace with any other interface.
 */
final class LoopbackShaper implements AutoCloseable {

    private static final String CLASS = "1:2";

    private LoopbackShaper() {
    }

    /**
     * Limits UDP to {@code ports} on {@code lo} to {@code kbps}, queueing at most {@code queueBytes} (then dropping).
     */
    static LoopbackShaper limit(List<Integer> ports, int kbps, int queueBytes) throws IOException, InterruptedException {
        String links = run("ip", "-o", "link", "show");
        List<String> names = links.lines().map(l -> l.split(":")[1].trim()).toList();
        if (!names.equals(List.of("lo"))) {
            throw new IllegalStateException("refusing to shape loopback outside a private loopback-only namespace; interfaces: " + names);
        }
        run("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "1");
        LoopbackShaper shaper = new LoopbackShaper();
        try {
            run("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:1", "htb", "rate", "10gbit");
            run("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", CLASS, "htb", "rate", kbps + "kbit", "ceil", kbps + "kbit",
                    "burst", "15k");
            run("tc", "qdisc", "add", "dev", "lo", "parent", CLASS, "handle", "20:", "bfifo", "limit", Integer.toString(queueBytes));
            for (int port : ports) {
                run("tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", "protocol", "17",
                        "0xff", "match", "ip", "dport", Integer.toString(port), "0xffff", "flowid", CLASS);
            }
        } catch (IOException | RuntimeException e) {
            shaper.close();
            throw e;
        }
        return shaper;
    }

    /** The limited class's rate from now on. */
    void setRate(int kbps) throws IOException, InterruptedException {
        run("tc", "class", "change", "dev", "lo", "parent", "1:", "classid", CLASS, "htb", "rate", kbps + "kbit", "ceil", kbps + "kbit",
                "burst", "15k");
    }

    /** Sent and dropped datagrams of the limited class, as {@code tc -s class} says them. */
    String statistics() throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        boolean ours = false;
        for (String line : run("tc", "-s", "class", "show", "dev", "lo").lines().toList()) {
            if (line.startsWith("class ")) ours = line.contains(" " + CLASS + " ");
            if (ours && line.contains("Sent")) lines.add(line.strip());
        }
        return String.join("; ", lines);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("tc", "qdisc", "del", "dev", "lo", "root");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        return out;
    }
}
