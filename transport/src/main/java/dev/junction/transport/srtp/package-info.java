/** SRTP and SRTCP protection in place over heap {@code ByteBuf}s, keyed from DTLS-SRTP: AES-GCM over OpenSSL through FFM, jitsi-srtp for the rest. */
package dev.junction.transport.srtp;
