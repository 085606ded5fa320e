/** Rooms: the routing of Producers (published tracks) to Consumers (subscriber slots), with RTP rewriting and keyframe feedback. */
package dev.junction.gateway.room;
