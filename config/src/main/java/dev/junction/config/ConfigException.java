package dev.junction.config;

/** A setting that cannot be used. The message is one line that names the flag or key at fault. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
