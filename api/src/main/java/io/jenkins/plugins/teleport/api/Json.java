package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;

/**
 * The one JSON/YAML mapper configuration shared by server, client and tools, and the strict reading of what the
 * server accepts from callers ({@link #readRequest}).
 */
public final class Json {

    private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
    private static final ObjectMapper YAML = configure(YAMLMapper.builder(
            YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())).build();

    private Json() {}

    /**
     * The JSON mapper: snake_case names, ISO-8601 instants, Go-style durations ("2h"), empty values left out. Reading
     * is strict about types: unknown fields, duplicate keys, scalars of the wrong type (no {@code 12} for a string,
     * no {@code 1.5} for an integer, no {@code "true"} for a boolean), enum values other than their exact names,
     * numbers for enums, durations or instants, and trailing data are errors. Clients that want to ignore fields a
     * newer server adds read answers with {@code mapper().reader().without(FAIL_ON_UNKNOWN_PROPERTIES)}.
     */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** The YAML mapper, configured like {@link #mapper()}; reads resource files as {@code tctl create -f} does. */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /**
     * Reads a request body the way the server accepts it: everything {@link #mapper()} refuses, and also bytes that
     * are not UTF-8 (UTF-16 and UTF-32 included, and a byte order mark), explicit {@code null}s (leave a field out
     * instead), strings holding U+0000 or unpaired surrogates, and a body that is not a JSON object. Errors are {@link com.fasterxml.jackson.core.JsonProcessingException}s
     * whose message and path name the offending field.
     */
    public static <T> T readRequest(byte[] body, Class<T> type) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new com.fasterxml.jackson.core.JsonParseException(null, "the body is not valid UTF-8");
        }
        if (text.startsWith("\uFEFF")) {
            throw new com.fasterxml.jackson.core.JsonParseException(null,
                    "the body starts with a byte order mark: send UTF-8 without one");
        }
        // Parsed from the text decoded as UTF-8, not from the bytes: given bytes, Jackson would detect UTF-16 and UTF-32
        // by their zero bytes (which are valid UTF-8) and read a body in those encodings as JSON.
        JsonNode tree = JSON.readTree(text);
        if (tree == null || !tree.isObject()) {
            throw new com.fasterxml.jackson.core.JsonParseException(null,
                    "the body must be a JSON object, not " + (tree == null ? "empty" : tree.getNodeType().name().toLowerCase()));
        }
        checkValues(tree, "");
        return JSON.treeToValue(tree, type);
    }

    /**
     * An RFC 3339 time in UTC such as {@code 2026-11-21T10:00:00Z}: {@link Instant#parse} without its years beyond
     * four digits ({@code +999999999-12-31T23:59:59Z}), which RFC 3339 has no place for and which overflow the
     * milliseconds the store keeps.
     */
    public static Instant instant(String text) {
        boolean fourDigitYear = text.length() > 4 && text.charAt(4) == '-'
                && text.chars().limit(4).allMatch(c -> c >= '0' && c <= '9');
        if (!fourDigitYear) {
            throw new DateTimeParseException("not a four-digit year", text, 0);
        }
        return Instant.parse(text);
    }

    private static void checkValues(JsonNode node, String path) throws IOException {
        if (node.isNull()) {
            throw new com.fasterxml.jackson.core.JsonParseException(null,
                    "null is not a value for " + path.substring(1) + ": leave the field out instead");
        }
        if (node.isTextual()) {
            checkText(node.textValue(), path);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                checkText(field.getKey(), path + ".(field name)");
                checkValues(field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkValues(node.get(i), path + "[" + i + "]");
            }
        }
    }

    private static void checkText(String text, String path) throws IOException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                i++;
            } else if (c == 0 || Character.isSurrogate(c)) {
                throw new com.fasterxml.jackson.core.JsonParseException(null, "the text of " + path.substring(1)
                        + (c == 0 ? " holds U+0000" : " holds an unpaired surrogate") + ", which is not allowed");
            }
        }
    }

    private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B configure(B builder) {
        SimpleModule strictTypes = new SimpleModule("strict-types");
        strictTypes.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(GoDuration.format(value));
            }
        });
        strictTypes.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = stringToken(p, ctxt, Duration.class, "a duration such as \"2h\" or \"30m\"");
                try {
                    return GoDuration.parse(text);
                } catch (IllegalArgumentException e) {
                    return (Duration) ctxt.handleWeirdStringValue(Duration.class, text, e.getMessage());
                }
            }
        });
        strictTypes.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = stringToken(p, ctxt, Instant.class, "an RFC 3339 time such as \"2026-11-21T10:00:00Z\"");
                try {
                    return instant(text);
                } catch (DateTimeParseException e) {
                    return (Instant) ctxt.handleWeirdStringValue(Instant.class, text,
                            "not an RFC 3339 time in UTC such as 2026-11-21T10:00:00Z");
                }
            }
        });
        strictTypes.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
                                                              BeanDescription beanDesc, JsonDeserializer<?> deserializer) {
                return new ExactEnumNames(deserializer, type.getRawClass());
            }
        });
        return builder
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .addModule(strictTypes)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .serializationInclusion(JsonInclude.Include.NON_EMPTY)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** The text of a string token; any other token (a number, a boolean, an object) is a type error. */
    private static String stringToken(JsonParser p, DeserializationContext ctxt, Class<?> type, String expected) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw MismatchedInputException.from(p, type, "expected " + expected + ", not " + p.currentToken());
        }
        return p.getText();
    }

    /** Enum values must be their exact names: Jackson's own deserializer forgives surrounding white space. */
    private static final class ExactEnumNames extends DelegatingDeserializer {
        private final Class<?> type;

        ExactEnumNames(JsonDeserializer<?> delegate, Class<?> type) {
            super(delegate);
            this.type = type;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
            return new ExactEnumNames(newDelegatee, type);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String text = p.getText();
                if (!text.equals(text.strip())) {
                    return ctxt.handleWeirdStringValue(type, text, "not one of the exact values (white space is not allowed)");
                }
            }
            return super.deserialize(p, ctxt);
        }
    }
}
