package dev.junction.codec.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Runs the compound walk and every packet flyweight over arbitrary bytes and checks that what they
 * report is self-consistent. Shared by the mutation test and the fuzz tests. Buffers have exactly the
 * input's capacity, so a read past the input throws and fails the caller.
 */
final class RtcpInvariants {

    private final RtcpCompound compound = new RtcpCompound();
    private final SenderReport sr = new SenderReport();
    private final ReceiverReport rr = new ReceiverReport();
    private final ReportBlock block = new ReportBlock();
    private final SourceDescription sdes = new SourceDescription();
    private final Goodbye bye = new Goodbye();
    private final GenericNack nack = new GenericNack();
    private final PictureLossIndication pli = new PictureLossIndication();
    private final FullIntraRequest fir = new FullIntraRequest();
    private final Remb remb = new Remb();
    private final TransportCcFeedback twcc = new TransportCcFeedback();

    /** Walks {@code data} as a compound packet and tries every flyweight on every packet; returns the packet count. */
    int checkCompound(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data.clone());
        try {
            assertTrue(compound.wrap(buf, 0, data.length));
            int expectedOffset = 0;
            int packets = 0;
            while (compound.next()) {
                assertEquals(packets, compound.index());
                assertEquals(expectedOffset, compound.offset(), "packets are contiguous");
                assertTrue(compound.length() >= RtcpHeader.LENGTH && compound.length() % 4 == 0);
                assertTrue(compound.offset() + compound.length() <= data.length);
                assertTrue(compound.paddingLength() <= compound.length() - RtcpHeader.LENGTH);
                checkPacket(buf, compound.offset(), compound.length());
                expectedOffset += compound.length();
                packets++;
            }
            if (compound.error() == RtcpParseError.NONE) {
                assertEquals(data.length, expectedOffset, "a clean walk consumes everything");
                assertTrue(compound.isComplete());
            } else {
                assertTrue(expectedOffset < data.length || data.length == 0);
            }
            return packets;
        } finally {
            buf.release();
        }
    }

    /** Tries every flyweight on {@code data} as one packet; returns how many accepted it. */
    int checkSingle(byte[] data) {
        ByteBuf buf = Unpooled.wrappedBuffer(data.clone());
        try {
            return checkPacket(buf, 0, data.length);
        } finally {
            buf.release();
        }
    }

    private int checkPacket(ByteBuf buf, int offset, int length) {
        int end = offset + length;
        int accepted = 0;
        if (sr.wrap(buf, offset, length)) {
            accepted++;
            sr.senderSsrc();
            sr.ntpTimestamp();
            sr.compactNtp();
            sr.rtpTimestamp();
            sr.packetCount();
            sr.octetCount();
            for (int i = 0; i < sr.reportCount(); i++) {
                readBlock(sr.reportBlock(i, block));
            }
        }
        if (rr.wrap(buf, offset, length)) {
            accepted++;
            rr.senderSsrc();
            for (int i = 0; i < rr.reportCount(); i++) {
                readBlock(rr.reportBlock(i, block));
            }
        }
        if (sdes.wrap(buf, offset, length)) {
            accepted++;
            int chunks = 0;
            while (sdes.nextChunk()) {
                chunks++;
                sdes.chunkSsrc();
                while (sdes.nextItem()) {
                    assertNotEquals(SourceDescription.END, sdes.itemType());
                    assertTrue(sdes.itemOffset() >= offset && sdes.itemOffset() + sdes.itemLength() <= end);
                    sdes.itemText();
                }
            }
            assertEquals(sdes.chunkCount(), chunks);
        }
        if (bye.wrap(buf, offset, length)) {
            accepted++;
            for (int i = 0; i < bye.sourceCount(); i++) {
                bye.source(i);
            }
            if (bye.hasReason()) {
                assertTrue(bye.reasonOffset() + bye.reasonLength() <= end);
            }
            bye.reasonText();
        }
        if (nack.wrap(buf, offset, length)) {
            accepted++;
            nack.senderSsrc();
            nack.mediaSsrc();
            assertTrue(nack.entryCount() >= 1);
            int lost = 0;
            int bits = 0;
            for (int i = 0; i < nack.entryCount(); i++) {
                bits += 1 + Integer.bitCount(nack.blp(i));
                nack.pid(i);
            }
            nack.resetLost();
            for (int seq; (seq = nack.nextLost()) >= 0; ) {
                assertTrue(seq <= 0xFFFF);
                lost++;
            }
            assertEquals(bits, lost, "one lost sequence number per PID and per BLP bit");
        }
        if (pli.wrap(buf, offset, length)) {
            accepted++;
            pli.senderSsrc();
            pli.mediaSsrc();
        }
        if (fir.wrap(buf, offset, length)) {
            accepted++;
            for (int i = 0; i < fir.entryCount(); i++) {
                fir.ssrc(i);
                assertTrue(fir.sequenceNumber(i) <= 0xFF);
            }
        }
        if (remb.wrap(buf, offset, length)) {
            accepted++;
            assertTrue(remb.bitrateBps() >= 0);
            for (int i = 0; i < remb.ssrcCount(); i++) {
                remb.ssrc(i);
            }
        }
        if (twcc.wrap(buf, offset, length)) {
            accepted++;
            int statuses = 0;
            int received = 0;
            long previousArrival = 0;
            while (twcc.next()) {
                assertEquals((twcc.baseSequenceNumber() + statuses) & 0xFFFF, twcc.sequenceNumber());
                statuses++;
                int status = twcc.status();
                assertTrue(status >= TransportCcFeedback.NOT_RECEIVED && status <= TransportCcFeedback.LARGE_DELTA);
                if (twcc.isReceived()) {
                    long base = received == 0 ? twcc.referenceTimeUs() : previousArrival;
                    assertEquals(twcc.deltaUs(), twcc.arrivalTimeUs() - base, "deltas accumulate from the reference time");
                    if (status == TransportCcFeedback.SMALL_DELTA) {
                        assertTrue(twcc.deltaTicks() >= 0 && twcc.deltaTicks() <= 255);
                    }
                    previousArrival = twcc.arrivalTimeUs();
                    received++;
                } else {
                    assertEquals(0, twcc.deltaTicks());
                }
            }
            assertEquals(twcc.packetStatusCount(), statuses);
            assertEquals(twcc.receivedCount(), received);
        }
        // Types are exclusive, except that nothing stops an RTPFB/PSFB from matching only its own FMT.
        assertTrue(accepted <= 1, "one packet, one flyweight: " + accepted);
        return accepted;
    }

    private static void readBlock(ReportBlock block) {
        block.ssrc();
        assertTrue(block.fractionLost() <= 0xFF);
        int lost = block.cumulativeLost();
        assertTrue(lost >= -0x800000 && lost <= 0x7FFFFF);
        block.extendedHighestSequenceNumber();
        block.jitter();
        block.lastSenderReport();
        block.delaySinceLastSenderReport();
    }
}
