/** The product: the WHIP/WHEP HTTP API, rooms and forwarding, {@code main}. */
package dev.junction.gateway;
