/** {@code ./junction loadtest}: real WebRTC peers (ICE, DTLS, SRTP) against any WHIP/WHEP server. */
package dev.junction.loadtest;
