package io.jenkins.plugins.teleport.auth.web;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** Base32 of RFC 4648 (upper case, no padding): how authenticator apps take a TOTP secret (Google's Key Uri Format). */
final class Base32 {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private Base32() {}

    static String encode(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    /** Decodes, ignoring case, spaces and padding; refuses any other character. */
    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char ch : text.toUpperCase(Locale.ROOT).toCharArray()) {
            if (ch == '=' || ch == ' ') {
                continue;
            }
            int value = ALPHABET.indexOf(ch);
            if (value < 0) {
                throw new IllegalArgumentException("not base32: '" + ch + "'");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }
}
