package dev.junction.config;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the server logs (issue 13): one line per event, as plain text or JSON lines, with levels per logger prefix.
 *
 * @param json   JSON lines instead of plain text
 * @param level  the root level: TRACE, DEBUG, INFO, WARN, ERROR or OFF
 * @param levels levels for logger name prefixes (packages), e.g. {@code io.netty -> WARN}
 */
public record LogSettings(boolean json, String level, Map<String, String> levels) {

    static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    public LogSettings {
        Objects.requireNonNull(level, "level");
        levels = Map.copyOf(levels);
        if (!LEVELS.contains(level)) throw new IllegalArgumentException("unknown log level: " + level);
        for (String l : levels.values()) if (!LEVELS.contains(l)) throw new IllegalArgumentException("unknown log level: " + l);
    }

    /** {@code level} in upper case if it names a level, else null. */
    static String level(String text) {
        String upper = text.trim().toUpperCase(Locale.ROOT);
        return LEVELS.contains(upper) ? upper : null;
    }
}
