/** SDP (RFC 8866): a line-preserving model of session descriptions, its bounded parser and its writer. */
package dev.junction.codec.sdp;
