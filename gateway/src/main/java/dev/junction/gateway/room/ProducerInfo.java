package dev.junction.gateway.room;

import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import java.util.Objects;

/**
 * What another media loop needs to make its copy of a Producer: the same id, the same publisher, the publisher's
 * m-section (payload types, extensions, simulcast layers), its place among the publisher's tracks and its join
 * order (so every loop fills slots alike). Immutable; handed across loops.
 */
public record ProducerInfo(int id, Object publisherKey, NegotiatedMedia media, int index, long joinOrder) {
    public ProducerInfo {
        Objects.requireNonNull(publisherKey, "publisherKey");
        Objects.requireNonNull(media, "media");
    }
}
