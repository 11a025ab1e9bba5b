package io.jenkins.plugins.teleport.api;

/** A stored resource in Teleport's shape: {@code kind}, {@code version}, {@code metadata}, {@code spec}. */
public sealed interface Resource permits Role, User, Bot, AccessRequest, Token, Lock, Integration, ReviewRule {

    String kind();

    String version();

    Metadata metadata();

    /** The same resource with other metadata (the server sets the revision). */
    Resource withMetadata(Metadata metadata);

    default String name() {
        return metadata().name();
    }
}
