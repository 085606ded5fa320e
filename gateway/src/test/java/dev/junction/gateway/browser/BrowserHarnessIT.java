package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the harness and its network namespace are real, without the gateway: a page with two
 * PeerConnections sends Chromium's fake camera and microphone to itself over loopback ICE, and the
 * receiving side's getStats() comes back here.
 */
@Tag("browser")
class BrowserHarnessIT {

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1");

    @Test
    void shouldRunInLoopbackOnlyNamespace() throws Exception {
        List<NetworkInterface> up;
        try (var interfaces = NetworkInterface.networkInterfaces()) {
            up = interfaces.filter(i -> {
                try {
                    return i.isUp();
                } catch (java.net.SocketException e) {
                    return true;
                }
            }).toList();
        }
        assertFalse(up.isEmpty(), "loopback must be up in the namespace (ip link set lo up)");
        for (NetworkInterface i : up) {
            assertTrue(i.isLoopback(), "only loopback may be up, found " + i.getName()
                    + " " + i.inetAddresses().map(InetAddress::getHostAddress).toList());
        }
    }

    // H.264 too: the end-to-end test needs this Chromium to encode and decode it.
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vp8", "h264"})
    void shouldDecodeFakeCameraBetweenTwoPeerConnectionsOverLoopbackOnly(String codec) throws Exception {
        try (BrowserHarness harness = BrowserHarness.start()) {
            harness.open("loopback", "loopback.html", Map.of("codec", codec));
            JsonObject report = harness.awaitReport("loopback", "video framesDecoded > 100 and audio received",
                    r -> r.getJsonObject("video").getLong("framesDecoded") > 100
                            && r.getJsonObject("audio").getLong("totalSamplesReceived") > 0
                            && r.getJsonObject("audio").getLong("packetsReceived") > 0,
                    Duration.ofSeconds(10));

            assertTrue(report.getLong("elapsedMs") <= 10_000, "page took " + report.getLong("elapsedMs") + " ms");
            Long firstFrameMs = report.getLong("firstFrameMs");
            assertNotNull(firstFrameMs, "time to first decoded frame not measured: " + report.encode());
            assertTrue(firstFrameMs > 0 && firstFrameMs <= report.getLong("elapsedMs"), "first frame at " + firstFrameMs + " ms");
            assertEquals("video/" + codec, report.getJsonObject("video").getString("codec").toLowerCase(Locale.ROOT));
            System.out.printf("loopback self-test " + codec + ": getUserMedia %d ms, ICE connected %d ms, first decoded frame %d ms, "
                            + "%d frames decoded (%dx%d %s, %s) and %d audio samples (%s) after %d ms, rtt %s ms; %s%n",
                    report.getLong("mediaMs"), report.getLong("iceConnectedMs"), firstFrameMs,
                    report.getJsonObject("video").getLong("framesDecoded"),
                    report.getJsonObject("video").getLong("frameWidth"), report.getJsonObject("video").getLong("frameHeight"),
                    report.getJsonObject("video").getString("codec"), report.getJsonObject("video").getString("decoder"),
                    report.getJsonObject("audio").getLong("totalSamplesReceived"), report.getJsonObject("audio").getString("codec"),
                    report.getLong("elapsedMs"), report.getValue("rttMs"), report.getString("userAgent"));

            JsonArray candidates = report.getJsonArray("candidates");
            assertFalse(candidates.isEmpty(), "no ICE candidates in getStats: " + report.encode());
            for (Object c : candidates) {
                String address = ((JsonObject) c).getString("address");
                assertTrue(LOOPBACK.contains(address), "non-loopback candidate " + c);
            }
            JsonArray sdpCandidates = report.getJsonArray("sdpCandidates");
            assertFalse(sdpCandidates.isEmpty(), "no a=candidate lines in the SDP");
            for (Object address : sdpCandidates) assertTrue(LOOPBACK.contains(address), "non-loopback SDP candidate " + address);
            JsonObject pair = report.getJsonObject("selectedPair");
            assertNotNull(pair, "no selected candidate pair");
            assertTrue(pair.getString("local").startsWith("127.0.0.1:") || pair.getString("local").startsWith("::1:"), "pair " + pair);
        }
    }

    @Test
    void shouldFailWithThePagesErrorMessage() throws Exception {
        try (BrowserHarness harness = BrowserHarness.start()) {
            harness.open("thrower", "hello.html", Map.of("throw", "boom from the page"));
            AssertionError e = assertThrows(AssertionError.class,
                    () -> harness.awaitReport("thrower", "a hello", r -> r.containsKey("hello"), Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("boom from the page"), e.getMessage());
            assertTrue(harness.awaitPageError("thrower", Duration.ofSeconds(1)).contains("Error: boom from the page"));
        }
    }

    @Test
    void shouldTimeOutNamingThePageAndExpectation() throws Exception {
        try (BrowserHarness harness = BrowserHarness.start()) {
            harness.open("quiet", "hello.html", Map.of("silent", "1"));
            AssertionError e = assertThrows(AssertionError.class,
                    () -> harness.awaitReport("quiet", "a hello", r -> true, Duration.ofMillis(1500)));
            assertTrue(e.getMessage().startsWith("page quiet: no report with a hello within 1500 ms"), e.getMessage());
        }
    }

    @Test
    void shouldReceiveQueryParametersAndKillChromiumOnClose() throws Exception {
        Chromium chromium;
        Path profileDir;
        try (BrowserHarness harness = BrowserHarness.start()) {
            chromium = harness.open("hello", "hello.html", Map.of("hello", "a b&c"));
            JsonObject report = harness.awaitReport("hello", "a hello", r -> r.containsKey("hello"), Duration.ofSeconds(10));
            assertEquals("a b&c", report.getString("hello"));
            assertTrue(report.getString("userAgent").contains("HeadlessChrome"), report.getString("userAgent"));
            assertTrue(chromium.isAlive());
            profileDir = chromium.tempDir();
            assertTrue(Files.isDirectory(profileDir.resolve("profile")));
        }
        assertFalse(chromium.isAlive(), "Chromium still running after close()");
        assertFalse(Files.exists(profileDir), "temporary profile left behind: " + profileDir);
    }

    @Test
    void shouldFailClearlyWhenChromiumIsMissing() {
        String previous = System.getProperty("junction.chromium");
        System.setProperty("junction.chromium", "/nonexistent/chromium");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, BrowserHarness::start);
            assertTrue(e.getMessage().contains("Chromium is not installed at /nonexistent/chromium"), e.getMessage());
        } finally {
            if (previous == null) System.clearProperty("junction.chromium");
            else System.setProperty("junction.chromium", previous);
        }
    }
}
