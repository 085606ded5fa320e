package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.MediaSettings;
import io.netty.channel.epoll.Epoll;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The kernel's per-socket drops and receive queue, parsed from /proc/net/udp, and found for a real socket. */
class KernelUdpTableTest {

    /** Lines captured from this machine's /proc/net/udp and /proc/net/udp6 (47 drops on a 4 KiB buffer). */
    private static final List<String> CAPTURED = List.of(
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ",
            " 8509: 0100007F:CDB4 00000000:0000 07 00000000:00001B00 00:00000000 00000000     0        0 1087533 2 00000000e8eab1ef 47      ",
            "13287: 00000000:A05E 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1087535 2 000000002eb44d1b 0       ",
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
            " 5237: 00000000000000000000000001000000:80EC 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1087534 2 00000000d982e913 0",
            " 5238: truncated line",
            " 5239: 0100007F:ZZZZ 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0 0");

    @Test
    void shouldParseDropsAndQueueByInode() {
        KernelUdpTable table = KernelUdpTable.parse(CAPTURED);
        assertEquals(new KernelUdpTable.Entry(47, 0x1B00), table.entry(1087533, 0));
        assertEquals(new KernelUdpTable.Entry(0, 0), table.entry(1087534, 0));
        assertEquals(KernelUdpTable.UNKNOWN, table.entry(1, 0), "a line with a malformed port is skipped");
    }

    @Test
    void shouldFallBackToThePortOnlyWhereItIsUnambiguous() {
        KernelUdpTable table = KernelUdpTable.parse(CAPTURED);
        assertEquals(new KernelUdpTable.Entry(47, 0x1B00), table.entry(0, 0xCDB4));
        assertEquals(new KernelUdpTable.Entry(0, 0), table.entry(0, 0x80EC), "IPv6 ::1 port 33004");
        List<String> twoOnOnePort = List.of(CAPTURED.get(1), CAPTURED.get(1).replace("1087533", "1087599"));
        assertEquals(KernelUdpTable.UNKNOWN, KernelUdpTable.parse(twoOnOnePort).entry(0, 0xCDB4));
        assertEquals(KernelUdpTable.UNKNOWN, table.entry(0, 9), "no socket on the port");
    }

    /**
     * A stalled loop: its socket's receive buffer fills, the kernel drops the rest and the table shows it; once
     * the loop runs again the queue drains and the socket carries traffic as before.
     */
    @Test
    void shouldSeeTheKernelDropForAStalledLoopsSocket() throws Exception {
        // Junction's media plane is Linux-first (epoll, GSO) and CI is Linux: a missing table is a failure, not a skip.
        assertTrue(Files.isReadable(Path.of("/proc/net/udp")), "no /proc/net/udp on this machine");
        AtomicLong received = new AtomicLong();
        try (MediaPlane plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")),
                     i -> (socket, content, sender, nowNs) -> received.incrementAndGet());
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            MediaSocket socket = plane.sockets().getFirst();
            assertEquals(Epoll.isAvailable(), socket.inode() > 0, "the inode is known on epoll");
            KernelUdpTable.Entry before = KernelUdpTable.read().lookup(socket);
            assertEquals(0, before.drops(), "a new socket has dropped nothing: " + before);

            CompletableFuture<Void> release = new CompletableFuture<>(); // join() waits uninterruptibly
            CountDownLatch stalled = new CountDownLatch(1);
            socket.eventLoop().execute(() -> {
                stalled.countDown();
                release.join();
            });
            KernelUdpTable.Entry full;
            int sent;
            try {
                assertTrue(stalled.await(10, TimeUnit.SECONDS));
                // Each datagram costs its payload plus the kernel's overhead against the buffer: twice the buffer
                // in payload bytes overflows it whatever the overhead. A loopback send is delivered (or dropped)
                // before it returns.
                byte[] payload = new byte[1000];
                sent = 2 * socket.receiveBufferBytes() / payload.length + 100;
                for (int i = 0; i < sent; i++) client.send(new DatagramPacket(payload, payload.length, socket.localAddress()));
                full = KernelUdpTable.read().lookup(socket);
            } finally {
                release.complete(null);
            }

            assertTrue(full.drops() > 0 && full.drops() < sent, "the kernel dropped part of " + sent + ": " + full);
            assertTrue(full.receiveQueueBytes() > 0, "datagrams were queued unread: " + full);
            long delivered = sent - full.drops();
            awaitCondition(() -> received.get() == delivered, () -> received + " of " + delivered + " delivered");
            awaitCondition(() -> KernelUdpTable.read().lookup(socket).receiveQueueBytes() == 0, () -> "queue drained");
            for (int i = 0; i < 10; i++) client.send(new DatagramPacket(new byte[1000], 1000, socket.localAddress()));
            awaitCondition(() -> received.get() == delivered + 10, () -> received + " of " + (delivered + 10) + " after the stall");
            assertEquals(full.drops(), KernelUdpTable.read().lookup(socket).drops(), "nothing dropped once the loop ran again");
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + state.get());
            LockSupport.parkNanos(1_000_000);
        }
    }
}
