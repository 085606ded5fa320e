package dev.junction.gateway.loop;

import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.ProducerInfo;

/**
 * The sending end of a node pipe (issue 14): a room's Producers on this node, tapped on the room's home loop and
 * carried to another node, which feeds them to its own copy of the room ({@link NodePipeIn}). The cluster code
 * implements it (encryption, the UDP leg); the room's loop only taps Producers into it and tells it which
 * Producers come and go.
 *
 * <p>Threading: every method is called on the room's home loop here. Buffers: as {@link Producer.Tap}: packets
 * are borrowed for the call.
 */
public interface NodePipeOut extends Producer.Tap {

    /** A Producer the other node should make its copy of; it is tapped right after. */
    void onProducerAdded(ProducerInfo info);

    /** A Producer left (its publisher left): the other node drops its copy. */
    void onProducerRemoved(int producerId);

    /** The room closed on this loop (shutdown): nothing more comes. */
    void onRoomClosed();
}
