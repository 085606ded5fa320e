package dev.junction.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §2: codec holds wire formats with no I/O, so it imports no {@code io.netty.channel} and no
 * {@code io.vertx}; netty-buffer is its only Netty dependency. Checked on the sources, so a violation
 * fails even before anyone adds the dependency that would let it compile.
 */
class ModuleBoundaryTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "^\\s*import\\s+(static\\s+)?(io\\.netty\\.(channel|handler|bootstrap|resolver)|io\\.vertx|dev\\.junction\\.(transport|gateway))\\b.*$",
            Pattern.MULTILINE);

    @Test
    void shouldKeepCodecFreeOfIoImports() throws IOException {
        Path sources = Path.of("src/main/java");
        assertTrue(Files.isDirectory(sources), "run from the codec module directory: " + sources.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.walk(sources)) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                Matcher m = FORBIDDEN.matcher(Files.readString(file));
                while (m.find()) violations.add(file + ": " + m.group().trim());
            }
        }
        assertTrue(files > 0, "no codec sources found under " + sources.toAbsolutePath());
        assertEquals(List.of(), violations);
    }

    @Test
    void shouldFlagAForbiddenImport() {
        assertTrue(FORBIDDEN.matcher("import io.netty.channel.Channel;").find());
        assertTrue(FORBIDDEN.matcher("import static io.vertx.core.Future.succeededFuture;").find());
        assertTrue(FORBIDDEN.matcher("  import io.netty.handler.codec.MessageToMessageDecoder;").find());
        assertTrue(!FORBIDDEN.matcher("import io.netty.buffer.ByteBuf;").find());
    }
}
