/** DTLS 1.2 for DTLS-SRTP (RFC 5764) on bctls, both roles, sans socket: datagrams in, datagrams out, keys on success. */
package dev.junction.transport.dtls;
