/** The JSEP answerer (RFC 8829 §5.3) for Junction's side of WHIP and WHEP, and what it negotiated. */
package dev.junction.codec.sdp.jsep;
