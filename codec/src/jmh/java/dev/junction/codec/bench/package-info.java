/** JMH benchmarks of codec hot paths (STUN integrity, RTP/RTCP parsing, SDP answers); run with ./junction bench codec. */
package dev.junction.codec.bench;
