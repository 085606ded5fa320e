package dev.junction.transport;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A session's local ICE ufrag as a hash key that a STUN message's USERNAME can be looked up by in place: a stored
 * key holds the ufrag's bytes; the demux's one probe is re-pointed at each message's bytes, so finding the
 * session a check names allocates nothing, even for the flood of forged and unknown ones.
 *
 * <p>Both kinds hash and compare the same bytes the same way, so a probe finds the stored key equal to it.
 * Threading: a probe belongs to its demux's loop.
 */
final class UfragKey {

    private byte[] bytes;
    private ByteBuf buf;
    private int offset;
    private int length;
    private int hash;

    /** A stored key for {@code ufrag}. */
    static UfragKey of(String ufrag) {
        UfragKey key = new UfragKey();
        key.bytes = ufrag.getBytes(StandardCharsets.UTF_8);
        key.length = key.bytes.length;
        int h = 1;
        for (byte b : key.bytes) h = 31 * h + b;
        key.hash = h;
        return key;
    }

    /** A probe, to be {@linkplain #point pointed} at each lookup's bytes. */
    static UfragKey probe() {
        return new UfragKey();
    }

    /** Points this probe at {@code length} bytes of {@code buf} from {@code offset}. */
    UfragKey point(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        int h = 1;
        for (int i = 0; i < length; i++) h = 31 * h + buf.getByte(offset + i);
        this.hash = h;
        return this;
    }

    /** Drops the probe's reference to the message's buffer once the lookup is done. */
    void clear() {
        buf = null;
    }

    private byte byteAt(int i) {
        return bytes != null ? bytes[i] : buf.getByte(offset + i);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof UfragKey other) || other.length != length || other.hash != hash) return false;
        for (int i = 0; i < length; i++) {
            if (byteAt(i) != other.byteAt(i)) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return bytes != null ? new String(bytes, StandardCharsets.UTF_8) : "probe";
    }
}
