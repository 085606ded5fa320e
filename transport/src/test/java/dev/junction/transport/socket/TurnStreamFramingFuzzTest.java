package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.codec.testing.CountingAllocator;
import dev.junction.transport.turn.TurnFiveTuple;
import dev.junction.transport.turn.TurnTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of TURN over TCP and TLS stream framing (RFC 8656 §12.5, issue 10, hostile input):
 * {@link TurnStreamConnection} in an {@link EmbeddedChannel}, fed any byte stream cut into any pieces.
 * <ul>
 *   <li>The owner sees exactly the stream's whole frames, in order, each frame's readable bytes exactly one frame:
 *       a STUN message is its 20-byte header plus its length; a ChannelData message is its 4-byte header plus its
 *       length padded to a multiple of four (RFC 8656 §12.5, TCP and TLS only);</li>
 *   <li>the first header that is neither (top bits 10 or 11) closes the connection and is reported once as garbage;
 *       a frame still incomplete at the end is never delivered;</li>
 *   <li>the connection counts as authenticated once, only after the owner says an allocation exists;</li>
 *   <li>each frame the owner writes back goes out unchanged, in order (until garbage closes the connection);</li>
 *   <li>nothing throws, and when the channel closes every buffer (reads, the partial-frame copy, writes) is
 *       released: the channel's allocator counts them.</li>
 * </ul>
 * Input: byte 0 chooses how many read sizes follow (1 to 8, two bytes each); the rest is the stream. In the default
 * test run Jazzer replays {@code TurnStreamFramingFuzzTestInputs}; {@code ./junction fuzz} fuzzes it.
 */
class TurnStreamFramingFuzzTest {

