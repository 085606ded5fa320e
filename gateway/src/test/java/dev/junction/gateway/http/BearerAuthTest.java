package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BearerAuthTest {

    @Test
    void shouldAllowEverythingWhenNoTokenIsConfigured() {
        BearerAuth auth = new BearerAuth("");
        assertNull(auth.check(null));
        assertNull(auth.check("Bearer anything"));
    }

    @Test
    void shouldAcceptTheRightTokenWithAnyCaseOfTheScheme() {
        BearerAuth auth = new BearerAuth("s3cret");
        assertNull(auth.check("Bearer s3cret"));
        assertNull(auth.check("bearer s3cret"));
        assertNull(auth.check("BEARER  s3cret "));
    }

    @Test
    void shouldChallengeMissingOrOtherSchemes() {
        BearerAuth auth = new BearerAuth("s3cret");
        for (String header : new String[] {null, "", "Bearer", "Bearer ", "Basic czNjcmV0", "s3cret"}) {
            SessionException denied = auth.check(header);
            assertEquals(401, denied.status(), String.valueOf(header));
            assertTrue(denied.headers().get("WWW-Authenticate").startsWith("Bearer"), String.valueOf(header));
        }
    }

    @Test
    void shouldRejectWrongTokensAsInvalid() {
        BearerAuth auth = new BearerAuth("s3cret");
        for (String header : new String[] {"Bearer s3cre", "Bearer s3cret2", "Bearer S3CRET", "Bearer x"}) {
            SessionException denied = auth.check(header);
            assertEquals(401, denied.status(), header);
            assertTrue(denied.headers().get("WWW-Authenticate").contains("invalid_token"), header);
        }
    }
}
