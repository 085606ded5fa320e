/** STUN (RFC 8489, RFC 5389) for ICE: an allocation-free message flyweight, a writer, MESSAGE-INTEGRITY, FINGERPRINT and SASLprep. */
package dev.junction.codec.stun;
