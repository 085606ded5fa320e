package dev.junction.gateway.session;

import dev.junction.transport.DropReason;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.socket.MediaLoop;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media side's warnings, never per packet: every {@link #PERIOD_S} s it compares the loops' counters with the
 * last look and logs one line for datagrams dropped past {@link #DROP_BURST} in the period (with the count per
 * reason), and one per loop whose bursts took longer than {@link #SLOW_BURST_NS}. A burst of the same trouble is
 * so one line per period, counted, however many packets it hits.
 *
 * <p>Threading: its own scheduled thread; reads counters published for other threads only.
 */
final class LogReporter implements AutoCloseable {

    static final long PERIOD_S = 10;
    /** Drops per period below which nothing is said (a few strays are normal on the internet). */
    static final long DROP_BURST = 1_000;
    /** A burst of a loop this slow delays every packet behind it. */
    static final long SLOW_BURST_NS = 50_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger("dev.junction.media");

    private final MediaDemux[] demuxes;
    private final List<MediaLoop> loops;
    private final long[] lastDrops = new long[DropReason.values().length];
    private final long[] lastSlow;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("junction-log-reporter").daemon().factory());

    LogReporter(MediaDemux[] demuxes, List<MediaLoop> loops) {
        this.demuxes = demuxes;
        this.loops = List.copyOf(loops);
        this.lastSlow = new long[loops.size()];
        report(); // the baseline
        timer.scheduleAtFixedRate(this::report, PERIOD_S, PERIOD_S, TimeUnit.SECONDS);
    }

    /** One look: logs what went wrong since the last one. Package-private for tests. */
    void report() {
        StringBuilder reasons = new StringBuilder();
        long total = 0;
        for (DropReason r : DropReason.values()) {
            long now = 0;
            for (MediaDemux d : demuxes) now += d.drops(r);
            long delta = now - lastDrops[r.ordinal()];
            lastDrops[r.ordinal()] = now;
            if (delta > 0) {
                total += delta;
                reasons.append(reasons.isEmpty() ? "" : ", ").append(r.name().toLowerCase(Locale.ROOT)).append('=').append(delta);
            }
        }
        if (total >= DROP_BURST) LOG.warn("media dropped {} datagrams in the last {} s: {}", total, PERIOD_S, reasons);
        for (int i = 0; i < loops.size(); i++) {
            long now = loops.get(i).burstLatency().countAbove(SLOW_BURST_NS);
            long delta = now - lastSlow[i];
            lastSlow[i] = now;
            if (delta > 0) LOG.warn("media loop {} was slow: {} burst(s) over {} ms in the last {} s", i, delta, SLOW_BURST_NS / 1_000_000, PERIOD_S);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
