package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.store.PrivateFiles;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx.StoredAuthority;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts the CA private keys kept in the store (AES-256-GCM), so that a copy of the database alone holds no usable
 * CA key. The key is 32 random bytes, base64, read from a file or an environment variable named in the
 * configuration ({@code ca_key_encryption.key}); during a rotation the keys in {@code ca_key_encryption.previous}
 * still decrypt. A sealed value names the key that sealed it (the first 8 bytes of its SHA-256, which reveal nothing
 * of it) and is bound to the authority's name, so that values cannot be swapped between rows.
 */
public final class CaKeyEncryption {

    private static final Logger LOG = LoggerFactory.getLogger(CaKeyEncryption.class);
    private static final String PREFIX = "sealed:aes-256-gcm:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String HOW_TO_MAKE_ONE = "make one with 'teleport-auth new-encryption-key --out FILE' (docs/operations.md)";

    /** One key and its public ID. */
    private record Key(String id, SecretKeySpec secret) {}

    private final Key current;
    private final List<Key> previous;

    private CaKeyEncryption(Key current, List<Key> previous) {
        this.current = current;
        this.previous = List.copyOf(previous);
    }

    /** From raw keys (32 bytes each): the one that seals, and those that may still open. */
    public static CaKeyEncryption of(byte[] key, List<byte[]> previousKeys) {
        List<Key> previous = new ArrayList<>();
        previousKeys.forEach(k -> previous.add(key(k)));
        return new CaKeyEncryption(key(key), previous);
    }

    /** The keys the configuration names, read from their files or from the environment ({@code env}). */
    public static CaKeyEncryption load(ServerConfig.CaKeyEncryption config, UnaryOperator<String> env) {
        if (config.key().isEmpty()) {
            throw new IllegalArgumentException("ca_key_encryption.key is not configured: the CA private keys are kept "
                    + "encrypted in the store with a key you provide, from a file (ca_key_encryption.key.file, or "
                    + "--ca-key-file) or an environment variable (ca_key_encryption.key.env, or --ca-key-env); "
                    + HOW_TO_MAKE_ONE);
        }
        List<byte[]> previous = new ArrayList<>();
        for (ServerConfig.KeySource source : config.previous()) {
            previous.add(read(source, env));
        }
        return of(read(config.key(), env), previous);
    }

    /** A new random key, base64 (what a key file holds). */
    public static String newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Writes a new key to {@code file} (0600) unless one is there; returns the file. */
    public static Path ensureKeyFile(Path file) {
        if (!Files.exists(file)) {
            PrivateFiles.writeString(file, newKey() + "\n");
        }
        return file;
    }

    /** The ID of the key that seals: what {@link #keyId(String)} of a freshly sealed value returns. */
    public String currentKeyId() {
        return current.id();
    }

