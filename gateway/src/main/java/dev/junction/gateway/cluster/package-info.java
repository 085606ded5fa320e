/** Clustering (issue 14): membership over Vert.x's Hazelcast cluster manager, the room directory and placement; loaded only with {@code --cluster}. */
package dev.junction.gateway.cluster;
