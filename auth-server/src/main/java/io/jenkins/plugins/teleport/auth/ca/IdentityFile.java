package io.jenkins.plugins.teleport.auth.ca;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * An identity on disk: one PEM file with the private key, the client certificate and the cluster's CA
 * certificates (the TLS part of the layout {@code tsh -i} reads; other lines are ignored when reading).
 */
public record IdentityFile(PrivateKey key, X509Certificate certificate, List<X509Certificate> caCertificates) {

    public static IdentityFile read(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        List<X509Certificate> certs = Pem.certificates(text);
        if (certs.size() < 2) {
            throw new IOException(path + " is not an identity file: it needs a private key, a certificate and the CA certificate");
        }
        return new IdentityFile(Pem.privateKey(text), certs.get(0), certs.subList(1, certs.size()));
    }

    /** Writes the file readable by its owner only (0600), replacing any previous one atomically. */
    public void write(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".identity", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder text = new StringBuilder(Pem.encode(key)).append(Pem.encode(certificate));
        caCertificates.forEach(ca -> text.append(Pem.encode(ca)));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A TLS context presenting this identity and trusting only its CA certificates. */
    public SSLContext sslContext() {
        return Tls.context(key, List.of(certificate), caCertificates);
    }

    /** Who the certificate names. */
    public ClientIdentity identity() {
        return ClientIdentity.of(certificate).orElseThrow(() ->
                new IllegalStateException("the certificate names no user or bot of this cluster"));
    }
}
