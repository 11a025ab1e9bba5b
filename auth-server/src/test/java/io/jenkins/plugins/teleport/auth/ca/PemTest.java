package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A client's public key is read strictly: anything but one PEM block of a P-256 key is a 400 naming the field. */
class PemTest {

    private static final String GOOD = Pem.encode(CertificateAuthority.newKeyPair().getPublic());

    static Stream<String> malformedKeys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC");
        k1.initialize(new ECGenParameterSpec("secp384r1"));
        String body = GOOD.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "").strip();
        return Stream.of(
                "",
                "   \n",
                "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
                "-----BEGIN PUBLIC KEY-----\n" + body.substring(0, body.length() - 6) + "\n-----END PUBLIC KEY-----\n",
                "-----BEGIN PUBLIC KEY-----\n" + body + "!\n-----END PUBLIC KEY-----\n",
                GOOD + "junk",
                GOOD + GOOD,
                "junk\n" + GOOD,
                GOOD.replace("PUBLIC KEY", "CERTIFICATE"),
                "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})
                        + "\n-----END PUBLIC KEY-----\n",
                // valid DER followed by extra bytes
                "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(concat(Base64.getMimeDecoder().decode(body), new byte[] {0}))
                        + "\n-----END PUBLIC KEY-----\n",
                Pem.encode(rsa.generateKeyPair().getPublic()),
                Pem.encode(k1.generateKeyPair().getPublic()),
                // a point that is not on the curve: flip the last byte of the encoded point
                "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(flipLast(Base64.getMimeDecoder().decode(body)))
                        + "\n-----END PUBLIC KEY-----\n");
    }

    @ParameterizedTest
    @MethodSource("malformedKeys")
    void aMalformedKeyIsABadRequestNamingTheField(String pem) {
        ApiException e = assertThrows(ApiException.class, () -> Pem.clientPublicKey(pem, "public_key"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(e.getMessage().startsWith("public_key "), e.getMessage());
    }

    @Test
    void oneBlockOfAP256KeyIsRead() {
        assertTrue(Pem.clientPublicKey(GOOD, "public_key") instanceof java.security.interfaces.ECPublicKey);
        assertEquals(Pem.clientPublicKey(GOOD, "public_key"),
                Pem.clientPublicKey("\n  " + GOOD.replace("\n", "\r\n") + "\n\n", "public_key"));
    }

    static Stream<String> malformedSshKeys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
        dsa.initialize(1024);
        String ed = PublicKeyEntry.toString(ed25519().getPublic());
        return Stream.of("", "ssh-ed25519", "ssh-ed25519 !!!!", "ssh-ed25519 AAAA", ed.replace("ssh-ed25519", "ecdsa-sha2-nistp256"),
                "command=\"x\" " + ed, PublicKeyEntry.toString(rsa.generateKeyPair().getPublic()),
                PublicKeyEntry.toString(dsa.generateKeyPair().getPublic()), ed + " comment\nssh-ed25519 AAAA second");
    }

    @ParameterizedTest
    @MethodSource("malformedSshKeys")
    void aMalformedSshKeyIsRefused(String line) {
        assertThrows(IllegalArgumentException.class, () -> SshCertificateAuthority.parsePublicKey(line));
    }

    @Test
    void anEd25519KeyWithACommentIsRead() throws Exception {
        assertEquals("EdDSA", SshCertificateAuthority.parsePublicKey(PublicKeyEntry.toString(ed25519().getPublic()) + " build 42")
                .getAlgorithm().replace("Ed25519", "EdDSA"));
    }

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519", new org.bouncycastle.jce.provider.BouncyCastleProvider()).generateKeyPair();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] flipLast(byte[] der) {
        byte[] out = der.clone();
        out[out.length - 1] ^= 0x01;
        return out;
    }
}
