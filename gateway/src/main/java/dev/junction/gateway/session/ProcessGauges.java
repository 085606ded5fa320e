package dev.junction.gateway.session;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The process's resources for {@code /metrics}, the figures a churn run compares before and after (issue 12): heap
 * live after the last GC, direct memory (the JDK's direct buffers, Netty's own accounting and its pooled arenas),
 * threads and open file descriptors. Each is a gauge; -1 where the platform does not tell.
 *
 * <p>Threading: any thread; every value is read from the JVM's management beans or {@code /proc} on each scrape.
 */
final class ProcessGauges {

    private ProcessGauges() {
    }

    static void appendMetrics(StringBuilder out) {
        gauge(out, "junction_jvm_heap_after_gc_bytes", "Heap in use right after the last garbage collection (sum over the heap pools).",
                heapAfterGc());
        gauge(out, "junction_jvm_heap_used_bytes", "Heap in use now, garbage included.",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        gauge(out, "junction_jvm_direct_buffer_bytes", "Memory of the JDK's direct ByteBuffers (BufferPoolMXBean direct).",
                directBufferBytes());
        gauge(out, "junction_netty_direct_bytes", "Direct memory Netty allocated itself, outside the JDK's accounting (-1: not tracked).",
                PlatformDependent.usedDirectMemory());
        gauge(out, "junction_netty_pooled_direct_bytes", "Direct memory held by Netty's pooled allocator's arenas (grows to a working set, then stays).",
                PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
        gauge(out, "junction_process_threads", "Live threads of the JVM.", ManagementFactory.getThreadMXBean().getThreadCount());
        gauge(out, "junction_process_open_fds", "Open file descriptors of the process (/proc/self/fd; -1 elsewhere).", openFds());
    }

    static long heapAfterGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) continue;
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (afterGc != null) used += afterGc.getUsed();
        }
        return used;
    }

    /**
     * Direct memory in use: the JDK's direct buffers plus what Netty allocated outside the JDK's accounting (its
     * pooled arenas use one or the other, depending on what the JVM allows it).
     */
    static long directMemory() {
        return Math.max(0, directBufferBytes()) + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    private static long directBufferBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) return pool.getMemoryUsed();
        }
        return -1;
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own descriptor
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
