/** RTCP (RFC 3550, RFC 4585, RFC 5104, REMB, transport-wide CC feedback): allocation-free compound iteration, packet flyweights and writers. */
package dev.junction.codec.rtcp;
