package dev.junction.codec.rtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Dependency descriptors as Chromium 156 sent them to Junction ({@code chromium-dependency-descriptors.txt}): VP8
 * simulcast (three encodings), VP9 and AV1, each with {@code scalabilityMode: 'L1T3'}, in arrival order, logged from
 * {@code TemporalLayerBrowserIT} runs. One line per packet: codec, simulcast layer, RTP sequence number, the
 * extension's data in hex.
 */
public final class DependencyDescriptorCaptures {
    /** One packet's descriptor. */
    public record Capture(String codec, int layer, int sequenceNumber, byte[] bytes) {
        /** Which stream it belongs to. */
        public String stream() {
            return codec + "/" + layer;
        }

        @Override
        public String toString() {
            return stream() + " seq " + sequenceNumber + " " + HexFormat.of().formatHex(bytes);
        }
    }

    private DependencyDescriptorCaptures() {
    }

    public static List<Capture> load() {
        List<Capture> out = new ArrayList<>();
        try (InputStream in = DependencyDescriptorCaptures.class.getResourceAsStream("chromium-dependency-descriptors.txt")) {
            if (in == null) throw new IllegalStateException("no chromium-dependency-descriptors.txt");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split("\\s+");
                out.add(new Capture(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), HexFormat.of().parseHex(f[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
