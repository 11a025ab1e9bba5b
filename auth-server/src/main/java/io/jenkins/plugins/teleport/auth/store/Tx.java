package io.jenkins.plugins.teleport.auth.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The operations available inside one {@link Store} read or transaction. */
public interface Tx {

    <T extends Resource> Optional<T> get(Class<T> type, String name);

    /**
     * The stored resources of a type among {@code names}, in one statement, in the order of their first mention there
     * (names not stored are left out): a bot's and a request's roles are read together on every issuance.
     */
    <T extends Resource> List<T> getAll(Class<T> type, List<String> names);

    <T extends Resource> List<T> list(Class<T> type);

    /** The stored revisions of the named resources of a type (names not stored are left out). */
    Map<String, Long> revisions(Class<? extends Resource> type, List<String> names);

    /** Inserts a new resource at revision 1; {@code already_exists} if the name is taken. */
    <T extends Resource> T create(T resource);

    /**
     * Replaces a resource if its stored revision still equals {@code resource.metadata().revision()};
     * {@code revision_conflict} if another writer got there first, {@code not_found} if it is gone.
     */
    default <T extends Resource> T update(T resource) {
        return update(Encoded.update(resource));
    }

    /** {@link #update(Resource)} with the stored form encoded ahead ({@link Encoded#update}). */
    <T extends Resource> T update(Encoded<T> next);

    /**
     * {@link #update(Encoded)} that answers false, changing nothing, where that refuses: the resource was changed since
     * the revision {@code next} follows, or is gone. One statement either way.
     */
    default <T extends Resource> boolean updateIfUnchanged(Encoded<T> next) {
        return updateIfUnchanged(next, List.of());
    }

    /**
     * {@link #updateIfUnchanged(Encoded)} that also holds only while each of {@code decidedBy} is stored as it was read:
     * present with the very text it was read from, or still absent. Still one statement: a decision made outside the
     * transaction (an issuance, from the bot and its roles) is written only if nothing it was made from has changed,
     * and need not be made again from a second read. Bodies are compared, not revisions, so a resource deleted and
     * made again (at revision 1, with other content) is not taken for the one read.
     */
    <T extends Resource> boolean updateIfUnchanged(Encoded<T> next, List<AsRead> decidedBy);

    /**
     * {@link #updateIfUnchanged(Encoded, List)} and, only if that swapped, {@link #record(List)} of {@code certificates}
     * and {@link #append(Encoded)} of {@code event}, then the locks as stored: an issuance's writes and its last check.
     * Empty (nothing written) if the swap was refused. PostgreSQL makes all of it one statement (one round trip instead
     * of four); SQLite, whose statements are calls into the same process, runs the four.
     */
    default <T extends Resource> Optional<List<Lock>> updateIfUnchangedThenRecord(Encoded<T> next, List<AsRead> decidedBy,
                                                                                  List<IssuedCertificate> certificates,
                                                                                  Encoded<AuditEvent> event) {
        if (!updateIfUnchanged(next, decidedBy)) {
            return Optional.empty();
        }
        record(certificates);
        append(event);
        return Optional.of(list(Lock.class));
    }

    /** {@code resource} as this store read it: with the stored text it was decoded from (see {@link AsRead}). */
    AsRead asRead(Resource resource);

    /**
     * What a decision read of one resource: its stored text, or that none of that kind and name was stored
     * ({@code json} empty). Made by {@link #asRead} or {@link #absent}; {@link #updateIfUnchanged(Encoded, List)} checks it.
     */
    record AsRead(String kind, String name, Optional<String> json) {

        public static AsRead absent(Class<? extends Resource> type, String name) {
            return new AsRead(Kind.of(type).wireName(), name, Optional.empty());
        }
    }

    /** Deletes a resource; false if there was none. */
    boolean delete(Class<? extends Resource> type, String name);

    /** Appends an audit event (its seq is assigned by the store and ignored here). */
    default void append(AuditEvent event) {
        append(Encoded.event(event));
    }

    /** {@link #append(AuditEvent)} with the event encoded ahead ({@link Encoded#event}). */
    void append(Encoded<AuditEvent> event);

    /**
     * A value with the JSON the store keeps of it, encoded before the transaction: SQLite has one writer, and JSON it
     * need not encode is CPU it does not spend while every other write waits (the issuance hot path encodes its
     * request update and audit event on the request thread).
     */
    record Encoded<T>(T value, String json) {

        /** What {@link #update(Resource)} stores for {@code resource}: it at the next revision, encoded. */
        @SuppressWarnings("unchecked")
        public static <T extends Resource> Encoded<T> update(T resource) {
            T next = (T) resource.withMetadata(resource.metadata().withRevision(resource.metadata().revision() + 1));
            return new Encoded<>(next, json(next));
        }

