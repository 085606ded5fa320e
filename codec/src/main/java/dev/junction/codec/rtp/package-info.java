/** RTP (RFC 3550) and RFC 8285 header extensions: allocation-free flyweights, in-place rewriting, a header writer and wrap-aware sequence arithmetic. */
package dev.junction.codec.rtp;
