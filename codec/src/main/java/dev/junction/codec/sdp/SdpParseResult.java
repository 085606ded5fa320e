package dev.junction.codec.sdp;

/** The outcome of {@link SdpParser#parse}: a description, or the one reason it was refused. */
public sealed interface SdpParseResult {

    /** The input was a well-formed description. */
    record Parsed(SessionDescription description) implements SdpParseResult {
    }

    /** The input was refused; nothing of it is kept. */
    record Failed(SdpParseError error) implements SdpParseResult {
    }
}
