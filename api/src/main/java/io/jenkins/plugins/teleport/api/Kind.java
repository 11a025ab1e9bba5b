package io.jenkins.plugins.teleport.api;

import java.util.Arrays;
import java.util.Optional;

/** The resource kinds the server stores, with their wire name, current version and API collection path. */
public enum Kind {
    ROLE("role", "v7", "roles", Role.class),
    USER("user", "v2", "users", User.class),
    BOT("bot", "v1", "bots", Bot.class),
    ACCESS_REQUEST("access_request", "v3", "access-requests", AccessRequest.class),
    TOKEN("token", "v2", "tokens", Token.class),
    LOCK("lock", "v2", "locks", Lock.class),
    INTEGRATION("integration", "v1", "integrations", Integration.class),
    REVIEW_RULE("review_rule", "v1", "review-rules", ReviewRule.class);

    private final String wireName;
    private final String version;
    private final String collection;
    private final Class<? extends Resource> type;

    Kind(String wireName, String version, String collection, Class<? extends Resource> type) {
        this.wireName = wireName;
        this.version = version;
        this.collection = collection;
        this.type = type;
    }

    public String wireName() {
        return wireName;
    }

    public String version() {
        return version;
    }

    /** The path segment under {@code /v1/} of this kind's collection. */
    public String collection() {
        return collection;
    }

    public Class<? extends Resource> type() {
        return type;
    }

    /** The kind of a resource type. */
    public static Kind of(Class<? extends Resource> type) {
        return Arrays.stream(values()).filter(k -> k.type == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a resource type: " + type));
    }

    public static Optional<Kind> fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }

    /** Accepts the wire name, the collection name or a plural ("roles", "bots", "access-requests"). */
    public static Optional<Kind> fromUserInput(String name) {
        String n = name.toLowerCase().replace('-', '_');
        return Arrays.stream(values())
                .filter(k -> k.wireName.equals(n) || k.collection.replace('-', '_').equals(n))
                .findFirst();
    }
}
