package hudson.util;

import java.io.Serializable;
import java.util.Base64;

/** A secret string; the stand-in keeps it in memory and never prints it. */
public final class Secret implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret fromString(String data) {
        return new Secret(data == null ? "" : data);
    }

    public static String toString(Secret s) {
        return s == null ? "" : s.value;
    }

    public String getPlainText() {
        return value;
    }

    /** Not the real encryption: enough to tell that a value is not shown in plain text. */
    public String getEncryptedValue() {
        return "{" + Base64.getEncoder().encodeToString(new StringBuilder(value).reverse().toString().getBytes()) + "}";
    }

    @Override
    public String toString() {
        return value;
    }
}
