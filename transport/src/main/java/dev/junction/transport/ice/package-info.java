/** Sans-IO ICE cores (RFC 8445, RFC 7675): the gateway's lite, controlled agent and the client role's controlling agent. */
package dev.junction.transport.ice;
