package dev.junction.codec.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A certificate and key pair as an operator would have them: PEM files written by {@code openssl req -x509} (so not
 * by the code under test), an EC P-256 key in PKCS#8 ({@code BEGIN PRIVATE KEY}) and a self-signed certificate.
 *
 * @param certificate the certificate file
 * @param key         its private key file
 */
public record PemFiles(Path certificate, Path key) {

    /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}, the certificate naming {@code subjectAltName}. */
    public static PemFiles selfSigned(Path dir, String name, String commonName, String subjectAltName) throws IOException, InterruptedException {
        Path certificate = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=" + commonName, "-addext", "subjectAltName=" + subjectAltName,
                "-keyout", key.toString(), "-out", certificate.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IOException("openssl req failed: " + output);
        }
        return new PemFiles(certificate, key);
    }
}
