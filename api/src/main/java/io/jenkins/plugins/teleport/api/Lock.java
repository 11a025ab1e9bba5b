package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Optional;

/**
 * A lock (Teleport's {@code lock}, v2): while in force, nothing matching its target may get certificates or call
 * the API. A target names an access request, a user, a bot, or a certificate serial (X.509 serials in hex as
 * openssl prints them without colons, SSH serials in decimal as ssh-keygen prints them).
 */
public record Lock(String kind, String version, Metadata metadata, @JsonProperty(required = true) Spec spec) implements Resource {

    public Lock {
        kind = kind == null ? Kind.LOCK.wireName() : kind;
        version = version == null ? Kind.LOCK.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null, null, null, null) : spec;
    }

    @Override
    public Lock withMetadata(Metadata newMetadata) {
        return new Lock(kind, version, newMetadata, spec);
    }

    /** What is locked, why, until when (absent: until the lock is removed), and who created it. */
    public record Spec(Target target, String message, Optional<Instant> expires, String createdBy) {
        public Spec {
            target = target == null ? new Target(null, null, null, null) : target;
            message = message == null ? "" : message;
            expires = expires == null ? Optional.empty() : expires;
            createdBy = createdBy == null ? "" : createdBy;
        }
    }

    /** What a lock applies to; every field that is set must match. */
    public record Target(String accessRequest, String user, String bot, String serial) {
        public Target {
            accessRequest = accessRequest == null ? "" : accessRequest;
            user = user == null ? "" : user;
            bot = bot == null ? "" : bot;
            serial = serial == null ? "" : serial.toLowerCase();
        }

        @JsonIgnore
        public boolean isEmpty() {
            return accessRequest.isEmpty() && user.isEmpty() && bot.isEmpty() && serial.isEmpty();
        }
    }
}
