package io.jenkins.plugins.teleport.auth.requests;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.CancelAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewRule;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Access-request operations: each one store transaction around one {@link AccessRequestLifecycle} function, with its audit events. */
public final class AccessRequestService {

    private final Store store;
    private final AuditLog audit;
    private final RequestWatch watch;
    private final Clock clock;

    public AccessRequestService(Store store, AuditLog audit, RequestWatch watch, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.watch = watch;
        this.clock = clock;
    }

    public AccessRequest create(ClientIdentity caller, CreateAccessRequest ask) {
        if (ask.bot() == null || ask.bot().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "name the bot the request is for (bot)");
        }
        AccessRequest created = store.write(tx -> {
            RoleSet authorRoles = Access.rolesOf(tx, caller);
            Optional<Bot> bot = tx.get(Bot.class, ask.bot());
            RoleSet botRoles = Access.roles(tx, bot.map(b -> b.spec().roles()).orElse(List.of()));
            // Only the roles the request names: reading every role would make creation cost grow with the role count.
            Set<String> existing = ask.roles().stream().filter(r -> tx.get(Role.class, r).isPresent()).collect(Collectors.toSet());
            AccessRequest request = tx.create(AccessRequestLifecycle.create(UUID.randomUUID().toString(), ask, caller,
                    authorRoles, bot, botRoles, existing, now()));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("bot", request.spec().user());
            fields.put("roles", request.spec().roles());
            fields.put("reason", request.spec().requestReason());
            fields.put("state", request.spec().state().name());
            fields.put("expires", request.spec().expires().toString());
            fields.put("max_duration", request.spec().maxDuration().toString());
            fields.put("requested_by", request.spec().requestedBy());
            fields.put("one_shot", request.spec().oneShot());
            if (!request.spec().jenkinsJob().isEmpty()) {
                fields.put("jenkins_job", request.spec().jenkinsJob());
                fields.put("jenkins_branch", request.spec().jenkinsBranch());
            }
            audit.record(tx, AuditEventType.ACCESS_REQUEST_CREATE, caller.name(), Optional.of(request.id()), fields);
            return applyReviewRules(tx, request);
        });
        return AccessRequestLifecycle.withStatus(created, now());
    }

    /**
     * Adds a review. Concurrent reviews of one request are serialized by compare-and-swap on its revision: the
     * loser re-reads and is judged against the new state, so a request resolves exactly once.
     */
    public AccessRequest review(ClientIdentity caller, String id, SubmitReview review) {
        AccessRequestLifecycle.checkId(id);
        AccessRequest reviewed = store.writeRetrying(tx -> {
            AccessRequest before = find(tx, id);
            RoleSet reviewerRoles = Access.rolesOf(tx, caller);
            if (!AccessRequestLifecycle.visibleTo(before, caller, reviewerRoles)) {
                throw notFound(id);
            }
            AccessRequest after = tx.update(AccessRequestLifecycle.review(before, caller, reviewerRoles, review, now()));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("proposed_state", review.proposedState().name());
            fields.put("reason", review.reason());
            fields.put("reviewer_roles", reviewerRoles.names());
            audit.record(tx, AuditEventType.ACCESS_REQUEST_REVIEW, caller.name(), Optional.of(id), fields);
            recordResolution(tx, before, after, caller.name());
            return after;
        });
        watch.touched(id);
        return AccessRequestLifecycle.withStatus(reviewed, now());
    }

    /**
     * The automatic review rules that apply to a new request, in name order, each submitting its review as
     * {@code review-rule:<name>} (audited like a person's review) until the request is resolved.
     */
    private AccessRequest applyReviewRules(Tx tx, AccessRequest created) {
        AccessRequest request = created;
        for (ReviewRule rule : tx.list(ReviewRule.class)) {
            Optional<AccessRequest> reviewed = AccessRequestLifecycle.applyRule(request, rule, now());
            if (reviewed.isEmpty()) {
                continue;
            }
            AccessRequest before = request;
            request = tx.update(reviewed.get());
            AccessRequest.Review review = request.spec().reviews().get(request.spec().reviews().size() - 1);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("proposed_state", review.proposedState().name());
            fields.put("reason", review.reason());
            fields.put("review_rule", rule.name());
            audit.record(tx, AuditEventType.ACCESS_REQUEST_REVIEW, review.author(), Optional.of(request.id()), fields);
            recordResolution(tx, before, request, review.author());
        }
        return request;
    }

    /** The {@code access_request.update} event when a change resolved the request. */
    private void recordResolution(Tx tx, AccessRequest before, AccessRequest after, String by) {
        if (after.spec().state() == before.spec().state()) {
            return;
        }
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("state", after.spec().state().name());
        update.put("resolve_reason", after.spec().resolveReason());
        update.put("reviewers", after.spec().reviews().stream().map(AccessRequest.Review::author).toList());
        audit.record(tx, AuditEventType.ACCESS_REQUEST_UPDATE, by, Optional.of(after.id()), update);
    }

    /**
     * Withdraws a request ({@link AccessRequestLifecycle#cancel}): it becomes CANCELLED, its certificates are revoked
     * at once, and the change is audited ({@code access_request.update}).
     */
    public AccessRequest cancel(ClientIdentity caller, String id, CancelAccessRequest ask) {
        AccessRequestLifecycle.checkId(id);
        AccessRequest cancelled = store.writeRetrying(tx -> {
            AccessRequest before = find(tx, id);
            RoleSet roles = Access.rolesOf(tx, caller);
            if (!AccessRequestLifecycle.visibleTo(before, caller, roles)) {
                throw notFound(id);
            }
            AccessRequest after = tx.update(AccessRequestLifecycle.cancel(before, caller, roles, ask.reason()));
            List<IssuedCertificate> revoked = tx.revokeForRequest(id, ClientIdentity.bot(before.spec().user()).subject(), clock.instant());
            if (!revoked.isEmpty()) {
                tx.increment(Tx.Counter.REVOCATIONS);
            }
            Map<String, Object> update = new LinkedHashMap<>();
            update.put("state", RequestState.CANCELLED.name());
            update.put("resolve_reason", after.spec().resolveReason());
            update.put("revoked", revoked.stream().map(c -> c.kind().wireName() + ":" + c.serial()).toList());
            audit.record(tx, AuditEventType.ACCESS_REQUEST_UPDATE, caller.name(), Optional.of(id), update);
            return after;
        });
        watch.touched(id);
        return AccessRequestLifecycle.withStatus(cancelled, now());
    }

    /**
     * The request once its revision is above {@code afterRevision} (default: the revision it has now), or after
     * {@code wait} (at most {@link RequestWatch#MAX_WAIT}), whichever is first; at once when it is above already.
     * Visibility is checked before waiting and the request is read again, with the caller's current rights, after.
     */
    public java.util.concurrent.CompletableFuture<AccessRequest> whenChanged(ClientIdentity caller, String id,
                                                                             Optional<Long> afterRevision, java.time.Duration wait) {
        AccessRequest now = get(caller, id);
        long after = afterRevision.orElse(now.metadata().revision());
        if (now.metadata().revision() > after) {
            return java.util.concurrent.CompletableFuture.completedFuture(now);
        }
        return watch.changed(id, after, wait).thenApply(v -> get(caller, id));
    }

    public AccessRequest get(ClientIdentity caller, String id) {
        AccessRequestLifecycle.checkId(id);
        AccessRequest request = store.read(tx -> {
            AccessRequest r = find(tx, id);
            if (!AccessRequestLifecycle.visibleTo(r, caller, Access.rolesOf(tx, caller))) {
                // Same answer as a missing request, so IDs cannot be probed.
                throw notFound(id);
            }
            return r;
        });
        return AccessRequestLifecycle.withStatus(request, now());
    }

    /** The requests the caller may see, newest first, optionally only those of one bot and/or one effective state. */
    public List<AccessRequest> list(ClientIdentity caller, Optional<String> bot, Optional<RequestState> state) {
        return store.read(tx -> {
            RoleSet roles = Access.rolesOf(tx, caller);
            return tx.list(AccessRequest.class).stream()
                    .filter(r -> bot.map(b -> b.equals(r.spec().user())).orElse(true))
                    .filter(r -> AccessRequestLifecycle.visibleTo(r, caller, roles))
                    .map(r -> AccessRequestLifecycle.withStatus(r, now()))
                    .filter(r -> state.map(s -> r.status().orElseThrow().state() == s).orElse(true))
                    .sorted((a, b) -> b.spec().created().compareTo(a.spec().created()))
                    .toList();
        });
    }

    public void delete(ClientIdentity caller, String id) {
        AccessRequestLifecycle.checkId(id);
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "access_request", Verb.DELETE);
            AccessRequest r = find(tx, id);
            tx.delete(AccessRequest.class, id);
            audit.record(tx, AuditEventType.ACCESS_REQUEST_DELETE, caller.name(), Optional.of(id),
                    Map.of("state", r.spec().state().name()));
            return null;
        });
    }

    /** Request times are kept to the second, as Teleport shows them. */
    private java.time.Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    private static AccessRequest find(Tx tx, String id) {
        return tx.get(AccessRequest.class, id).orElseThrow(() -> notFound(id));
    }

    private static ApiException notFound(String id) {
        return new ApiException(ErrorCode.NOT_FOUND, "access request " + id + " does not exist (requests ls lists them)");
    }
}
