package dev.junction.codec.sdp.jsep;

/**
 * One simulcast stream Junction receives (RFC 8853): its rid, as carried in the RtpStreamId header extension
 * (RFC 8852), and whether the offer started it paused ({@code ~}).
 */
public record SimulcastLayer(String rid, boolean paused) {
}
