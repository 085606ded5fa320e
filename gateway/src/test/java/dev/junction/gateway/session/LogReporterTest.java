package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Drop bursts are one counted line per period, never a line per packet; a few strays say nothing. */
class LogReporterTest {

    @Test
    void shouldReportADropBurstOnceWithItsCountsAndStayQuietBelowIt() {
        Logger media = (Logger) LoggerFactory.getLogger("dev.junction.media");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        media.addAppender(lines);
        MediaDemux demux = new MediaDemux();
        try (MediaPlane plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> demux);
             LogReporter reporter = new LogReporter(new MediaDemux[] {demux}, plane.loops())) {
            garbage(demux, 10);
            reporter.report();
            assertEquals(List.of(), lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList(), "10 strays: nothing said");
            garbage(demux, 2_500);
            reporter.report();
            reporter.report();
            assertEquals(List.of("media dropped 2500 datagrams in the last 10 s: not_webrtc=2500"),
                    lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList(), "one line for the burst, counted");
        } finally {
            media.detachAppender(lines);
        }
    }

    /** Datagrams no WebRTC class claims (first byte 0xFF): the demux drops them as not_webrtc before any lookup. */
    private static void garbage(MediaDemux demux, int count) {
        ByteBuf junk = Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, 1, 2, 3});
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 9);
        try {
            for (int i = 0; i < count; i++) demux.onDatagram(null, junk, from, System.nanoTime());
        } finally {
            junk.release(); // borrowed by the demux, ours to free
        }
    }
}
