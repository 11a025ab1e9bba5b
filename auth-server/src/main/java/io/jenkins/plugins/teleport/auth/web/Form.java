package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A submitted form ({@code application/x-www-form-urlencoded}, UTF-8), read as strictly as the API reads JSON: a
 * field the form does not have, a field given twice or bytes that are not UTF-8 are refused, naming the field.
 */
final class Form {

    private final Map<String, String> fields;

    private Form(Map<String, String> fields) {
        this.fields = fields;
    }

    static Form parse(Optional<String> contentType, byte[] body, Set<String> allowed) {
        String type = contentType.orElse("").split(";", 2)[0].strip();
        if (!type.equalsIgnoreCase("application/x-www-form-urlencoded")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a form is sent as application/x-www-form-urlencoded, not "
                    + (type.isEmpty() ? "nothing" : type));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "the form is not UTF-8");
        }
        Map<String, String> fields = new HashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!allowed.contains(name)) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "this form has no field '" + name + "': reload the page");
                }
                if (fields.put(name, value) != null) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "field '" + name + "' was sent twice");
                }
            }
        }
        return new Form(fields);
    }

    /** The field's value, empty when it was not sent. */
    String get(String name) {
        return fields.getOrDefault(name, "");
    }

    boolean has(String name) {
        return fields.containsKey(name);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed form field: " + e.getMessage());
        }
    }
}
