package dev.junction.config;

import java.util.List;
import java.util.Objects;

/**
 * Clustering (issue 14): several Junction nodes sharing one room directory over Vert.x's Hazelcast cluster manager.
 * Off by default; a node started without it never loads a cluster class.
 *
 * @param enabled              whether this node joins or forms a cluster ({@code --cluster})
 * @param nodeName             this node's name in the directory; empty means {@link #effectiveNodeName()}'s default
 * @param host                 the IP address the cluster's TCP port binds to and announces to the other members
 * @param port                 the cluster's TCP port (Hazelcast's member port; no auto-increment, so the member
 *                             lists of the other nodes can name it)
 * @param members              {@code host:port} of the other nodes (or all of them), the TCP/IP join list; no multicast
 * @param secret               the shared secret: only nodes with the same one form a cluster (see README "Cluster"
 *                             for what that does and does not protect)
 * @param publicUrl            what clients reach this node's HTTP API at, the base of the {@code Location} of a 307
 *                             ({@code http(s)://host[:port][/prefix]}, no trailing slash); empty means the bound
 *                             HTTP address
 * @param memberTimeoutSeconds a member silent for this long is declared gone and its rooms leave the directory
 */
public record ClusterSettings(boolean enabled, String nodeName, String host, int port, List<String> members, String secret,
        String publicUrl, int memberTimeoutSeconds) {

    public ClusterSettings {
        Objects.requireNonNull(nodeName, "nodeName (empty for the default)");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(publicUrl, "publicUrl (empty for the bound HTTP address)");
        members = List.copyOf(members);
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("cluster port out of range: " + port);
        if (memberTimeoutSeconds < 2) throw new IllegalArgumentException("member timeout must be at least 2 s: " + memberTimeoutSeconds);
        if (enabled && secret.isEmpty()) throw new IllegalArgumentException("a cluster needs a secret");
    }

    /** Not clustered: the defaults of every other setting. */
    public static ClusterSettings disabled() {
        return new ClusterSettings(false, "", "127.0.0.1", 5701, List.of(), "", "", 60);
    }

    /** The configured name, or {@code host-port} (unique in a cluster, since no two members share an address). */
    public String effectiveNodeName() {
        return nodeName.isEmpty() ? host.replace(':', '_') + "-" + port : nodeName;
    }

    @Override
    public String toString() {
        return "ClusterSettings[enabled=" + enabled + ", nodeName=" + effectiveNodeName() + ", host=" + host + ", port=" + port
                + ", members=" + members + ", secret=" + (secret.isEmpty() ? "none" : "<redacted>") + ", publicUrl="
                + (publicUrl.isEmpty() ? "(bound HTTP address)" : publicUrl) + ", memberTimeoutSeconds=" + memberTimeoutSeconds + "]";
    }
}
