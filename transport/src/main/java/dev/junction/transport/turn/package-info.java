/** The sans-IO core of the embedded TURN server (RFC 8656, RFC 5766 clients): allocations, permissions, channels, REST credentials, the not-open-relay policy and quotas. */
package dev.junction.transport.turn;
