/** The Vert.x HTTP control plane: WHIP/WHEP resources (RFC 9725), CORS, health, metrics and the demo page. */
package dev.junction.gateway.http;
