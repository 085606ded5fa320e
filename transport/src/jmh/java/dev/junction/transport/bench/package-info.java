/** Benchmarks of the transport per-packet path (SRTP, loopback forwarding); run with ./junction bench transport. */
package dev.junction.transport.bench;
