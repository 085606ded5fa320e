package dev.junction.config;

import java.util.List;
import java.util.Objects;

/**
 * The media plane: one UDP socket per media event loop on consecutive ports from {@code basePort}
 * (DESIGN §3), and the addresses a browser is told to send to.
 *
 * @param bindAddress the address the UDP sockets bind to
 * @param basePort    the first media port; loop {@code i} listens on {@code basePort + i}; 0 picks free ports
 * @param loops       the number of media event loops; 0 means one per available core
 * @param announce    the addresses put into answers as host candidates, one candidate each (never empty)
 */
public record MediaSettings(String bindAddress, int basePort, int loops, List<String> announce) {

    public MediaSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        announce = List.copyOf(announce);
        if (basePort < 0 || basePort > 65_535) throw new IllegalArgumentException("media port out of range: " + basePort);
        if (loops < 0) throw new IllegalArgumentException("loops must not be negative: " + loops);
        if (announce.isEmpty()) throw new IllegalArgumentException("at least one announced address is required");
    }

    /** The number of media event loops to run: {@code loops}, or the core count when it is 0. */
    public int effectiveLoops() {
        return loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
    }
}
