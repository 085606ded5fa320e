package dev.junction.transport.dtls;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * One direction of an in-memory "network" between two endpoints: the sender's sink hands each datagram
 * to the receiver's {@code handleDatagram} unless a seeded random loss or a filter drops it. Releases
 * every datagram it is given, as the socket layer will.
 */
final class MemoryLink implements DtlsDatagramSink {

    private final Random random;
    private final double lossRate;
    private volatile DtlsEndpoint target;
    private volatile Predicate<ByteBuf> dropFilter = datagram -> false;
    final AtomicInteger delivered = new AtomicInteger();
    final CompletableFuture<Void> firstDelivery = new CompletableFuture<>();
    final AtomicInteger dropped = new AtomicInteger();

    /** {@code random} may be shared by both directions; access is synchronized on it. */
    MemoryLink(Random random, double lossRate) {
        this.random = random;
        this.lossRate = lossRate;
    }

    void connectTo(DtlsEndpoint target) {
        this.target = target;
    }

    /** Drops the datagrams {@code filter} accepts (checked before the random loss). */
    void dropWhen(Predicate<ByteBuf> filter) {
        this.dropFilter = filter;
    }

    @Override
    public void send(ByteBuf datagram) {
        try {
            boolean lost;
            synchronized (random) {
                lost = dropFilter.test(datagram) || random.nextDouble() < lossRate;
            }
            if (lost) {
                dropped.incrementAndGet();
                return;
            }
            delivered.incrementAndGet();
            target.handleDatagram(datagram);
            firstDelivery.complete(null);
        } finally {
            datagram.release();
        }
    }
}
