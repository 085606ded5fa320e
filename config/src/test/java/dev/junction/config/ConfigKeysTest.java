package dev.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ConfigKeys is the one source: README's table and the example file must be what it generates. */
class ConfigKeysTest {

    private static final String START = "<!-- config-table:start";
    private static final String END = "<!-- config-table:end -->";

    @Test
    void shouldMatchReadmesTableOfKeys() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertTrue(start >= 0 && end > start, "README has the generated table between its markers");
        String table = readme.substring(readme.indexOf('\n', start) + 1, end);
        assertEquals(ConfigKeys.markdownTable(), table, "README's key table drifted: paste `./junction config table` between the markers");
    }

    @Test
    void shouldMatchTheExampleFile() throws IOException {
        try (InputStream in = ConfigKeysTest.class.getResourceAsStream("/junction.properties")) {
            String example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(ConfigKeys.exampleProperties(), example, "junction.properties drifted: write it with `./junction config example`");
        }
    }

    @Test
    void shouldNameEachKeyFlagAndVariableOnce() {
        Set<String> names = new HashSet<>();
        Set<String> flags = new HashSet<>();
        Set<String> variables = new HashSet<>();
        for (ConfigKeys.Key k : ConfigKeys.ALL) {
            assertTrue(names.add(k.name()), k.name());
            assertTrue(k.flag() == null || flags.add(k.flag()), k.flag());
            assertTrue(variables.add(k.environmentVariable()), k.environmentVariable());
            assertTrue(k.help().endsWith("."), k.name() + "'s help is a sentence");
        }
        assertEquals("JUNCTION_MEDIA_CONSENT_TIMEOUT_MS", ConfigKeys.named("media.consent-timeout-ms").orElseThrow().environmentVariable());
        // Every default is valid: the defaults alone load.
        assertEquals(8080, JunctionConfig.defaults().http().port());
    }
}
