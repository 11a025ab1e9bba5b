package io.jenkins.plugins.teleport.jenkins;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * The lines of the block's secret files (the SSH and TLS private keys), known only by salted SHA-256 digests: made on
 * the agent from the files, so the keys themselves never leave it, and enough to find and mask those exact lines
 * wherever they appear in the log. Lines shorter than {@link #MIN_LENGTH} (the short tail of a key block) and the
 * BEGIN/END markers are left to the shape filter.
 */
final class SecretLines implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int MIN_LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] salt;
    private final int[] lengths;
    private final HashSet<String> digests;

    private SecretLines(byte[] salt, int[] lengths, HashSet<String> digests) {
        this.salt = salt;
        this.lengths = lengths;
        this.digests = digests;
    }

    /** The digests of every secret line of {@code files}' contents. */
    static SecretLines of(String... contents) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Set<Integer> lengths = new TreeSet<>();
        HashSet<String> digests = new HashSet<>();
        for (String content : contents) {
            for (String line : content.split("\r?\n")) {
                String l = line.strip();
                if (l.length() >= MIN_LENGTH && !l.startsWith("-----")) {
                    lengths.add(l.length());
                    digests.add(digest(salt, l));
                }
            }
        }
        return new SecretLines(salt, lengths.stream().mapToInt(Integer::intValue).toArray(), digests);
    }

    static SecretLines none() {
        return new SecretLines(new byte[0], new int[0], new HashSet<>());
    }

    boolean isEmpty() {
        return digests.isEmpty();
    }

    /** {@code text} with every occurrence of a secret line replaced by {@code mask}. */
    String mask(String text, String mask) {
        if (digests.isEmpty() || text.length() < lengths[0]) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (!base64(text.charAt(i))) {
                out.append(text.charAt(i++));
                continue;
            }
            int run = i;
            while (run < n && base64(text.charAt(run))) {
                run++;
            }
            maskRun(text, i, run, mask, out);
            i = run;
        }
        return out.toString();
    }

    /** Masks within one run of base64 characters (key lines are base64). */
    private void maskRun(String text, int from, int to, String mask, StringBuilder out) {
        int i = from;
        while (i < to) {
            int matched = 0;
            for (int k = lengths.length - 1; k >= 0 && matched == 0; k--) {
                int length = lengths[k];
                if (i + length <= to && digests.contains(digest(salt, text.substring(i, i + length)))) {
                    matched = length;
                }
            }
            if (matched > 0) {
                out.append(mask);
                i += matched;
            } else {
                out.append(text.charAt(i++));
            }
        }
    }

    private static boolean base64(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    }

    private static String digest(byte[] salt, String line) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return HexFormat.of().formatHex(sha.digest(line.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SecretLines[" + digests.size() + " lines, lengths " + Arrays.toString(lengths) + "]";
    }
}
