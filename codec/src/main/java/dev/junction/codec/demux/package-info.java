/** RFC 7983 first-byte demultiplexing of one media port into STUN, DTLS, RTP and RTCP (RFC 5761 §4). */
package dev.junction.codec.demux;
