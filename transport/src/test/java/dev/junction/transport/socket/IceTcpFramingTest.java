package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 4571 framing of {@link IceTcpConnection}, in an {@link EmbeddedChannel}: reads split anywhere, writes, bounds. */
class IceTcpFramingTest {

    /** Collects each frame's bytes; counts closes. */
    private static final class Frames implements FrameReceiver {
        final List<byte[]> frames = new ArrayList<>();
        int closed;

        @Override
        public void onFrame(IceTcpConnection connection, ByteBuf frame, long nowNs) {
            frames.add(ByteBufUtil.getBytes(frame));
        }

        @Override
        public void onClosed(IceTcpConnection connection) {
            closed++;
        }
    }

    private final Frames received = new Frames();

    private IceTcpConnection connectionOn(EmbeddedChannel channel) {
        IceTcpConnection connection = new IceTcpConnection(new MediaLoop(0, channel.eventLoop()), received, null);
        channel.pipeline().addLast(connection);
        channel.pipeline().fireChannelActive();
        return connection;
    }

    @Test
    void shouldDeliverEveryFrameWhereverTheReadsSplitThem() {
        int[] sizes = {0, 1, 2, 20, 100, 1200, 1500, 65_535, 3, 0, 1300};
        Random random = new Random(4571);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<byte[]> sent = new ArrayList<>();
        for (int size : sizes) {
            byte[] frame = new byte[size];
            random.nextBytes(frame);
            sent.add(frame);
            stream.write(size >> 8);
            stream.write(size);
            stream.writeBytes(frame);
        }
        byte[] wire = stream.toByteArray();
        for (int seed = 0; seed < 50; seed++) {
            received.frames.clear();
            EmbeddedChannel channel = new EmbeddedChannel();
            connectionOn(channel);
            Random chop = new Random(seed);
            for (int at = 0; at < wire.length; ) {
                // Mostly small reads (a length split in two), sometimes large ones carrying several frames.
                int n = Math.min(wire.length - at, chop.nextInt(4) == 0 ? 1 + chop.nextInt(70_000) : 1 + chop.nextInt(3));
                channel.writeInbound(PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(wire, at, n));
                at += n;
            }
            assertEquals(sent.size(), received.frames.size(), "seed " + seed);
            for (int i = 0; i < sent.size(); i++) assertArrayEquals(sent.get(i), received.frames.get(i), "frame " + i + ", seed " + seed);
            assertFalse(channel.finish());
        }
    }

    @Test
    void shouldFreeAPartialFrameWhenTheConnectionCloses() {
        EmbeddedChannel channel = new EmbeddedChannel();
        connectionOn(channel);
        channel.writeInbound(PooledByteBufAllocator.DEFAULT.directBuffer(5).writeBytes(new byte[] {0x04, 0x00, 1, 2, 3}));
        assertTrue(received.frames.isEmpty(), "a 1024-byte frame of which 3 bytes came");
        assertFalse(channel.finish()); // closes: the held start of the frame is released (the leak check would fail)
        assertEquals(1, received.closed);
    }

    @Test
    void shouldFrameWritesAndFlushThemWhenTheBurstEnds() {
        EmbeddedChannel channel = new EmbeddedChannel();
        IceTcpConnection connection = connectionOn(channel);
        connection.loop().beginBurst(System.nanoTime());
        assertTrue(connection.write(PooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(new byte[] {9, 8, 7}), false));
        assertTrue(connection.write(PooledByteBufAllocator.DEFAULT.heapBuffer(), true), "an empty packet is a valid frame");
        assertNull(channel.readOutbound(), "queued until the burst ends");
        connection.loop().endBurst();
        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        assertArrayEquals(new byte[] {0, 3, 9, 8, 7}, ByteBufUtil.getBytes(first));
        assertArrayEquals(new byte[] {0, 0}, ByteBufUtil.getBytes(second));
        first.release();
        second.release();
        assertFalse(channel.finish());
    }

    /** A peer that does not read (nothing leaves during the burst): media past the high water mark is dropped, control up to twice that. */
    @Test
    void shouldDropMediaPastTheHighWaterMarkAndControlPastTwiceIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(4096, 8192));
        IceTcpConnection connection = connectionOn(channel);
        connection.loop().beginBurst(System.nanoTime());
        int media = 0;
        while (media < 100 && connection.write(packet(1000), true)) media++;
        assertTrue(media >= 8 && media <= 10, media + " media packets queued before the 8 KiB mark");
        assertEquals(1, connection.sendDrops());
        int control = 0;
        while (control < 100 && connection.write(packet(1000), false)) control++;
        assertTrue(control >= 7 && control <= 10, control + " more control packets up to twice the mark");
        assertEquals(2, connection.sendDrops());
        assertFalse(connection.write(packet(1000), true));
        assertEquals(3, connection.sendDrops());
        connection.loop().endBurst();
        assertTrue(connection.write(packet(1000), true), "the queue left: media is taken again");
        channel.runPendingTasks();
        for (Object o; (o = channel.readOutbound()) != null; ) ((ByteBuf) o).release();
        assertFalse(channel.finish());
    }

    @Test
    void shouldRefuseWritesAfterClose() {
        EmbeddedChannel channel = new EmbeddedChannel();
        IceTcpConnection connection = connectionOn(channel);
        channel.close();
        assertFalse(connection.write(packet(10), true));
        assertEquals(1, connection.sendDrops());
        assertFalse(channel.finish());
    }

    private static ByteBuf packet(int size) {
        return PooledByteBufAllocator.DEFAULT.heapBuffer(size).writeZero(size);
    }
}
