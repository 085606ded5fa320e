package dev.junction.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it made, so a test can assert that all of them were released now,
 * not when the leak detector happens to see a collected one. For fuzz targets and other tests that must prove
 * "nothing leaks" for each input. Not thread-safe: one test thread.
 */
public final class CountingAllocator extends AbstractByteBufAllocator {

    private final List<ByteBuf> buffers = new ArrayList<>();

    public CountingAllocator() {
        super(true); // direct by default, like a socket's reads
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    private ByteBuf remember(ByteBuf buf) {
        buffers.add(buf);
        return buf;
    }

    /** How many buffers it made. */
    public int allocated() {
        return buffers.size();
    }

    /** How many of them are not released yet. */
    public int unreleased() {
        int n = 0;
        for (ByteBuf b : buffers) if (b.refCnt() > 0) n++;
        return n;
    }
}
