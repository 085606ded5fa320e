package dev.junction.codec.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The SDP offers under {@code src/test/resources/sdp/}: real browser captures plus the Safari shapes written from
 * documentation (see the README there). Lists the folder on the classpath, a directory in this module and a
 * jar entry prefix when another module reads codec's test-jar, so new captures are picked up without code.
 */
public final class SdpFixtures {
    private static final String FOLDER = "sdp";

    private SdpFixtures() {
    }

    /** Every {@code *.sdp} file name in the folder, sorted. */
    public static List<String> names() {
        URL folder = SdpFixtures.class.getClassLoader().getResource(FOLDER);
        if (folder == null) {
            throw new IllegalStateException("no '" + FOLDER + "' folder on the test classpath");
        }
        List<String> names = new ArrayList<>();
        try {
            if ("jar".equals(folder.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) folder.openConnection();
                try (JarFile jar = connection.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(FOLDER + "/") && entry.endsWith(".sdp") && entry.indexOf('/', FOLDER.length() + 1) < 0) {
                            names.add(entry.substring(FOLDER.length() + 1));
                        }
                    }
                }
            } else {
                try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sdp")).forEach(names::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        names.sort(null);
        return List.copyOf(names);
    }

    /** The names that start with {@code prefix}, e.g. {@code "firefox-"}. */
    public static List<String> names(String prefix) {
        return names().stream().filter(n -> n.startsWith(prefix)).toList();
    }

    /** The file's bytes exactly as stored. */
    public static byte[] bytes(String name) {
        try (InputStream in = SdpFixtures.class.getClassLoader().getResourceAsStream(FOLDER + "/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no SDP fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** The parsed fixture; fails the test when it does not parse. */
    public static SessionDescription parse(String name) {
        return parseText(text(name));
    }

    /** Parses SDP text a test wrote; fails the test when it does not parse. */
    public static SessionDescription parseText(String sdp) {
        return switch (SdpParser.DEFAULT.parse(sdp)) {
            case SdpParseResult.Parsed p -> p.description();
            case SdpParseResult.Failed f -> throw new AssertionError("SDP did not parse: " + f.error().message());
        };
    }

    /** Whether the offer only receives, i.e. it is what a WHEP subscriber posts. */
    public static boolean isReceiveOnly(SessionDescription offer) {
        return offer.media().stream()
                .filter(m -> m.kind() == MediaKind.AUDIO || m.kind() == MediaKind.VIDEO)
                .noneMatch(m -> offer.effectiveDirection(m).sends());
    }
}
