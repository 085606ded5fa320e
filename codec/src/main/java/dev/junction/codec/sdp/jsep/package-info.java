/** The JSEP answerer (RFC 8829 §5.3) for WHIP and WHEP, what it negotiated, and ICE candidates and trickle fragments. */
package dev.junction.codec.sdp.jsep;
