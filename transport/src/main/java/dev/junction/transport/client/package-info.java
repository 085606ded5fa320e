/** The client role's SDP side: a browser-shaped offer and the reading of a WHIP/WHEP server's answer. */
package dev.junction.transport.client;
