package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.testing.PemFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS certificate and key files from config (issue 10: {@code public.tls-cert}/{@code public.tls-key} through
 * {@link TlsIdentity#fromPem}, {@code turn.tls-cert}/{@code turn.tls-key} through {@link TurnTls#fromPem}): a pair
 * written by {@code openssl req} is taken as it is; a missing file, a key that is not the certificate's and a file
 * that is not PEM each fail at start with one line that names the file and says what is wrong. (That the listeners
 * then present exactly that certificate is checked over real sockets in the gateway's {@code PemTlsTest}.)
 */
class TlsIdentityTest {

    @TempDir
    Path dir;

    @Test
    void shouldTakeAnOpenSslPairAsItIs() throws Exception {
        PemFiles pair = PemFiles.selfSigned(dir, "server", "junction-pem-test", "IP:127.0.0.1");
        TlsIdentity identity = TlsIdentity.fromPem(pair.certificate(), pair.key());
        assertEquals(Files.readString(pair.certificate()), identity.certificateChainPem());
        assertEquals(Files.readString(pair.key()), identity.privateKeyPem());
        assertFalse(identity.selfSigned(), "an operator's certificate, even a self-signed one, is not one we generated");
        assertTrue(TurnTls.fromPem(pair.certificate(), pair.key()).isServer());
    }

    @Test
    void shouldFailWithOneClearLineForAMissingFileAWrongKeyOrAFileThatIsNotPem() throws Exception {
        PemFiles pair = PemFiles.selfSigned(dir, "server", "junction-pem-test", "IP:127.0.0.1");
        PemFiles other = PemFiles.selfSigned(dir, "other", "someone-else", "DNS:other.example.com");
        Path missing = dir.resolve("missing.pem");
        Path notPem = dir.resolve("not-pem.txt");
        Files.writeString(notPem, "this is not a certificate\n", StandardCharsets.US_ASCII);

        for (BiConsumer<Path, Path> load : java.util.List.<BiConsumer<Path, Path>>of(TlsIdentity::fromPem, TurnTls::fromPem)) {
            assertOneLine(load, missing, pair.key(), missing, "cannot read");
            assertOneLine(load, pair.certificate(), missing, missing, "cannot read");
            assertOneLine(load, pair.certificate(), other.key(), other.key(), "does not match");
            assertOneLine(load, notPem, pair.key(), notPem, "");
            assertOneLine(load, pair.certificate(), notPem, notPem, "");
        }
    }

    /** Loading fails with an IllegalStateException whose message is one line naming {@code named} and saying {@code says}. */
    private static void assertOneLine(BiConsumer<Path, Path> load, Path certificate, Path key, Path named, String says) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> load.accept(certificate, key));
        String message = e.getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.contains(named.toString()), "names " + named + ": " + message);
        assertTrue(message.contains(says), "says '" + says + "': " + message);
        assertTrue(message.length() < 300, "short: " + message);
    }
}
