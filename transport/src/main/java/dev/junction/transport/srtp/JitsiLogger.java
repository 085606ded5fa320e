package dev.junction.transport.srtp;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import org.jitsi.utils.logging2.Logger;

/**
 * The jitsi-srtp logger: info, warnings and errors go to {@link System.Logger} {@code org.jitsi.srtp} at
 * DEBUG level, debug and trace are dropped.
 *
 * <p>Why DEBUG: jitsi-srtp logs per packet (for example an error for every refused send-side replay), and
 * a peer or a bug could flood the log that way. {@link SrtpSession} counts every outcome per reason and
 * logs the first backend failure itself, so nothing is lost.
 *
 * <p>Why not jitsi's {@code LoggerImpl}: jitsi-srtp builds a debug {@code Supplier} lambda on every
 * unprotect. With empty {@code debug}/{@code trace} methods the JIT inlines the call and removes the
 * lambda, so the hot path allocates nothing. Every per-packet outcome is counted by {@link SrtpSession}
 * anyway. Stateless and thread-safe.
 */
final class JitsiLogger implements Logger {

    static final JitsiLogger INSTANCE = new JitsiLogger();

    private static final System.Logger LOG = System.getLogger("org.jitsi.srtp");

    private JitsiLogger() {
    }

    @Override
    public Logger createChildLogger(String name, Map<String, String> context) {
        return this;
    }

    @Override
    public Logger createChildLogger(String name) {
        return this;
    }

    @Override
    public void setUseParentHandlers(boolean useParentHandlers) {
    }

    @Override
    public void addHandler(Handler handler) {
    }

    @Override
    public void removeHandler(Handler handler) {
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public void trace(Object message) {
    }

    @Override
    public void trace(Supplier<String> message) {
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public void debug(Object message) {
    }

    @Override
    public void debug(Supplier<String> message) {
    }

    @Override
    public boolean isInfoEnabled() {
        return LOG.isLoggable(Level.DEBUG);
    }

    @Override
    public void info(Object message) {
        LOG.log(Level.DEBUG, String.valueOf(message));
    }

    @Override
    public void info(Supplier<String> message) {
        LOG.log(Level.DEBUG, message);
    }

    @Override
    public boolean isWarnEnabled() {
        return LOG.isLoggable(Level.DEBUG);
    }

    @Override
    public void warn(Object message) {
        LOG.log(Level.DEBUG, String.valueOf(message));
    }

    @Override
    public void warn(Supplier<String> message) {
        LOG.log(Level.DEBUG, message);
    }

    @Override
    public void warn(Object message, Throwable cause) {
        LOG.log(Level.DEBUG, String.valueOf(message), cause);
    }

    @Override
    public void error(Object message) {
        LOG.log(Level.DEBUG, String.valueOf(message));
    }

    @Override
    public void error(Supplier<String> message) {
        LOG.log(Level.DEBUG, message);
    }

    @Override
    public void error(Object message, Throwable cause) {
        LOG.log(Level.DEBUG, String.valueOf(message), cause);
    }

    @Override
    public void setLevelError() {
    }

    @Override
    public void setLevelWarn() {
    }

    @Override
    public void setLevelInfo() {
    }

    @Override
    public void setLevelDebug() {
    }

    @Override
    public void setLevelTrace() {
    }

    @Override
    public void setLevelAll() {
    }

    @Override
    public void setLevelOff() {
    }

    @Override
    public void setLevel(java.util.logging.Level level) {
    }

    @Override
    public java.util.logging.Level getLevel() {
        return java.util.logging.Level.WARNING;
    }

    @Override
    public void addContext(Map<String, String> context) {
    }

    @Override
    public void addContext(String key, String value) {
    }
}
