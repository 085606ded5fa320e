package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer). In the normal test run each target replays its seeds from
 * {@code src/test/resources/dev/junction/codec/stun/StunFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes, and a crash is saved there as a regression input.
 */
class StunFuzzTest {

    private static final StunIntegrity CHECK_SIGNER = StunIntegrity.shortTerm(StunFixtures.LOCAL_PASSWORD);
    private static final byte[] CHECK = StunFixtures.chromeBindingRequest();

    private final StunInvariants invariants = new StunInvariants();

    /** Arbitrary datagrams: never an exception, same answer in every buffer shape, accepted ones consistent. */
    @FuzzTest(maxDuration = "30s")
    void parseStun(byte[] data) {
        invariants.check(data, CHECK_SIGNER, CHECK);
    }

    /** Whatever the writer is asked to write, the reader accepts it and reads back the same fields. */
    @FuzzTest(maxDuration = "30s")
    void writeThenParse(FuzzedDataProvider data) throws UnknownHostException {
        String username = data.consumeString(300);
        long priority = data.consumeLong(0, 0xFFFFFFFFL);
        boolean useCandidate = data.consumeBoolean();
        long tieBreaker = data.consumeLong();
        boolean controlling = data.consumeBoolean();
        byte[] address = data.consumeBytes(data.consumeBoolean() ? 4 : 16);
        int port = data.consumeInt(0, 0xFFFF);
        int errorCode = data.consumeInt(300, 699);
        String reason = data.consumeString(120);
        int[] unknown = new int[data.consumeInt(0, 6)];
        for (int i = 0; i < unknown.length; i++) {
            unknown[i] = data.consumeInt(0, 0xFFFF);
        }
        int padding = data.consumeInt(0, 255);
        byte[] transactionId = data.consumeBytes(12);
        byte[] key = data.consumeRemainingAsBytes();
        if (transactionId.length != 12 || (address.length != 4 && address.length != 16)
                || !encodable(username) || !encodable(reason)) {
            return; // not a message the ICE layer could ask for (lone surrogates are written as '?')
        }

        StunIntegrity integrity = StunIntegrity.ofKey(key);
        ByteBuf out = Unpooled.buffer();
        try {
            StunWriter writer = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, transactionId)
                    .paddingByte(padding)
                    .username(username)
                    .priority(priority);
            if (useCandidate) {
                writer.useCandidate();
            }
            if (controlling) {
                writer.iceControlling(tieBreaker);
            } else {
                writer.iceControlled(tieBreaker);
            }
            int length = writer.xorMappedAddress(address, port)
                    .errorCode(errorCode, reason)
                    .unknownAttributes(unknown, unknown.length)
                    .messageIntegrity(integrity)
                    .fingerprint()
                    .finish();

            StunMessage message = new StunMessage();
            assertEquals(StunParseResult.OK, message.wrap(out, 0, length));
            assertTrue(message.transactionIdEquals(transactionId));
            assertEquals(username, message.username());
            assertEquals(priority, message.priority());
            assertEquals(useCandidate, message.useCandidate());
            assertEquals(tieBreaker, controlling ? message.iceControlling() : message.iceControlled());
            assertEquals(new InetSocketAddress(InetAddress.getByAddress(address), port), message.xorMappedSocketAddress());
            assertEquals(errorCode, message.errorCode());
            assertEquals(reason, message.errorReason());
            assertEquals(unknown.length, message.reportedUnknownAttributeCount());
            for (int i = 0; i < unknown.length; i++) {
                assertEquals(unknown[i], message.reportedUnknownAttribute(i));
            }
            assertTrue(message.hasFingerprint());
            assertTrue(integrity.verify(message));
        } finally {
            out.release();
        }
    }

    private static boolean encodable(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(s);
    }
}