        public static Encoded<AuditEvent> event(AuditEvent event) {
            return new Encoded<>(event, json(event));
        }

        /** The JSON the store keeps of a resource or event. */
        static String json(Object value) {
            try {
                return Json.mapper().writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Events in order, optionally only those of one request and/or within [from, to). */
    List<AuditEvent> events(Optional<String> requestId, Optional<Instant> from, Optional<Instant> to, int limit);

    /**
     * A stored certificate authority: its public part (a PEM certificate for X.509, an authorized_keys line for
     * SSH) and its private key (PEM).
     */
    record StoredAuthority(String publicPart, String privateKey) {}

    Optional<StoredAuthority> authority(String name);

    /** Stores an authority unless one of that name exists; returns the one that is stored afterwards. */
    StoredAuthority insertAuthorityIfAbsent(String name, StoredAuthority authority);

    /**
     * Replaces an authority if its stored public part is still {@code expectedPublicPart} (compare-and-swap, as a
     * rotation needs when several servers share the store); false if another writer changed it first.
     */
    boolean replaceAuthority(String name, String expectedPublicPart, StoredAuthority authority);

    /**
     * Replaces the stored private key of an authority if it is still {@code expected} (compare-and-swap, so that of
     * several servers re-encrypting it at once one wins); true if it was replaced.
     */
    boolean replaceAuthorityKey(String name, String expected, String replacement);

    /** How many certificates of each kind are live at {@code now}: not expired and not revoked. */
    java.util.Map<IssuedCertificate.Kind, Long> liveCertificateCounts(Instant now);

    /** How many access requests are stored as PENDING with their pending window still open at {@code now}. */
    long pendingAccessRequests(Instant now);

    /** The named counters of the store (see the migration that creates them). */
    enum Counter {
        /** Bumped by every change to what is revoked: releases, locks created and removed. */
        REVOCATIONS("revocations"),
        /** The number of the last revocation list built (KRL version, CRL number). */
        REVOCATION_LISTS("revocation_lists"),
        /** The last serial number given to a server for request-bound certificates (taken in blocks). */
        CERTIFICATE_SERIALS("certificate_serials");

        private final String dbName;

        Counter(String dbName) {
            this.dbName = dbName;
        }

        public String dbName() {
            return dbName;
        }
    }

    /** The counter's current value. */
    long counter(Counter counter);

    /**
     * Adds one to the counter and returns the new value. Two transactions never get the same value: on PostgreSQL
     * the row lock orders them, on SQLite the single writer does.
     */
    default long increment(Counter counter) {
        return add(counter, 1);
    }

    /** Adds {@code amount} to the counter and returns the new value, with the same guarantee as {@link #increment}. */
    long add(Counter counter, long amount);

    /** The tables of people's sign-in to the web pages (credentials, invites, sessions, failed sign-ins). */
    WebAccounts webAccounts();

    /**
     * Records that an ID token ({@code jti} of {@code issuer}) was used, until it expires; false if it was used
     * before (the insert and the check are one statement, so of two racing joins one wins).
     */
    boolean recordTokenId(String issuer, String jti, Instant expires);

    /** Forgets used token IDs that expired before {@code before}; returns how many. */
    int forgetTokenIdsExpiredBefore(Instant before);

    /** Records an issued certificate. */
    default void record(IssuedCertificate certificate) {
        record(List.of(certificate));
    }

    /** Records issued certificates in one statement (an issuance's SSH and X.509 pair). */
    void record(List<IssuedCertificate> certificates);

    Optional<IssuedCertificate> certificate(IssuedCertificate.Kind kind, String serial);

    /**
     * Marks as revoked, at {@code at}, the certificates issued to {@code subject} for {@code requestId} that are
     * not revoked yet; returns them.
     */
    List<IssuedCertificate> revokeForRequest(String requestId, String subject, Instant at);

    /** Unexpired certificates of a kind that match the query: revoked ones, or those of a request, subject or serial. */
    List<IssuedCertificate> certificates(IssuedCertificate.Kind kind, CertificateQuery query, Instant now);

    /** Which certificates {@link #certificates} returns: exactly one criterion is set. */
    record CertificateQuery(boolean revoked, Optional<String> requestId, Optional<String> subject, Optional<String> serial) {
        public static CertificateQuery revokedOnes() {
            return new CertificateQuery(true, Optional.empty(), Optional.empty(), Optional.empty());
        }

        public static CertificateQuery ofRequest(String id) {
            return new CertificateQuery(false, Optional.of(id), Optional.empty(), Optional.empty());
        }

        public static CertificateQuery ofSubject(String name) {
            return new CertificateQuery(false, Optional.empty(), Optional.of(name), Optional.empty());
        }

        public static CertificateQuery ofSerial(String serial) {
            return new CertificateQuery(false, Optional.empty(), Optional.empty(), Optional.of(serial));
        }
    }
}
