/** Transport paths (one 5-tuple each: UDP now, TCP and TURN later) and the table that binds them to sessions. */
package dev.junction.transport.path;
