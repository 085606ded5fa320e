package dev.junction.codec.sdp.jsep;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The trickle-ice-sdpfrag bodies under {@code src/test/resources/sdpfrag/} (see the README there). */
final class FragmentFixtures {
    private static final String FOLDER = "sdpfrag";

    private FragmentFixtures() {
    }

    /** Every {@code *.sdpfrag} file name in the folder, sorted. */
    static List<String> names() {
        URL folder = FragmentFixtures.class.getClassLoader().getResource(FOLDER);
        if (folder == null) {
            throw new IllegalStateException("no '" + FOLDER + "' folder on the test classpath");
        }
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sdpfrag")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try (InputStream in = FragmentFixtures.class.getClassLoader().getResourceAsStream(FOLDER + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** The fixture parsed; fails the test with the reason when it is refused. */
    static TrickleFragment parse(String name) {
        return switch (TrickleFragment.parse(bytes(name))) {
            case TrickleFragment.Parsed p -> p.fragment();
            case TrickleFragment.Rejected r -> throw new AssertionError(name + " was refused: " + r.reason());
        };
    }
}
