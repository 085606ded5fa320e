package dev.junction.gateway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Two offers captured from Chromium 156, codec's {@code src/test/resources/sdp/chromium-publisher-vp8.sdp} and
 * {@code chromium-subscriber-vp8.sdp}, which the {@code jmh} profile packs into the benchmark jar under
 * {@code /sdp/}.
 */
final class ChromiumOffers {
    /** WHIP: Opus + VP8 (96, rtx 97), {@code a=ssrc} and {@code ssrc-group:FID} announced, no simulcast. */
    static final String PUBLISHER_VP8 = read("chromium-publisher-vp8.sdp");
    /** WHEP: recvonly Opus + VP8. */
    static final String SUBSCRIBER_VP8 = read("chromium-subscriber-vp8.sdp");

    private ChromiumOffers() {
    }

    private static String read(String name) {
        try (InputStream in = ChromiumOffers.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) throw new IllegalStateException("fixture /sdp/" + name + " is not in the benchmark jar");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
