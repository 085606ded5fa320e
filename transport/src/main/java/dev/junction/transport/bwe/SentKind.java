package dev.junction.transport.bwe;

/** What a sent packet carried, as remembered by {@link SendHistory}. */
public enum SentKind {
    /** Media the application asked to send. */
    MEDIA,
    /** A retransmission (RTX) of media sent before. */
    RETRANSMISSION,
    /** Padding only, sent to fill a probe cluster when there is not enough media. */
    PADDING;

    private static final SentKind[] VALUES = values();

    static SentKind of(int ordinal) {
        return VALUES[ordinal];
    }
}
