/** Media UDP sockets on Netty event loops: one socket per loop, inbound release in one place, batched sends. */
package dev.junction.transport.socket;
