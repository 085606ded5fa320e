package dev.junction.gateway.http;

import java.util.List;

/**
 * The ICE servers a WHIP/WHEP client is told about (RFC 9725 §4.6): {@code Link} header values with
 * {@code rel="ice-server"}, on every {@code 201 Created} and on {@code OPTIONS} of an endpoint. Credentials are
 * minted per call, so each response carries fresh time-limited ones.
 *
 * <p>Threading: called on a Vert.x event loop; must not block.
 */
@FunctionalInterface
public interface IceServerSource {

    /** No ICE servers: no {@code Link} headers. */
    IceServerSource NONE = List::of;

    /** The {@code Link} header values for one response, each a whole value. */
    List<String> links();
}
