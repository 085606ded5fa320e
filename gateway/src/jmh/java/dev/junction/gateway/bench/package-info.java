/** Benchmarks of the room's per-packet path (forwarding to N subscribers); run with ./junction bench gateway. */
package dev.junction.gateway.bench;
