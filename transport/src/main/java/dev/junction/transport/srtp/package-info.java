/** SRTP and SRTCP protection in place over heap {@code ByteBuf}s, per-SSRC jitsi-srtp contexts keyed from DTLS-SRTP. */
package dev.junction.transport.srtp;
