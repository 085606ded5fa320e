package dev.junction.gateway.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads as Netty {@code FastThreadLocalThread}s, like the media event loops the room runs on
 * in production. Netty keeps its per-thread pool cache and recycles {@code PooledByteBuf} and pool-cache
 * entry objects only on such threads; on JMH's plain platform threads every pooled allocation allocates
 * those objects anew (about 136 B per buffer), which would be measured as the room's garbage.
 *
 * <p>Selected in the fork with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=<this class>}; JMH calls the
 * {@code (int, String)} constructor.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {

    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
