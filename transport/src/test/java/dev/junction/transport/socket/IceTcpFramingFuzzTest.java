package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;

/**
 * Coverage-guided fuzzing of ICE-TCP's RFC 4571 framing (issue 10, hostile input): any byte stream, read in any
 * pieces, yields exactly the whole frames it contains, in order, and a partial frame left at the close is freed.
 * In the default test run Jazzer replays {@code IceTcpFramingFuzzTestInputs}; {@code ./junction fuzz} fuzzes it.
 */
class IceTcpFramingFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void readsInAnyPieces(FuzzedDataProvider data) {
        int[] pieces = new int[data.consumeInt(1, 16)];
        for (int i = 0; i < pieces.length; i++) pieces[i] = data.consumeInt(1, 70_000);
        byte[] stream = data.consumeRemainingAsBytes();

        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        EmbeddedChannel channel = new EmbeddedChannel();
        IceTcpConnection connection = new IceTcpConnection(new MediaLoop(0, channel.eventLoop()), new FrameReceiver() {
            @Override
            public void onFrame(IceTcpConnection c, ByteBuf frame, long nowNs) {
                byte[] bytes = ByteBufUtil.getBytes(frame);
                seen.write(bytes.length >> 8);
                seen.write(bytes.length);
                seen.writeBytes(bytes);
            }

            @Override
            public void onClosed(IceTcpConnection c) {
            }
        }, null);
        channel.pipeline().addLast(connection);
        channel.pipeline().fireChannelActive();
        for (int at = 0, i = 0; at < stream.length; i++) {
            int n = Math.min(stream.length - at, pieces[i % pieces.length]);
            channel.writeInbound(PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(stream, at, n));
            at += n;
        }
        // The frames seen, re-framed, are the stream up to its first incomplete frame.
        int whole = 0;
        while (stream.length - whole >= 2) {
            int length = ((stream[whole] & 0xFF) << 8) | (stream[whole + 1] & 0xFF);
            if (stream.length - whole < 2 + length) break;
            whole += 2 + length;
        }
        byte[] expected = java.util.Arrays.copyOf(stream, whole);
        assertEquals(expected.length, seen.size());
        assertArrayEquals(expected, seen.toByteArray());
        assertFalse(channel.finish());
    }
}
