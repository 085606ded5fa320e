package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.codec.sdp.jsep.H264ProfileLevelId.Profile;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6184 §8.1 profile-level-id values as browsers offer them, decoded byte by byte. */
class H264ProfileLevelIdTest {

    @ParameterizedTest(name = "{0} is {1} level_idc {2}")
    @CsvSource({
        // profile_idc 0x42 Baseline; profile-iop 0xE0 sets constraint_set0..2: Constrained Baseline; level 0x1F = 3.1
        "42e01f, CONSTRAINED_BASELINE, 31",
        // profile-iop 0x00: plain Baseline (Chromium's 42001f)
        "42001f, BASELINE, 31",
        // Upper-case hex is the same number.
        "42E01F, CONSTRAINED_BASELINE, 31",
        // Safari's level 5.2 (0x34)
        "42e034, CONSTRAINED_BASELINE, 52",
        // 0x4D Main with constraint_set0 (0x80) is Constrained Baseline (RFC 6184 table 5); set1 alone stays Main
        "4d401f, MAIN, 31",
        "4de01f, CONSTRAINED_BASELINE, 31",
        "4d001f, MAIN, 31",
        // 0x58 Extended with set0+set1 is Constrained Baseline, with set0 alone Baseline
        "58c01f, CONSTRAINED_BASELINE, 31",
        "58801f, BASELINE, 31",
        // 0x64 High; with constraint_set4+5 (0x0C) Constrained High (Safari's 640c1f)
        "640c1f, CONSTRAINED_HIGH, 31",
        "640c34, CONSTRAINED_HIGH, 52",
        "64001f, HIGH, 31",
        // 0xF4 High 4:4:4 Predictive (Chromium receive-only f4001f)
        "f4001f, PREDICTIVE_HIGH_444, 31",
    })
    void shouldDecodeProfileAndLevel(String text, Profile profile, int levelIdc) {
        H264ProfileLevelId id = H264ProfileLevelId.parse(text).orElseThrow();
        assertEquals(profile, id.profile());
        assertEquals(levelIdc, id.levelIdc());
        assertEquals(false, id.level1b());
    }

    @Test
    void shouldReadLevel1bFromLevel11WithConstraintSet3() {
        // 0xF0 = set0..3: Constrained Baseline; level_idc 11 (0x0B) with set3 means level 1b, not 1.1.
        assertEquals(new H264ProfileLevelId(Profile.CONSTRAINED_BASELINE, 11, true), H264ProfileLevelId.parse("42f00b").orElseThrow());
        assertEquals(new H264ProfileLevelId(Profile.CONSTRAINED_BASELINE, 11, false), H264ProfileLevelId.parse("42e00b").orElseThrow());
    }

    @Test
    void shouldDefaultToConstrainedBaselineLevel31LikeLibwebrtc() {
        assertEquals(Optional.of(new H264ProfileLevelId(Profile.CONSTRAINED_BASELINE, 31, false)),
                H264ProfileLevelId.parse(H264ProfileLevelId.DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "42e01", "42e01f0", "42g01f", "42e000", "6e001f", "64f01f", " 42e01f", "-2e01f"})
    void shouldRejectWhatIsNotAKnownProfileLevelId(String text) {
        assertEquals(Optional.empty(), H264ProfileLevelId.parse(text));
    }
}