    /** The ID of the key that sealed {@code stored}, if it is sealed at all (older stores hold plain PEM). */
    public static Optional<String> keyId(String stored) {
        if (!stored.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(rest.substring(0, colon));
    }

    /** True if {@code stored} is sealed with the current key (else it should be sealed again). */
    public boolean isCurrent(String stored) {
        return keyId(stored).filter(current.id()::equals).isPresent();
    }

    /** Encrypts the private key (PEM) of the authority {@code name}. */
    public String seal(String name, String privateKeyPem) {
        return seal(aad(name), privateKeyPem, "the CA key");
    }

    /**
     * The private key (PEM) of the authority {@code name} from its stored value; a plain PEM (a store written before
     * keys were encrypted) is returned as it is, to be sealed by the caller.
     */
    public String open(String name, String stored) {
        if (keyId(stored).isEmpty()) {
            if (stored.startsWith("-----BEGIN")) {
                return stored;
            }
            throw new IllegalStateException("the stored key of CA '" + name + "' is neither encrypted nor PEM");
        }
        return open(aad(name), stored, "the private key of CA '" + name + "'");
    }

    /**
     * Encrypts another secret kept in the store with the same key (a person's TOTP secret), bound to {@code purpose}
     * (e.g. "totp secret of user bob"), so that a sealed value opens only for the purpose it was sealed for.
     */
    public String sealSecret(String purpose, String secret) {
        return seal(secretAad(purpose), secret, "the " + purpose);
    }

    /** Decrypts what {@link #sealSecret} sealed for {@code purpose}. */
    public String openSecret(String purpose, String stored) {
        if (keyId(stored).isEmpty()) {
            throw new IllegalStateException("the stored " + purpose + " is not encrypted");
        }
        return open(secretAad(purpose), stored, "the " + purpose);
    }

    private String seal(byte[] aad, String plain, String what) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, current.secret(), new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(aad);
            byte[] sealed = gcm.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + current.id() + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt " + what + ": " + e.getMessage(), e);
        }
    }

    private String open(byte[] aad, String stored, String what) {
        String id = keyId(stored).orElseThrow();
        Key key = (current.id().equals(id) ? Optional.of(current)
                : previous.stream().filter(k -> k.id().equals(id)).findFirst())
                .orElseThrow(() -> new IllegalStateException(what + " in the store is encrypted "
                        + "with key " + id + ", which is not configured (the configured key is " + current.id()
                        + "): set ca_key_encryption.key to that key, or list it in ca_key_encryption.previous while "
                        + "rotating (docs/operations.md)"));
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length() + id.length() + 1));
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            gcm.updateAAD(aad);
            return new String(gcm.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(what + " in the store cannot be decrypted with key "
                    + id + " (altered or truncated): restore it from a backup", e);
        }
    }

    /**
     * The authority {@code name} from the store with its private key decrypted, created by {@code fresh} (and stored
     * sealed) on first start. A key sealed with a previous key, or stored in plain PEM by an older version, is sealed
     * again with the current key (compare-and-swap, so that of several servers starting at once one writes it).
     */
    public StoredAuthority loadOrCreate(Store store, String name, Supplier<StoredAuthority> fresh) {
        StoredAuthority stored = store.write(tx -> tx.authority(name).orElseGet(() -> {
            StoredAuthority plain = fresh.get();
            return tx.insertAuthorityIfAbsent(name, new StoredAuthority(plain.publicPart(), seal(name, plain.privateKey())));
        }));
        String pem = open(name, stored.privateKey());
        if (!isCurrent(stored.privateKey())) {
            boolean written = store.write(tx -> tx.replaceAuthorityKey(name, stored.privateKey(), seal(name, pem)));
            LOG.info("event=ca_key_sealed authority={} from={} to={} written={}", name,
                    keyId(stored.privateKey()).orElse("plain"), current.id(), written);
        }
        return new StoredAuthority(stored.publicPart(), pem);
    }

    private static byte[] aad(String name) {
        return ("teleport-ci certificate authority " + name).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] secretAad(String purpose) {
        return ("teleport-ci secret: " + purpose).getBytes(StandardCharsets.UTF_8);
    }

    private static Key key(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("a CA encryption key is 32 bytes, not " + raw.length + ": " + HOW_TO_MAKE_ONE);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
            return new Key(HexFormat.of().formatHex(digest, 0, 8), new SecretKeySpec(raw, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(ServerConfig.KeySource source, UnaryOperator<String> env) {
        String text;
        if (source.file() != null) {
            try {
                text = Files.readString(source.file());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the CA encryption key from " + source.file() + ": "
                        + e.getMessage() + "; " + HOW_TO_MAKE_ONE, e);
            }
            if (PrivateFiles.readableByOthers(source.file())) {
                LOG.warn("event=key_file_open file={} fix=\"chmod 600 {}\"", source.file(), source.file());
            }
        } else {
            text = env.apply(source.env());
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("the environment variable " + source.env()
                        + " (the CA encryption key) is not set; " + HOW_TO_MAKE_ONE);
            }
        }
        try {
            return Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the CA encryption key in the " + source + " is not base64; " + HOW_TO_MAKE_ONE, e);
        }
    }
}
