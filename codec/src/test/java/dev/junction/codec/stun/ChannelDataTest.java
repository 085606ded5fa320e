package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.ChannelData.ParseResult;
import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TURN ChannelData (RFC 8656 §12.4, §12.5): the header, the channel range and the padding rules over UDP and over streams. */
class ChannelDataTest {

    private final ChannelData channelData = new ChannelData();

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParsePaddedFixtureAsStreamFrameAndAsDatagram(BufferShape shape) {
        ByteBuf buf = shape.copyOf(TurnFixtures.CHANNEL_DATA_PADDED);
        try {
            for (boolean stream : new boolean[] {true, false}) {
                assertEquals(ParseResult.OK, channelData.wrap(buf, buf.readerIndex(), buf.readableBytes(), stream));
                assertEquals(0x4001, channelData.channel());
                assertEquals(5, channelData.dataLength());
                assertEquals("hello", buf.toString(channelData.dataOffset(), 5, StandardCharsets.US_ASCII));
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldAcceptUnpaddedDatagramsButNotUnpaddedStreamFrames() {
        ByteBuf buf = Unpooled.wrappedBuffer(Arrays.copyOf(TurnFixtures.CHANNEL_DATA_PADDED, 9));
        assertEquals(ParseResult.OK, channelData.wrap(buf, 0, 9, false));
        assertEquals(ParseResult.BAD_PADDING, channelData.wrap(buf, 0, 9, true));
        assertFalse(channelData.isValid());
    }

    @Test
    void shouldDiscardShortOrTruncatedMessages() {
        ByteBuf buf = Unpooled.wrappedBuffer(TurnFixtures.CHANNEL_DATA_PADDED);
        assertEquals(ParseResult.TOO_SHORT, channelData.wrap(buf, 0, 3, false));
        assertEquals(ParseResult.TRUNCATED, channelData.wrap(buf, 0, 8, false));
        assertEquals(ParseResult.OUT_OF_BOUNDS, channelData.wrap(buf, 0, 13, false));
        assertEquals(ParseResult.OUT_OF_BOUNDS, channelData.wrap(buf, -1, 4, false));
        assertEquals(ParseResult.OUT_OF_BOUNDS, channelData.wrap(null, 0, 4, false));
        assertThrows(IllegalStateException.class, channelData::channel);
    }

    @Test
    void shouldDiscardChannelsOutsideTheBindableRange() {
        for (int channel : new int[] {0x0001, 0x3FFF, 0x5000, 0x7FFF, 0xFFFF}) {
            ByteBuf buf = Unpooled.buffer().writeShort(channel).writeShort(0);
            assertEquals(ParseResult.BAD_CHANNEL, channelData.wrap(buf, 0, 4, false), Integer.toHexString(channel));
        }
        assertTrue(ChannelData.isValidChannel(0x4000));
        assertTrue(ChannelData.isValidChannel(0x4FFF));
        assertFalse(ChannelData.isValidChannel(0x5000));
        assertTrue(ChannelData.isChannelData(0x40));
        assertTrue(ChannelData.isChannelData(0x7F));
        assertFalse(ChannelData.isChannelData(0x00));
        assertFalse(ChannelData.isChannelData(0x80));
    }

    @Test
    void shouldWritePaddingOnlyForStreams() {
        ByteBuf data = Unpooled.copiedBuffer("--hello--", StandardCharsets.US_ASCII);
        ByteBuf out = Unpooled.buffer();
        try {
            assertEquals(12, ChannelData.write(out, 0x4001, data, 2, 5, true));
            assertArrayEquals(TurnFixtures.CHANNEL_DATA_PADDED, StunFixtures.bytes(out));
            out.clear();
            assertEquals(9, ChannelData.write(out, 0x4001, data, 2, 5, false));
            assertArrayEquals(Arrays.copyOf(TurnFixtures.CHANNEL_DATA_PADDED, 9), StunFixtures.bytes(out));
            assertEquals(0, data.readerIndex());
        } finally {
            data.release();
            out.release();
        }
    }

    @Test
    void shouldFrameStreamsToMultiplesOfFour() {
        assertEquals(4, ChannelData.streamFrameLength(0));
        assertEquals(8, ChannelData.streamFrameLength(1));
        assertEquals(8, ChannelData.streamFrameLength(4));
        assertEquals(12, ChannelData.streamFrameLength(5));
        assertEquals(4 + 65536, ChannelData.streamFrameLength(0xFFFF));
    }

    @Test
    void shouldRefuseToWriteUnbindableChannels() {
        ByteBuf out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class, () -> ChannelData.writeHeader(out, 0x3FFF, 1));
            assertThrows(IllegalArgumentException.class, () -> ChannelData.writeHeader(out, 0x4000, 0x10000));
        } finally {
            out.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldRoundTripLargePayloadsInEveryShape(BufferShape shape) {
        byte[] payload = new byte[1301];
        new Random(12).nextBytes(payload);
        ByteBuf src = shape.copyOf(payload);
        ByteBuf out = Unpooled.directBuffer();
        try {
            int length = ChannelData.write(out, 0x4ABC, src, src.readerIndex(), payload.length, true);
            assertEquals(ChannelData.streamFrameLength(payload.length), length);
            assertEquals(ParseResult.OK, channelData.wrap(out, 0, length, true));
            byte[] read = new byte[channelData.dataLength()];
            out.getBytes(channelData.dataOffset(), read);
            assertArrayEquals(payload, read);
        } finally {
            src.release();
            out.release();
        }
    }

    @Test
    void shouldNeverThrowOnRandomBytes() {
        Random random = new Random(0x4000);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) b[0] = (byte) (0x40 | (b[0] & 0x0F));
            ByteBuf buf = Unpooled.wrappedBuffer(b);
            boolean stream = random.nextBoolean();
            assertDoesNotThrow(() -> {
                if (channelData.wrap(buf, 0, b.length, stream) == ParseResult.OK) {
                    assertTrue(channelData.dataOffset() + channelData.dataLength() <= b.length);
                    assertTrue(ChannelData.isValidChannel(channelData.channel()));
                }
            });
        }
    }
}
