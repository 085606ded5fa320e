/** The session layer: WHIP/WHEP offers become WebRtcTransports registered with Rooms on the media loops. */
package dev.junction.gateway.session;
