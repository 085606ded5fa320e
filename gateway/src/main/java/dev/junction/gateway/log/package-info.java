/** Logging: the one Logback setup every library of the process logs into. */
package dev.junction.gateway.log;
