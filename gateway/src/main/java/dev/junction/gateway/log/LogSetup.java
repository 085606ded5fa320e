package dev.junction.gateway.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.junction.config.LogSettings;
import java.io.OutputStream;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Points every log of the process at one Logback appender on stderr, as {@link LogSettings} says: plain text
 * (time, level, logger, message) or JSON lines (Logback's {@link JsonEncoder}), the root level and the levels per
 * logger prefix. java.util.logging (jitsi-srtp, Vert.x) is bridged in; System.Logger (our transport) comes through
 * slf4j-jdk-platform-logging; Netty finds SLF4J by itself.
 *
 * <p>Threading: call once at start, before the server; tests may call {@link #apply(LogSettings, OutputStream)}.
 */
public final class LogSetup {

    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36} %msg%n";

    private LogSetup() {
    }

    /** Configures logging to stderr. */
    public static void apply(LogSettings settings) {
        apply(settings, null);
    }

    /** As {@link #apply(LogSettings)}, to {@code out} instead of stderr (tests). */
    public static void apply(LogSettings settings, OutputStream out) {
        // Vert.x picks its log delegate when it first logs; SLF4J from the start.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        // java.util.logging's levels follow Logback's, so a library's disabled FINE call is refused by JUL itself
        // instead of becoming a LogRecord that SLF4J then drops (jitsi-srtp may log on the packet path).
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);
        Encoder<ILoggingEvent> encoder;
        if (settings.json()) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithContext(false);
            json.setWithNanoseconds(false);
            // The event as a reader wants it: the message with its arguments in place, not the template.
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(TEXT_PATTERN);
            encoder = text;
        }
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            appender = new OutputStreamAppender<>();
            appender.setOutputStream(out);
        }
        appender.setName(settings.json() ? "json" : "text");
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.toLevel(settings.level()));
        for (Map.Entry<String, String> e : settings.levels().entrySet()) {
            context.getLogger(e.getKey()).setLevel(Level.toLevel(e.getValue()));
        }
    }
}
