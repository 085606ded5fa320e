package dev.junction.codec.sdp.jsep;

import java.util.OptionalLong;

/**
 * A stream the offerer announced with {@code a=ssrc} (RFC 5576), with its RTX SSRC from an
 * {@code a=ssrc-group:FID} pair (RFC 4588 §8.2). For a recvonly offer these are only the SSRCs the offerer
 * sends its RTCP reports from.
 *
 * @param ssrc    the primary SSRC, unsigned 32-bit
 * @param rtxSsrc the RTX SSRC, if the offer paired one
 * @param cname   the {@code cname} ssrc attribute, or empty
 */
public record RemoteSsrc(long ssrc, OptionalLong rtxSsrc, String cname) {
}
