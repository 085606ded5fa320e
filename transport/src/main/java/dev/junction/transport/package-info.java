/** Sockets, ICE-lite, DTLS and SRTP for WebRTC sessions, and a client role of the same stack. */
package dev.junction.transport;
