package hudson;

import java.util.Map;
import java.util.TreeMap;

/** Environment variables, case-insensitive keys as on the controller. */
public class EnvVars extends TreeMap<String, String> {
    private static final long serialVersionUID = 1L;

    public EnvVars() {
        super(String.CASE_INSENSITIVE_ORDER);
    }

    public EnvVars(Map<String, String> m) {
        this();
        putAll(m);
    }

    public EnvVars(EnvVars m) {
        this((Map<String, String>) m);
    }

    /** Expands {@code ${NAME}} and {@code $NAME} references to these variables; unknown ones stay as they are. */
    public String expand(String s) {
        if (s == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.]*)\\}|\\$([A-Za-z_][A-Za-z0-9_]*)").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = get(name);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    public EnvVars(String... keyValuePairs) {
        this();
        for (int i = 0; i + 1 < keyValuePairs.length; i += 2) {
            put(keyValuePairs[i], keyValuePairs[i + 1]);
        }
    }
}
