package dev.junction.gateway.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.junction.config.LogSettings;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One Logback setup for everything: JSON or text lines, levels per prefix, JUL and System.Logger bridged in. */
class LogSetupTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restoreTheTestConfiguration() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void shouldWriteJsonLinesWithLevelsPerPrefixAndBridgedLibraries() {
        LogSetup.apply(new LogSettings(true, "INFO", Map.of("dev.junction.quiet", "WARN")), out);
        LoggerFactory.getLogger("dev.junction.session").info("session created kind={} room={}", "whip", "r1");
        LoggerFactory.getLogger("dev.junction.quiet").info("not shown");
        LoggerFactory.getLogger("dev.junction.quiet").warn("shown");
        LoggerFactory.getLogger("dev.junction.session").debug("below the root level");
        java.util.logging.Logger.getLogger("org.example.jul").info("from java.util.logging");
        System.getLogger("org.example.platform").log(System.Logger.Level.INFO, "from System.Logger");
        List<JsonObject> lines = out.toString(StandardCharsets.UTF_8).lines().map(JsonObject::new).toList();
        assertEquals(List.of("session created kind=whip room=r1", "shown", "from java.util.logging", "from System.Logger"),
                lines.stream().map(l -> l.getString("formattedMessage", l.getString("message"))).toList(), lines.toString());
        assertEquals("INFO", lines.getFirst().getString("level"));
        assertEquals("dev.junction.session", lines.getFirst().getString("loggerName"));
    }

    @Test
    void shouldWriteTextLines() {
        LogSetup.apply(new LogSettings(false, "WARN", Map.of()), out);
        LoggerFactory.getLogger("dev.junction.media").warn("media loop {} was slow", 0);
        LoggerFactory.getLogger("dev.junction.media").info("not at WARN");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* WARN  dev\\.junction\\.media media loop 0 was slow\\R"), text);
        assertFalse(text.contains("not at WARN"));
    }
}
