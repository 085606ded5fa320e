package dev.junction.codec.sdp.jsep;

import java.util.HexFormat;
import java.util.Optional;

/**
 * The H.264 {@code profile-level-id} fmtp parameter (RFC 6184 §8.1): three bytes in hex,
 *
 * <pre>
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  profile_idc  |  profile-iop  |   level_idc   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                    |0|1|2|3|4|5|r|r|  constraint_set0..5 flags, 2 reserved bits
 * </pre>
 *
 * <p>Two offers describe the same profile when profile_idc and the constraint flags that matter for it agree
 * (RFC 6184 §8.1, table 5; the bit patterns follow libwebrtc's {@code h264_profile_level_id.cc}): Baseline with
 * constraint_set1 is Constrained Baseline ({@code 42e01f}), High with constraint_set4 and 5 is Constrained High
 * ({@code 640c1f}). The level is not part of the match: RFC 6184 §8.2.2 lets an answerer use a lower level, and
 * Junction forwards without decoding, so the answer repeats the offer's own fmtp.
 *
 * @param profile  the profile the bytes describe
 * @param levelIdc level_idc (31 for level 3.1)
 * @param level1b  whether this is level 1b, written as level_idc 11 plus constraint_set3 in the Baseline family
 */
public record H264ProfileLevelId(Profile profile, int levelIdc, boolean level1b) {

    /**
     * What an fmtp without profile-level-id means. RFC 6184 §8.1 says Baseline level 1, but libwebrtc (Chromium,
     * Safari, most native clients) reads it as Constrained Baseline level 3.1 so that codecs configured without
     * parameters keep working; Junction follows libwebrtc, since those are the peers it forwards between.
     */
    public static final String DEFAULT = "42e01f";

    /** The H.264 profiles WebRTC endpoints offer (RFC 7742 §6.2 and the High profiles browsers add). */
    public enum Profile {
        CONSTRAINED_BASELINE,
        BASELINE,
        MAIN,
        CONSTRAINED_HIGH,
        HIGH,
        PREDICTIVE_HIGH_444
    }

    private record Pattern(int profileIdc, int mask, int value, Profile profile) {
        boolean matches(int idc, int iop) {
            return idc == profileIdc && (iop & mask) == value;
        }
    }

    /**
     * profile_idc plus a pattern over profile-iop, first match wins. Written as in RFC 6184 table 5, where
     * {@code x} is "either": mask has 1 where the bit is fixed.
     */
    private static final Pattern[] PATTERNS = {
        pattern(0x42, "x1xx0000", Profile.CONSTRAINED_BASELINE),
        pattern(0x4D, "1xxx0000", Profile.CONSTRAINED_BASELINE),
        pattern(0x58, "11xx0000", Profile.CONSTRAINED_BASELINE),
        pattern(0x42, "x0xx0000", Profile.BASELINE),
        pattern(0x58, "10xx0000", Profile.BASELINE),
        pattern(0x4D, "0x0x0000", Profile.MAIN),
        pattern(0x64, "00000000", Profile.HIGH),
        pattern(0x64, "00001100", Profile.CONSTRAINED_HIGH),
        pattern(0xF4, "00000000", Profile.PREDICTIVE_HIGH_444),
    };

    private static final int CONSTRAINT_SET3 = 0x10;

    private static Pattern pattern(int idc, String bits, Profile profile) {
        int mask = 0;
        int value = 0;
        for (int i = 0; i < 8; i++) {
            char c = bits.charAt(i);
            if (c != 'x') {
                mask |= 1 << (7 - i);
                if (c == '1') {
                    value |= 1 << (7 - i);
                }
            }
        }
        return new Pattern(idc, mask, value, profile);
    }

    /** Reads six hex digits; empty for anything else, a level_idc of 0 or a profile not in the table. */
    public static Optional<H264ProfileLevelId> parse(String text) {
        if (text == null || text.length() != 6) {
            return Optional.empty();
        }
        for (int i = 0; i < 6; i++) {
            if (!HexFormat.isHexDigit(text.charAt(i))) {
                return Optional.empty();
            }
        }
        int value = HexFormat.fromHexDigits(text);
        int idc = value >>> 16;
        int iop = (value >>> 8) & 0xFF;
        int level = value & 0xFF;
        if (level == 0) {
            return Optional.empty();
        }
        for (Pattern p : PATTERNS) {
            if (p.matches(idc, iop)) {
                boolean baselineFamily = p.profile == Profile.BASELINE || p.profile == Profile.CONSTRAINED_BASELINE
                        || p.profile == Profile.MAIN;
                boolean level1b = level == 11 && baselineFamily && (iop & CONSTRAINT_SET3) != 0;
                return Optional.of(new H264ProfileLevelId(p.profile, level, level1b));
            }
        }
        return Optional.empty();
    }
}
