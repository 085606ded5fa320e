package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The allocation-free copies agree with Netty's own bulk accessors for every length, offset and buffer shape. */
class BufferBytesTest {

    private static final byte[] DATA = new byte[300];

    static {
        for (int i = 0; i < DATA.length; i++) {
            DATA[i] = (byte) (i * 31 + 7);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldCopyOutAndInAtEveryLengthAndOffset(BufferShape shape) {
        ByteBuf buf = shape.copyOf(DATA);
        try {
            int base = buf.readerIndex();
            for (int index : new int[] {0, 1, 7, 8, 150}) {
                for (int length = 0; length <= 40; length++) {
                    byte[] out = new byte[length + 3];
                    BufferBytes.get(buf, base + index, out, 3, length);
                    assertArrayEquals(Arrays.copyOfRange(DATA, index, index + length), Arrays.copyOfRange(out, 3, length + 3));

                    byte[] in = new byte[length + 2];
                    Arrays.fill(in, (byte) 0x5A);
                    BufferBytes.set(buf, base + index, in, 2, length);
                    byte[] check = new byte[length];
                    buf.getBytes(base + index, check);
                    assertArrayEquals(Arrays.copyOfRange(in, 2, length + 2), check);
                    buf.setBytes(base + index, DATA, index, length); // restore
                }
            }
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldAppendAndGrow(BufferShape shape) {
        ByteBuf buf = shape.copyOf(new byte[3]);
        try {
            int before = buf.writerIndex();
            BufferBytes.write(buf, DATA, 5, 250);
            assertEquals(before + 250, buf.writerIndex());
            byte[] check = new byte[250];
            buf.getBytes(before, check);
            assertArrayEquals(Arrays.copyOfRange(DATA, 5, 255), check);
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldFeedTheSameBytesToCrcAndDigest(BufferShape shape) throws Exception {
        ByteBuf buf = shape.copyOf(DATA);
        try {
            byte[] scratch = new byte[16]; // smaller than the range: several chunks
            CRC32 crc = new CRC32();
            BufferBytes.update(crc, buf, buf.readerIndex() + 3, 290, scratch);
            CRC32 expectedCrc = new CRC32();
            expectedCrc.update(DATA, 3, 290);
            assertEquals(expectedCrc.getValue(), crc.getValue());

            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            BufferBytes.update(digest, buf, buf.readerIndex() + 3, 290, scratch);
            MessageDigest expected = MessageDigest.getInstance("SHA-1");
            expected.update(DATA, 3, 290);
            assertArrayEquals(expected.digest(), digest.digest());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldRefuseRangesOutsideTheBuffer(BufferShape shape) {
        ByteBuf buf = shape.copyOf(new byte[8]);
        try {
            byte[] b = new byte[64];
            assertThrows(IndexOutOfBoundsException.class, () -> BufferBytes.get(buf, -1, b, 0, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> BufferBytes.get(buf, buf.capacity() - 2, b, 0, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> BufferBytes.set(buf, buf.capacity() - 2, b, 0, 4));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> BufferBytes.update(new CRC32(), buf, buf.capacity() - 2, 4, new byte[16]));
        } finally {
            buf.release();
        }
    }
}
