package dev.junction.transport.turn;

import dev.junction.codec.stun.StunMessage;

/**
 * Transaction IDs for indications (Send, Data), one per relayed packet: a SplitMix64 stream seeded once from a
 * CSPRNG or a key. RFC 8489 §6 asks requests for cryptographically random IDs, so that responses cannot be forged;
 * an indication has no response, so IDs that do not repeat and are not guessable from outside suffice, and these
 * cost no allocation and no lock.
 *
 * <p>Threading: one owner's thread. Buffers: none; it writes into the owner's 12-byte array.
 */
final class IndicationIds {

    private long state;

    IndicationIds(long seed) {
        this.state = seed ^ 0x9E3779B97F4A7C15L;
    }

    /** Writes the next 12-byte ID into {@code id}. */
    void next(byte[] id) {
        for (int i = 0; i < StunMessage.TRANSACTION_ID_LENGTH; i += 4) {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            int v = (int) (z ^ (z >>> 31));
            id[i] = (byte) (v >>> 24);
            id[i + 1] = (byte) (v >>> 16);
            id[i + 2] = (byte) (v >>> 8);
            id[i + 3] = (byte) v;
        }
    }
}
