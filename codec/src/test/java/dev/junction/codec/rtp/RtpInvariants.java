package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Runs every RTP read and rewrite over arbitrary bytes and checks the results are self-consistent. Used
 * by the mutation test and the fuzz test. The buffer has exactly the input's capacity, so any read past
 * the packet throws and fails the caller.
 */
final class RtpInvariants {

    private final RtpPacket rtp = new RtpPacket();
    private final RtpExtensionCursor cursor = new RtpExtensionCursor();
    private final byte[] idMap = new byte[256];

    /** Exercises {@code data}; returns whether it parsed as RTP. */
    boolean check(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data.clone());
        try {
            if (!rtp.wrap(buf, 0, data.length)) {
                assertNotEquals(RtpParseError.NONE, rtp.error());
                return false;
            }
            assertEquals(RtpParseError.NONE, rtp.error());
            int header = rtp.headerLength();
            assertTrue(header >= RtpPacket.FIXED_HEADER_LENGTH && header <= data.length);
            assertTrue(rtp.payloadLength() >= 0);
            assertEquals(data.length, header + rtp.payloadLength() + rtp.paddingLength());
            assertEquals(2, rtp.version());
            for (int i = 0; i < rtp.csrcCount(); i++) {
                rtp.csrc(i);
            }
            rtp.marker();
            rtp.payloadType();
            rtp.sequenceNumber();
            rtp.timestamp();
            rtp.ssrc();
            rtp.toString();

            int extStart = rtp.extensionDataOffset();
            int extEnd = extStart + rtp.extensionDataLength();
            int elements = 0;
            if (cursor.reset(rtp)) {
                int previousEnd = extStart;
                while (cursor.next()) {
                    elements++;
                    assertTrue(cursor.elementOffset() >= previousEnd, "elements never overlap");
                    assertTrue(cursor.dataOffset() + cursor.dataLength() <= extEnd, "element inside the block");
                    assertTrue(cursor.id() >= 1 && cursor.id() <= 255);
                    if (rtp.hasOneByteExtensions()) {
                        assertTrue(cursor.id() <= 14);
                    }
                    long found = rtp.findExtension(cursor.id());
                    assertNotEquals(RtpPacket.NOT_FOUND, found);
                    assertTrue(RtpPacket.foundOffset(found) <= cursor.dataOffset());
                    previousEnd = cursor.dataOffset() + cursor.dataLength();
                }
            }
            for (int id = 0; id < 256; id++) {
                long found = rtp.findExtension(id);
                if (found != RtpPacket.NOT_FOUND) {
                    assertTrue(RtpPacket.foundOffset(found) >= extStart);
                    assertTrue(RtpPacket.foundOffset(found) + RtpPacket.foundLength(found) <= extEnd);
                }
            }

            // Rewriting must never turn a valid packet into an invalid one or move its payload.
            int payloadOffset = rtp.payloadOffset();
            int payloadLength = rtp.payloadLength();
            for (int i = 0; i < idMap.length; i++) {
                idMap[i] = (byte) ((i * 7 + data.length) % 17);
            }
            int removed = rtp.rewriteExtensionIds(idMap);
            assertTrue(removed >= 0 && removed <= elements);
            rtp.setSsrc(0x01020304L);
            rtp.setSequenceNumber(data.length);
            rtp.setTimestamp(~data.length);
            rtp.setPayloadType(data.length);
            rtp.setMarker((data.length & 1) == 0);
            assertTrue(rtp.wrap(buf, 0, data.length), "rewritten packet still parses");
            assertEquals(payloadOffset, rtp.payloadOffset());
            assertEquals(payloadLength, rtp.payloadLength());
            assertEquals(0x01020304L, rtp.ssrc());
            assertEquals(data.length & 0xFFFF, rtp.sequenceNumber());
            return true;
        } finally {
            buf.release();
        }
    }
}