    /** An embedded channel with IP addresses, as an accepted TCP connection has. */
    private static final class Accepted extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("192.0.2.7", 40000);
        }

        @Override
        protected SocketAddress localAddress0() {
            return new InetSocketAddress("203.0.113.1", 3478);
        }
    }

    /** The owner: records frames, echoes them back, says an allocation exists after {@code allocatedAfter} frames. */
    private static final class Recorder implements TurnStreamConnection.Owner {
        final List<byte[]> frames = new ArrayList<>();
        final int allocatedAfter;
        int opened;
        int authenticated;
        int framesAtAuthentication = -1;
        int garbage;
        int errors;
        int closed;
        AssertionError failure;

        Recorder(int allocatedAfter) {
            this.allocatedAfter = allocatedAfter;
        }

        @Override
        public void onStreamOpened(TurnStreamConnection connection) {
            opened++;
        }

        @Override
        public boolean hasAllocation(TurnFiveTuple tuple, long nowNs) {
            return frames.size() >= allocatedAfter;
        }

        @Override
        public void onStreamAuthenticated(TurnStreamConnection connection) {
            authenticated++;
            framesAtAuthentication = frames.size();
        }

        @Override
        public void onStreamFrame(TurnStreamConnection connection, ByteBuf frame, long nowNs) {
            try {
                assertTrue(frame.refCnt() > 0);
                byte[] bytes = ByteBufUtil.getBytes(frame);
                frames.add(bytes);
                assertTrue(connection.write(frameCopy(frame), (bytes[0] & 0xC0) == 0x40), "an echo under the high-water mark");
            } catch (AssertionError e) {
                failure = e; // NOTE: thrown here it would reach exceptionCaught and close the channel, unreported
            }
        }

        private static ByteBuf frameCopy(ByteBuf frame) {
            return frame.alloc().directBuffer(frame.readableBytes()).writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        }

        @Override
        public void onStreamGarbage(TurnStreamConnection connection) {
            garbage++;
        }

        @Override
        public void onStreamError(TurnStreamConnection connection) {
            errors++;
        }

        @Override
        public void onStreamClosed(TurnStreamConnection connection) {
            closed++;
        }
    }

    @FuzzTest(maxDuration = "30s")
    void readsInAnyPieces(byte[] input) {
        if (input.length < 3) return;
        int sizeCount = 1 + (input[0] & 7);
        int[] pieces = new int[sizeCount];
        int at = 1;
        for (int i = 0; i < sizeCount; i++, at += 2) {
            pieces[i] = at + 1 < input.length ? 1 + (((input[at] & 0xFF) << 8 | (input[at + 1] & 0xFF)) * 2) : 1 + i;
        }
        at = Math.min(at, input.length);
        byte[] stream = java.util.Arrays.copyOfRange(input, at, input.length);

        CountingAllocator allocator = new CountingAllocator();
        Accepted channel = new Accepted();
        channel.config().setAllocator(allocator);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1 << 29, 1 << 30)); // echoes are never dropped
        Recorder owner = new Recorder(input[0] >> 3 & 0x0F);
        TurnStreamConnection connection = new TurnStreamConnection(owner, new MediaLoop(0, channel.eventLoop()),
                (input[0] & 0x80) == 0 ? TurnTransport.TCP : TurnTransport.TLS);
        channel.pipeline().addLast(connection);
        assertEquals(1, owner.opened);
        List<ByteBuf> echoed = new ArrayList<>();
        for (int offset = 0, i = 0; offset < stream.length && channel.isOpen(); i++) {
            int n = Math.min(stream.length - offset, pieces[i % pieces.length]);
            channel.writeInbound(allocator.directBuffer(n).writeBytes(stream, offset, n));
            offset += n;
            for (ByteBuf out; (out = channel.readOutbound()) != null; ) echoed.add(out);
        }

        Expected expected = Expected.of(stream);
        assertEquals(expected.frames.size(), owner.frames.size(), "frames delivered");
        for (int i = 0; i < expected.frames.size(); i++) assertArrayEquals(expected.frames.get(i), owner.frames.get(i), "frame " + i);
        assertEquals(expected.garbage ? 1 : 0, owner.garbage, "garbage reported");
        assertEquals(!expected.garbage, channel.isOpen(), "open unless garbage");
        if (owner.failure != null) throw owner.failure;
        assertEquals(0, owner.errors);
        assertTrue(owner.authenticated <= 1, "authenticated twice");
        if (owner.authenticated == 1) assertTrue(owner.framesAtAuthentication >= owner.allocatedAfter);
        else assertTrue(expected.garbage || stream.length == 0 || owner.frames.size() < owner.allocatedAfter, "never authenticated");
        // Garbage closes the connection at once: echoes of that read's frames are dropped with it (and released).
        if (expected.garbage) assertTrue(echoed.size() <= owner.frames.size(), "echoes written");
        else assertEquals(owner.frames.size(), echoed.size(), "echoes written");
        for (int i = 0; i < echoed.size(); i++) {
            assertArrayEquals(owner.frames.get(i), ByteBufUtil.getBytes(echoed.get(i)), "echo " + i);
            echoed.get(i).release();
        }

        assertFalse(channel.finish());
        assertEquals(1, owner.closed);
        assertEquals(0, allocator.unreleased(), "buffers left unreleased of " + allocator.allocated());
    }

    /** The stream's frames by RFC 8656 §12.5, restated: whole ones only, up to the first that is neither kind. */
    private record Expected(List<byte[]> frames, boolean garbage) {
        static Expected of(byte[] s) {
            List<byte[]> frames = new ArrayList<>();
            int at = 0;
            while (s.length - at >= 4) {
                int top = s[at] & 0xC0;
                int length = (s[at + 2] & 0xFF) << 8 | (s[at + 3] & 0xFF);
                int frame;
                if (top == 0) frame = 20 + length;                                 // STUN: header + attributes
                else if (top == 0x40) frame = 4 + (length + 3) / 4 * 4;            // ChannelData, padded on a stream
                else return new Expected(frames, true);
                if (s.length - at < frame) break;
                frames.add(java.util.Arrays.copyOfRange(s, at, at + frame));
                at += frame;
            }
            return new Expected(frames, false);
        }
    }
}
