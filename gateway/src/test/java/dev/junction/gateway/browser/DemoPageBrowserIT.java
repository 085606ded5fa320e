package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's promise, checked as a person would: open the demo page that {@code GET /} serves, click
 * Publish, click Watch, and see the room's video decoding, then Stop both. Real headless Chromium driven
 * through chromedriver, inside the loopback-only namespace of the browser tests.
 */
@Tag("browser")
class DemoPageBrowserIT {

    @Test
    void shouldPublishAndWatchThroughTheDemoPage() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer();
             WebDriver browser = WebDriver.start()) {
            browser.open("http://127.0.0.1:" + server.httpPort() + "/");
            assertEquals("idle", browser.script("return document.querySelector('#watch [data-role=state]').textContent"));

            long startNs = System.nanoTime();
            browser.click("#publish [data-role=start]");
            browser.click("#watch [data-role=start]");
            int frames = 0;
            long deadline = startNs + TimeUnit.SECONDS.toNanos(20);
            while (frames <= 100 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(250_000_000);
                String shown = browser.script("return document.querySelector('#watch [data-stat=frames]').textContent");
                String digits = shown.replaceAll("[^0-9]", "");
                frames = digits.isEmpty() ? 0 : Integer.parseInt(digits);
            }
            String errors = browser.script("return [...document.querySelectorAll('[data-role=error]')].map(e => e.textContent).join(' | ')");
            assertTrue(frames > 100, "the Watch panel shows more than 100 decoded frames within 20 s; it shows " + frames
                    + ", states: " + browser.script("return [...document.querySelectorAll('[data-role=state]')].map(e => e.textContent).join(', ')")
                    + ", errors: " + errors);
            System.out.printf("demo page: Publish + Watch clicked, %d frames decoded after %d ms%n", frames,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            assertEquals(2, server.sessions().sessionCount(), "one WHIP and one WHEP session");

            // Stop sends DELETE for both sessions.
            browser.click("#watch [data-role=stop]");
            browser.click("#publish [data-role=stop]");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.sessions().sessionCount() > 0 && System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
            assertEquals(0, server.sessions().sessionCount(), "Stop ended both sessions on the server");
        }
    }

    /**
     * Issue 11, viewer control on the demo page: a simulcast publisher, a viewer whose panel shows its layer and why
     * (from the session's event stream), and the pin select capping it at the lowest layer through the layer
     * endpoint; auto lifts the cap again.
     */
    @Test
    void shouldShowTheViewersLayerAndPinOne() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer();
             WebDriver browser = WebDriver.start()) {
            browser.open("http://127.0.0.1:" + server.httpPort() + "/");
            browser.script("document.getElementById('simulcast').checked = true; return ''");
            browser.click("#publish [data-role=start]");
            browser.click("#watch [data-role=start]");
            String options = awaitScript(browser, "the pin select offers the publisher's layers",
                    "const s = document.querySelector('#watch [data-role=pin]');"
                            + " return s.disabled ? '' : [...s.options].map(o => o.value).join(',')",
                    v -> v.startsWith(",q"));
            awaitScript(browser, "the panel shows a layer", "return document.querySelector('#watch [data-stat=layer]').textContent",
                    v -> !v.isEmpty() && !v.equals("\u2013"));

            browser.script("const s = document.querySelector('#watch [data-role=pin]'); s.value = 'q';"
                    + " s.dispatchEvent(new Event('change')); return ''");
            awaitScript(browser, "the viewer pinned to q, for its preference",
                    "return document.querySelector('#watch [data-stat=layer]').textContent + ' / '"
                            + " + document.querySelector('#watch [data-stat=why]').textContent",
                    v -> v.startsWith("q / ") && v.contains("viewer preference"));
            String errors = browser.script("return [...document.querySelectorAll('[data-role=error]')].map(e => e.textContent).join('')");
            assertEquals("", errors, "no error shown");

            browser.script("const s = document.querySelector('#watch [data-role=pin]'); s.value = '';"
                    + " s.dispatchEvent(new Event('change')); return ''");
            String after = awaitScript(browser, "auto lifts the cap",
                    "return document.querySelector('#watch [data-stat=why]').textContent", v -> !v.contains("viewer preference"));
            System.out.printf("demo page: layers %s, pinned to q, then auto: %s%n", options, after);
        }
    }

    /** Polls {@code script} until its result passes {@code done}; fails with {@code what} and the last result after 30 s. */
    private static String awaitScript(WebDriver browser, String what, String script, java.util.function.Predicate<String> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = browser.script(script);
            if (last != null && done.test(last)) return last;
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
        }
        throw new AssertionError("timed out waiting for: " + what + "; last: " + last);
    }
}
