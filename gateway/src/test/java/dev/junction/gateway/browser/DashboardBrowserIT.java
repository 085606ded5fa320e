package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.gateway.JunctionServer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's dashboard as an operator sees it, in real headless Chromium: while Junction's client-role stack
 * publishes into one room and the demo page publishes and watches in another (a background tab), the dashboard
 * tab loads uPlot from the server, its plots fill with points, the room table lists both rooms, and a click on
 * one shows its publisher's layers and its subscriber's loss, RTT and layer with the reason. The test leaves a
 * screenshot in {@code gateway/target/dashboard.png}.
 */
@Tag("browser")
class DashboardBrowserIT {

    @Test
    void shouldPlotLiveDataAndShowARoomsSessions() throws Exception {
        try (JunctionServer server = WhipWhepBrowserIT.startServer("--admin-token", "adm1n", "--media-loops", "2");
             WebDriver browser = WebDriver.start()) {
            String base = WhipWhepBrowserIT.baseUrl(server);
            browser.windowSize(1400, 2200);
            browser.open(base + "/?room=demo");
            browser.click("#publish [data-role=start]");
            browser.click("#watch [data-role=start]");
            try (ClientPublisher client = new ClientPublisher(base, "client-role")) {
                browser.newTab();
                browser.open(base + "/dashboard#token=adm1n");

                await(browser, "positive packets_in samples and three sessions",
                        "return state.names.length > 0 && state.data[state.names.indexOf('packets_in')].filter(v => v > 0).length >= 3"
                                + " && state.data[state.names.indexOf('sessions')].at(-1) === 3");
                for (String plot : new String[] {"packets", "bits", "sessions", "rooms", "busy", "lag", "memory", "cpu"}) {
                    int points = Integer.parseInt(browser.script("return document.querySelector('#plot-" + plot + "').dataset.points"));
                    assertTrue(points >= 3, plot + " has " + points + " points");
                }
                assertEquals("0", browser.script("return document.querySelectorAll('#plot-packets canvas').length === 0 ? '1' : '0'"),
                        "uPlot drew on a canvas");
                await(browser, "both rooms in the table",
                        "return [...document.querySelectorAll('#rooms tbody tr[data-room]')].map(r => r.dataset.room).join() === 'client-role,demo'");

                browser.click("#rooms tbody tr[data-room=demo]");
                await(browser, "the demo room's subscriber with its RTT and layer reason",
                        "const s = document.querySelectorAll('#detail .session'); return s.length === 2"
                                + " && /RTT \\d/.test(s[1].querySelector('h4').textContent)"
                                + " && s[1].textContent.includes('highest active layer')");
                String detail = browser.script("return document.querySelector('#detail').innerText");
                assertTrue(detail.contains("Publisher") && detail.contains("Subscriber") && detail.contains("active"), detail);
                await(browser, "the RTT plot's first point", "return state.data[state.names.indexOf('rtt_p50')].some(v => v != null)");
                assertEquals("live", browser.script("return document.querySelector('#status').textContent"));
                Path shot = Path.of("target", "dashboard.png");
                browser.screenshot(shot);
                System.out.printf("dashboard: screenshot in %s; room detail:%n%s%n", shot.toAbsolutePath(), detail);
            }
        }
    }

    /** Waits until {@code script} returns true in the page (the sampler runs once a second), at most 60 s. */
    private static void await(WebDriver browser, String what, String script) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"true".equals(browser.script(script))) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; the page shows: "
                    + browser.script("return document.querySelector('#status').textContent + ' | ' + document.body.innerText.slice(0, 600)"));
            LockSupport.parkNanos(200_000_000);
        }
    }
}
