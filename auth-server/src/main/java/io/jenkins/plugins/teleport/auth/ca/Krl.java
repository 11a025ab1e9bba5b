package io.jenkins.plugins.teleport.auth.ca;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.TreeSet;

/**
 * An OpenSSH key revocation list (the {@code RevokedKeys} file of sshd), encoded as OpenSSH's PROTOCOL.krl
 * describes: one certificates section for the cluster's SSH CA listing revoked serials. No Java library writes
 * KRLs, hence this small encoder.
 */
public final class Krl {

    private static final long MAGIC = 0x5353484b524c0a00L; // "SSHKRL\n\0"
    private static final int FORMAT_VERSION = 1;
    private static final int SECTION_CERTIFICATES = 1;
    private static final int CERT_SECTION_SERIAL_LIST = 0x20;

    private Krl() {}

    /** A KRL revoking {@code serials} of certificates signed by the CA whose public key blob is {@code caKeyBlob}. */
    public static byte[] encode(byte[] caKeyBlob, Collection<Long> serials, long version, Instant generated, String comment) {
        try {
            ByteArrayOutputStream serialList = new ByteArrayOutputStream();
            DataOutputStream s = new DataOutputStream(serialList);
            // ssh-keygen wants serials in ascending order, without duplicates.
            for (long serial : new TreeSet<>(serials)) {
                s.writeLong(serial);
            }

            ByteArrayOutputStream certs = new ByteArrayOutputStream();
            DataOutputStream c = new DataOutputStream(certs);
            writeString(c, caKeyBlob);
            writeString(c, new byte[0]); // reserved
            if (!serials.isEmpty()) {
                c.writeByte(CERT_SECTION_SERIAL_LIST);
                writeString(c, serialList.toByteArray());
            }

            ByteArrayOutputStream krl = new ByteArrayOutputStream();
            DataOutputStream k = new DataOutputStream(krl);
            k.writeLong(MAGIC);
            k.writeInt(FORMAT_VERSION);
            k.writeLong(version);
            k.writeLong(generated.getEpochSecond());
            k.writeLong(0); // flags
            writeString(k, new byte[0]); // reserved
            writeString(k, comment.getBytes(StandardCharsets.UTF_8));
            k.writeByte(SECTION_CERTIFICATES);
            writeString(k, certs.toByteArray());
            return krl.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
