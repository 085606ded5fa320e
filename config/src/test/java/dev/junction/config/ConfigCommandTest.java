package dev.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./junction config check|example|table}. */
class ConfigCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ConfigCommand.run(args, java.util.Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintTheEffectiveSettingsOfAValidFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ok.properties");
        Files.writeString(file, "http.token = hunter2\nmedia.announce = 203.0.113.7\n");
        assertEquals(0, run("check", file.toString(), "--media-loops", "2"));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("media.announce = 203.0.113.7  (" + file + " key media.announce)"), printed);
        assertTrue(printed.contains("media.loops = 2  (--media-loops)"), printed);
        assertTrue(printed.contains("http.token = ********  (" + file + " key http.token)"), printed);
        assertTrue(!printed.contains("hunter2"), "the token is never printed");
        assertEquals(ConfigKeys.ALL.size() + 1, printed.lines().count(), "a heading, then one line per key");
    }

    @Test
    void shouldExplainAnInvalidFileInOneLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "media.port = 70000\n");
        assertEquals(2, run("check", file.toString()));
        assertEquals("junction: " + file + " key media.port: expected a port number 0-65535, got '70000'\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("check", dir.resolve("missing.properties").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--config: no such file: "), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseMissingOrUnknownSubcommands() {
        assertEquals(2, run("check"));
        assertEquals(2, run("lint", "x"));
        assertEquals(2, run());
    }

    @Test
    void shouldPrintTheExampleAndTheTable() {
        assertEquals(0, run("example"));
        assertEquals(ConfigKeys.exampleProperties(), out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(0, run("table"));
        assertEquals(ConfigKeys.markdownTable(), out.toString(StandardCharsets.UTF_8));
    }
}
