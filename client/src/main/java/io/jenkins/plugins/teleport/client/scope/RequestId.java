package io.jenkins.plugins.teleport.client.scope;

import io.jenkins.plugins.teleport.client.TeleportException;
import java.util.regex.Pattern;

/**
 * An access request's ID, checked before it is used anywhere: a lower-case UUID, as the auth server makes them. Only
 * a checked ID is built into a URL, so a build parameter holding {@code ..}, {@code /} or {@code ?} never reaches
 * another endpoint.
 */
public record RequestId(String value) {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int SHOWN = 80;

    public RequestId {
        if (value == null || !UUID.matcher(value).matches()) {
            throw new IllegalArgumentException("not an access request ID: " + shown(value));
        }
    }

    /**
     * The ID in {@code text} (surrounding blanks ignored), or an error naming {@code parameter}, the value, and what an
     * ID looks like.
     */
    public static RequestId parse(String text, String parameter) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            throw new TeleportException(parameter + " is empty: it must be the ID of an approved access request, a UUID such as "
                    + "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        }
        if (!UUID.matcher(trimmed).matches()) {
            throw new TeleportException(parameter + " is " + shown(trimmed) + ", which is not an access request ID: IDs are "
                    + "lower-case UUIDs such as 0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a (check the build parameter that fills it)");
        }
        return new RequestId(trimmed);
    }

    /** The value as it may be shown: quoted, control characters replaced, at most 80 characters. */
    private static String shown(String value) {
        if (value == null) {
            return "missing";
        }
        String clean = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "'" + (clean.length() > SHOWN ? clean.substring(0, SHOWN) + "…" : clean) + "'";
    }

    @Override
    public String toString() {
        return value;
    }
}
