/** STUN (RFC 8489, RFC 5389) for ICE and TURN (RFC 8656): an allocation-free message flyweight, a writer, MESSAGE-INTEGRITY, FINGERPRINT, SASLprep and TURN ChannelData. */
package dev.junction.codec.stun;
