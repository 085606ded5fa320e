package dev.junction.codec.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SdpUtf8Test {

    @Test
    void shouldDecodeAsciiAndMultiByteText() {
        assertEquals(new SdpUtf8.Decoded("v=0\r\n"), SdpUtf8.decode("v=0\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(new SdpUtf8.Decoded("s=Grüße €\r\n"), SdpUtf8.decode("s=Grüße €\r\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(new SdpUtf8.Decoded(""), SdpUtf8.decode(new byte[0]));
    }

    @Test
    void shouldReportTheIndexAndLineOfTheFirstBadByte() {
        byte[] body = {
            'v', '=', '0', '\r', '\n',           // line 1: bytes 0-4
            's', '=', '\n',                      // line 2: bytes 5-7
            'i', '=', (byte) 0xFF, '\r', '\n',   // line 3: 0xFF at byte 10 is never UTF-8
        };
        assertEquals(new SdpUtf8.Malformed(10, 3), SdpUtf8.decode(body));
    }

    @Test
    void shouldReportASequenceCutShortAtTheEnd() {
        byte[] body = {'s', '=', (byte) 0xE2, (byte) 0x82}; // the first two bytes of U+20AC, the third missing
        assertEquals(new SdpUtf8.Malformed(2, 1), SdpUtf8.decode(body));
    }

    @Test
    void shouldRefuseAnEncodedSurrogate() {
        byte[] body = {(byte) 0xED, (byte) 0xA0, (byte) 0x80}; // U+D800 encoded: RFC 3629 §3 forbids it
        assertEquals(new SdpUtf8.Malformed(0, 1), SdpUtf8.decode(body));
    }
}
