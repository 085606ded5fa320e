package dev.junction.codec.stun;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013), the stringprep (RFC 3454) profile RFC 5389 §15.4 applies to long-term STUN
 * passwords before hashing them into the key.
 *
 * <ol>
 *   <li>Map (RFC 4013 §2.1): RFC 3454 B.1 characters are removed; C.1.2 non-ASCII spaces become U+0020.
 *       A code point in both (U+200B) is removed, since mapping to nothing is applied first.</li>
 *   <li>Normalize (§2.2): Unicode NFKC, with {@link java.text.Normalizer}.</li>
 *   <li>Prohibit (§2.3): C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9 (lone surrogates are C.5).</li>
 *   <li>Bidi (§2.4, RFC 3454 §6): a string containing any RandALCat (D.1) character contains no LCat (D.2)
 *       character, and starts and ends with a RandALCat character.</li>
 *   <li>Unassigned code points (§2.5, RFC 3454 §7): {@link #prepareStored} rejects A.1 code points;
 *       {@link #prepareQuery} lets them through.</li>
 * </ol>
 *
 * The tables are RFC 3454's Unicode 3.2 data ({@link StringprepTables}). The NFKC step uses the JVM's
 * newer Unicode version; for strings without A.1 code points (the only ones {@link #prepareStored}
 * accepts) the two agree except for the five CJK compatibility ideographs of Unicode's normalization
 * corrigendum 4.
 *
 * <p>For configured credentials, computed once per key; not for per-packet input. Stateless and
 * thread-safe.
 */
public final class SaslPrep {

    private SaslPrep() {
    }

    /**
     * SASLprep for a stored string (a password kept to derive a key): unassigned code points are an error.
     *
     * @throws IllegalArgumentException naming the offending code point when the string is prohibited
     */
    public static String prepareStored(String input) {
        return prepare(input, false);
    }

    /**
     * SASLprep for a query: unassigned code points pass through unchanged.
     *
     * @throws IllegalArgumentException naming the offending code point when the string is prohibited
     */
    public static String prepareQuery(String input) {
        return prepare(input, true);
    }

    private static String prepare(String input, boolean allowUnassigned) {
        StringBuilder mapped = new StringBuilder(input.length());
        for (int i = 0; i < input.length(); ) {
            int cp = input.codePointAt(i);
            i += Character.charCount(cp);
            if (!allowUnassigned && StringprepTables.A_1.contains(cp)) {
                // Checked before normalisation: the JVM's NFKC knows characters Unicode 3.2 did not.
                throw new IllegalArgumentException(describe("unassigned code point", cp));
            }
            if (StringprepTables.B_1.contains(cp)) {
                continue;
            }
            mapped.appendCodePoint(StringprepTables.C_1_2.contains(cp) ? ' ' : cp);
        }
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);

        boolean hasRandAL = false;
        boolean hasL = false;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            if (StringprepTables.PROHIBITED.contains(cp)) {
                throw new IllegalArgumentException(describe("prohibited code point", cp));
            }
            hasRandAL |= StringprepTables.D_1.contains(cp);
            hasL |= StringprepTables.D_2.contains(cp);
        }
        if (hasRandAL) {
            if (hasL) {
                throw new IllegalArgumentException("mixes right-to-left and left-to-right characters (RFC 3454 §6)");
            }
            int first = normalized.codePointAt(0);
            int last = normalized.codePointBefore(normalized.length());
            if (!StringprepTables.D_1.contains(first) || !StringprepTables.D_1.contains(last)) {
                throw new IllegalArgumentException("right-to-left text must start and end with a right-to-left character (RFC 3454 §6)");
            }
        }
        return normalized;
    }

    private static String describe(String what, int codePoint) {
        return String.format("%s U+%04X (RFC 4013)", what, codePoint);
    }
}
