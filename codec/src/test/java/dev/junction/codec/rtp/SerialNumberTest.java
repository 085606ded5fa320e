package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SerialNumberTest {

    @Test
    void shouldOrderSequenceNumbersWithinHalfRange() {
        assertTrue(SerialNumber.isNewer16(2, 1));
        assertFalse(SerialNumber.isNewer16(1, 2));
        assertFalse(SerialNumber.isNewer16(7, 7));
        assertTrue(SerialNumber.isNewer16(0x7FFF, 0));
        assertFalse(SerialNumber.isNewer16(0x8001, 0), "more than half ahead means behind");
    }

    @Test
    void shouldTreatZeroAsNewerThan65535() {
        assertTrue(SerialNumber.isNewer16(0, 0xFFFF));
        assertTrue(SerialNumber.isNewer16(5, 0xFFF0));
        assertFalse(SerialNumber.isNewer16(0xFFFF, 0));
        assertEquals(1, SerialNumber.diff16(0, 0xFFFF));
        assertEquals(-1, SerialNumber.diff16(0xFFFF, 0));
        assertEquals(21, SerialNumber.diff16(5, 0xFFF0));
    }

    @Test
    void shouldBreakHalfRangeTieTowardsLargerValueAndNeverBothWays() {
        assertTrue(SerialNumber.isNewer16(0x8000, 0));
        assertFalse(SerialNumber.isNewer16(0, 0x8000));
        assertEquals(0x8000, SerialNumber.diff16(0x8000, 0));
        assertEquals(-0x8000, SerialNumber.diff16(0, 0x8000));
        assertTrue(SerialNumber.isNewer32(0x8000_0000L, 0));
        assertFalse(SerialNumber.isNewer32(0, 0x8000_0000L));
        assertEquals(0x8000_0000L, SerialNumber.diff32(0x8000_0000L, 0));
        assertEquals(-0x8000_0000L, SerialNumber.diff32(0, 0x8000_0000L));
    }

    @Test
    void shouldAgreeBetweenIsNewerAndDiffForEveryDistance() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            int a = random.nextInt(0x10000);
            int b = random.nextInt(0x10000);
            int d = SerialNumber.diff16(a, b);
            assertEquals(d > 0, SerialNumber.isNewer16(a, b), () -> a + " vs " + b);
            assertEquals(a, (b + d) & 0xFFFF, "diff must be the modular distance");
            if (a != b) {
                assertNotEquals(SerialNumber.isNewer16(a, b), SerialNumber.isNewer16(b, a));
            }
            long ta = random.nextLong() & 0xFFFF_FFFFL;
            long tb = random.nextLong() & 0xFFFF_FFFFL;
            long td = SerialNumber.diff32(ta, tb);
            assertEquals(td > 0, SerialNumber.isNewer32(ta, tb));
            assertEquals(ta, (tb + td) & 0xFFFF_FFFFL);
        }
    }

    @Test
    void shouldIgnoreBitsAboveTheFieldWidth() {
        assertTrue(SerialNumber.isNewer16(0x1_0001, 0xFFFF), "callers may pass unmasked ints");
        assertEquals(2, SerialNumber.diff16(0x7_0001, 0x3_FFFF));
        assertEquals(1, SerialNumber.diff32(0x1_0000_0000L, 0xFFFF_FFFFL));
    }

    @Test
    void shouldOrderTimestampsAcrossWrap() {
        assertTrue(SerialNumber.isNewer32(100, 0xFFFF_FF00L));
        assertEquals(356, SerialNumber.diff32(100, 0xFFFF_FF00L));
        assertEquals(-90_000, SerialNumber.diff32(10_000, 100_000));
        assertFalse(SerialNumber.isNewer32(10_000, 100_000));
    }

    @Test
    void shouldUnwrapForwardAcrossRollover() {
        assertEquals(0x1_0002L, SerialNumber.unwrap16(0xFFFE, 2));
        assertEquals(0x2_0000L, SerialNumber.unwrap16(0x1_FFFF, 0));
        assertEquals(0x1_0000_0010L, SerialNumber.unwrap32(0xFFFF_FFF0L, 0x10));
    }

    @Test
    void shouldUnwrapLatePacketIntoPreviousCycle() {
        // Highest is 0x1_0002 (cycle 1, seq 2); a reordered 0xFFFE still belongs to cycle 0.
        assertEquals(0xFFFEL, SerialNumber.unwrap16(0x1_0002, 0xFFFE));
        assertEquals(0, SerialNumber.rollovers16(0xFFFEL));
        assertEquals(1, SerialNumber.rollovers16(0x1_0002L));
        assertEquals(0xFFFF_FFF0L, SerialNumber.unwrap32(0x1_0000_0010L, 0xFFFF_FFF0L));
        assertEquals(1, SerialNumber.rollovers32(0x1_0000_0010L));
    }

    @Test
    void shouldCountRolloversWhileUnwrappingAStream() {
        SerialNumber.Unwrapper unwrapper = new SerialNumber.Unwrapper();
        assertEquals(-1, unwrapper.highest());
        assertEquals(65_530, unwrapper.unwrap(65_530));
        long expected = 65_530;
        for (int i = 0; i < 3 * 65_536 + 10; i++) {
            expected++;
            assertEquals(expected, unwrapper.unwrap((int) expected & 0xFFFF));
        }
        assertEquals(expected, unwrapper.highest());
        assertEquals(0x4_0004L, expected);
        assertEquals(4, unwrapper.rolloverCount());
        // A late packet from before the last rollover lands in cycle 3 and does not move the highest value back.
        long late = unwrapper.unwrap(0xFFF0);
        assertEquals(0x3_FFF0L, late);
        assertEquals(expected, unwrapper.highest());
        unwrapper.reset();
        assertEquals(0, unwrapper.rolloverCount());
        assertEquals(9, unwrapper.unwrap(9));
    }

    @Test
    void shouldUnwrapReorderedStreamToTheSameExtendedValues() {
        Random random = new Random(7);
        SerialNumber.Unwrapper unwrapper = new SerialNumber.Unwrapper();
        long start = 60_000;
        unwrapper.unwrap((int) start);
        for (long ext = start + 1; ext < start + 300_000; ext += 8) {
            // Deliver blocks of 8 in shuffled order: every packet must still land on its true value.
            long[] block = new long[8];
            for (int k = 0; k < 8; k++) {
                block[k] = ext + k;
            }
            for (int k = 7; k > 0; k--) {
                int j = random.nextInt(k + 1);
                long t = block[k];
                block[k] = block[j];
                block[j] = t;
            }
            for (long value : block) {
                assertEquals(value, unwrapper.unwrap((int) value & 0xFFFF));
            }
        }
    }
}
