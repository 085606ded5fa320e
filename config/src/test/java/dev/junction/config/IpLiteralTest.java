package dev.junction.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @Test
    void shouldParseIpv4AndIpv6Literals() {
        assertEquals("127.0.0.1", IpLiteral.parse("127.0.0.1").map(InetAddress::getHostAddress).orElseThrow());
        assertEquals("0:0:0:0:0:0:0:1", IpLiteral.parse("::1").map(InetAddress::getHostAddress).orElseThrow());
        assertEquals("0:0:0:0:0:0:0:1", IpLiteral.parse("[::1]").map(InetAddress::getHostAddress).orElseThrow());
    }

    @Test
    void shouldRefuseNamesWithoutLookingThemUp() {
        for (String s : new String[] {"localhost", "example.com", "4f2c8a1e-0b1d.local", "1.2.3.256", "1.2.3", "", "::g", "1.2.3.4.5"}) {
            assertEquals(Optional.empty(), IpLiteral.parse(s), s);
        }
        assertTrue(IpLiteral.parse(null).isEmpty());
    }
}
