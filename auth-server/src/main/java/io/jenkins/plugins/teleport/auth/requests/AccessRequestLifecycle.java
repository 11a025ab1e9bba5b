package io.jenkins.plugins.teleport.auth.requests;

import io.jenkins.plugins.teleport.api.AccessRequest.Review;
import io.jenkins.plugins.teleport.api.AccessRequest.Spec;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewRule;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The access-request state machine, as pure functions over immutable values: who may create a request on
 * behalf of which bot, its time windows, who may review it, and how reviews and thresholds resolve its state.
 * No store, no clock, no HTTP: callers pass what they read and the current instant.
 */
public final class AccessRequestLifecycle {

    /** The longest access a request can grant, counted from its creation (as Teleport's). */
    public static final Duration MAX_ACCESS = Duration.ofDays(14);
    /** The longest a request can wait for reviews. */
    public static final Duration MAX_PENDING = Duration.ofDays(7);
    /** The access a request asks for when it names no {@code max_duration}. */
    public static final Duration DEFAULT_ACCESS = Duration.ofHours(1);
    /** The longest reason accepted, in characters. */
    public static final int MAX_REASON = 4096;

    private static final Pattern REQUEST_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private AccessRequestLifecycle() {}

    /** How {@code requested_by} names a bot that asked for itself (names of people cannot contain ':'). */
    public static String botAuthor(String bot) {
        return "bot:" + bot;
    }

    /**
     * A new PENDING request by {@code author} on behalf of {@code bot}. The requested roles are checked against
     * what the bot may request, not what the author may; a person only needs a role naming the bot. A bot may ask
     * for itself (never for another bot) the roles its own roles allow, with the same thresholds, reason rules and
     * caps; its requests are one-shot unless they say otherwise, and when it joined through Jenkins they are
     * restricted to the job and branch it joined for.
     */
    public static AccessRequest create(String id, CreateAccessRequest ask, ClientIdentity author, RoleSet authorRoles,
                                       Optional<Bot> found, RoleSet botRoles, Set<String> existingRoles, Instant now) {
        boolean selfRequest = author.type() == ClientIdentity.Type.BOT;
        if (selfRequest && !author.name().equals(ask.bot())) {
            throw denied(author + " may request access only for itself, not for bot '" + ask.bot() + "'");
        }
        // Permission before existence, so people without it learn nothing about which bots exist.
        if (!selfRequest && !authorRoles.mayRequestFor(ask.bot())) {
            throw denied("user '" + author.name() + "' may not create requests on behalf of bot '" + ask.bot()
                    + "': add the bot to allow.request.bots of one of the user's roles (" + names(authorRoles) + ")");
        }
        Bot bot = found.orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                "bot '" + ask.bot() + "' does not exist: create it first (create -f with kind: bot)"));
        List<String> roles = List.copyOf(new LinkedHashSet<>(ask.roles()));
        if (roles.isEmpty()) {
            throw bad("name at least one role to request (roles)");
        }
        List<String> unknown = roles.stream().filter(r -> !existingRoles.contains(r)).toList();
        if (!unknown.isEmpty()) {
            throw bad("role(s) " + String.join(", ", unknown) + " do not exist: create them first or correct the names");
        }
        for (String role : roles) {
            if (!botRoles.mayRequestRole(role)) {
                throw denied("bot '" + bot.name() + "' may not request role '" + role
                        + "': add it to allow.request.roles of one of the bot's roles (" + names(botRoles) + ")");
            }
        }
        List<Role> granting = roles.stream().flatMap(r -> botRoles.rolesGranting(r).stream()).distinct().toList();

        String reason = ask.reason().strip();
        checkReasonLength(reason);
        if (reason.isEmpty() && (RoleSet.reasonRequired(granting)
                || (!selfRequest && RoleSet.reasonRequired(authorRoles.rolesGrantingBot(bot.name()))))) {
            throw bad("a reason is required for this request (a role sets request.reason.mode: required): give one with --reason");
        }

        Duration cap = MAX_ACCESS;
        for (String role : roles) {
            Duration roleCap = RoleSet.maxDuration(botRoles.rolesGranting(role)).orElse(MAX_ACCESS);
            cap = min(cap, roleCap);
        }
        Duration access = ask.maxDuration().orElse(DEFAULT_ACCESS);
        if (access.isNegative() || access.isZero()) {
            throw bad("max_duration must be positive, e.g. 2h");
        }
        Instant accessEnds = now.plus(min(access, cap));
        Duration pending = ask.pendingTtl().orElse(MAX_PENDING);
        if (pending.isNegative() || pending.isZero()) {
            throw bad("pending_ttl must be positive, e.g. 24h");
        }
        Instant expires = min(now.plus(min(pending, MAX_PENDING)), accessEnds);

        List<Threshold> thresholds = new ArrayList<>();
        Map<String, List<List<Integer>>> roleThresholds = new LinkedHashMap<>();
        for (String role : roles) {
            List<List<Integer>> sets = new ArrayList<>();
            for (Role r : botRoles.rolesGranting(role)) {
                List<Threshold> own = r.spec().allow().request().thresholds();
                List<Integer> set = new ArrayList<>();
                for (Threshold t : own.isEmpty() ? List.of(Threshold.DEFAULT) : own) {
                    checkFilter(r, t);
                    if (!thresholds.contains(t)) {
                        thresholds.add(t);
                    }
                    set.add(thresholds.indexOf(t));
                }
                sets.add(set);
            }
            roleThresholds.put(role, sets);
        }

        String job = checkRestriction("jenkins_job", ask.jenkinsJob());
        String branch = checkRestriction("jenkins_branch", ask.jenkinsBranch());
        if (author.jenkins().isPresent()) {
            ClientIdentity.Jenkins joined = author.jenkins().get();
            if ((!job.isEmpty() && !job.equals(joined.job())) || (!branch.isEmpty() && !branch.equals(joined.branch()))) {
                throw bad("a bot that joined through Jenkins for job " + joined.job() + " may ask only for that job and "
                        + "branch; leave jenkins_job and jenkins_branch out");
            }
            job = joined.job();
            branch = joined.branch();
        }
        Spec spec = new Spec(bot.name(), selfRequest ? botAuthor(author.name()) : author.name(), roles, RequestState.PENDING,
                reason, "", now, expires, accessEnds, Optional.empty(), ask.oneShot().orElse(selfRequest), thresholds,
                roleThresholds, List.of(), Map.of(), job, branch);
        return new AccessRequest(null, null, Metadata.named(id), spec, Optional.empty());
    }

    /**
     * The request with {@code reviewer}'s review added and its state resolved. Refused for anyone but a person
     * whose roles may review every requested role and who is neither the author nor the subject, and once
     * the request is no longer PENDING.
     */
    public static AccessRequest review(AccessRequest request, ClientIdentity reviewer, RoleSet reviewerRoles,
                                       SubmitReview submitted, Instant now) {
        Spec spec = request.spec();
        if (submitted.proposedState() == null) {
            throw bad("proposed_state must be APPROVED or DENIED");
        }
        if (reviewer.type() == ClientIdentity.Type.BOT) {
            throw denied(reviewer.name().equals(spec.user())
                    ? "bot '" + reviewer.name() + "' is the subject of request " + request.id() + " and cannot review it"
                    : "bots cannot review access requests; a person with review_requests must");
        }
        if (reviewer.name().equals(spec.requestedBy())) {
            throw denied("user '" + reviewer.name() + "' created request " + request.id()
                    + " and cannot review it: another reviewer must");
        }
        for (String role : spec.roles()) {
            if (!reviewerRoles.mayReview(role)) {
                throw denied("user '" + reviewer.name() + "' may not review requests for role '" + role
                        + "': add it to allow.review_requests.roles of one of the user's roles (" + names(reviewerRoles) + ")");
            }
        }
        RequestState state = effectiveState(request, now);
        if (state == RequestState.EXPIRED) {
            throw new ApiException(ErrorCode.REQUEST_EXPIRED, "request " + request.id() + " expired at "
                    + (spec.state() == RequestState.PENDING ? spec.expires() : spec.maxDuration())
                    + ": create a new request");
        }
        if (state != RequestState.PENDING) {
            throw new ApiException(ErrorCode.REQUEST_NOT_PENDING, "request " + request.id() + " is already " + state
                    + ": reviews are accepted only while it is PENDING");
        }
        if (spec.reviews().stream().anyMatch(r -> r.author().equals(reviewer.name()))) {
            throw new ApiException(ErrorCode.ALREADY_REVIEWED, "user '" + reviewer.name() + "' has already reviewed request "
                    + request.id() + ": each reviewer reviews once");
        }
        String reason = submitted.reason().strip();
        checkReasonLength(reason);

        Review review = new Review(reviewer.name(), reviewerRoles.names(), submitted.proposedState(), reason, now,
                thresholdIndexes(spec, reviewer, reviewerRoles));
        List<Review> reviews = new ArrayList<>(spec.reviews());
        reviews.add(review);
        RequestState resolved = resolve(spec, reviews);
        return request.withSpec(spec.withReview(review, resolved, resolved == RequestState.PENDING ? "" : reason));
    }

    /**
     * The indexes of the request's thresholds whose filters match a review by {@code reviewer} (Teleport's
     * {@code collectReviewThresholdIndexes}); the review counts toward those thresholds only.
     */
    static List<Integer> thresholdIndexes(Spec spec, ClientIdentity reviewer, RoleSet reviewerRoles) {
        return thresholdIndexes(spec, reviewer.name(), reviewerRoles.names());
    }

    private static List<Integer> thresholdIndexes(Spec spec, String reviewerName, List<String> reviewerRoles) {
        ThresholdFilter.Context context = new ThresholdFilter.Context(reviewerName, reviewerRoles, spec.roles(),
                spec.requestReason(), spec.user(), spec.jenkinsJob(), spec.jenkinsBranch());
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < spec.thresholds().size(); i++) {
            if (ThresholdFilter.parse(spec.thresholds().get(i).filter()).matches(context)) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /**
     * What the reviews add up to, as Teleport's {@code calculateReviewBasedResolution}: the reviews are counted in
     * order, each toward the thresholds its {@code threshold_indexes} name. DENIED as soon as any threshold in play
     * reaches its deny count; APPROVED as soon as every requested role is approved, a role being approved when
     * every one of its threshold sets has at least one threshold whose approve count is met; else PENDING.
     */
    public static RequestState resolve(Spec spec, List<Review> reviews) {
        Tally tally = new Tally(spec);
        for (Review review : reviews) {
            tally.add(review);
            if (tally.denied()) {
                return RequestState.DENIED;
            }
            if (tally.approved()) {
                return RequestState.APPROVED;
            }
        }
        return RequestState.PENDING;
    }

    /** Approvals and denials counted per threshold of one request. */
    private static final class Tally {
        private final Spec spec;
        private final int[] approvals;
        private final int[] denials;

        Tally(Spec spec) {
            this.spec = spec;
            this.approvals = new int[spec.thresholds().size()];
            this.denials = new int[spec.thresholds().size()];
        }

        Tally addAll(List<Review> reviews) {
            reviews.forEach(this::add);
            return this;
        }

        void add(Review review) {
            for (int i : review.thresholdIndexes()) {
                if (i >= 0 && i < approvals.length) {
                    if (review.proposedState() == ReviewVerdict.APPROVED) {
                        approvals[i]++;
                    } else {
                        denials[i]++;
                    }
                }
            }
        }

        boolean denied() {
            return java.util.stream.IntStream.range(0, denials.length).anyMatch(i -> denials[i] >= spec.thresholds().get(i).deny());
        }

        boolean approved() {
            return spec.roles().stream().allMatch(role -> spec.roleThresholds().getOrDefault(role, List.of()).stream()
                    .allMatch(this::met));
        }

        /** Whether a threshold set has at least one threshold whose approve count is met. */
        boolean met(List<Integer> set) {
            return set.stream().anyMatch(i -> i < approvals.length && approvals[i] >= spec.thresholds().get(i).approve());
        }

        /**
         * What a PENDING request still waits for: each threshold set not met yet, as "a of n approvals", the
         * thresholds of one set joined by "or", the sets by ";". A threshold is named ("cab: 1 of 2 approvals")
         * when it has a filter (its count is of matching reviews only) or when several thresholds are in play.
         */
        String waitingFor() {
            List<String> sets = new ArrayList<>();
            for (String role : spec.roles()) {
                for (List<Integer> set : spec.roleThresholds().getOrDefault(role, List.of())) {
                    if (met(set)) {
                        continue;
                    }
                    String text = String.join(" or ", set.stream().filter(i -> i < approvals.length).map(i -> {
                        Threshold t = spec.thresholds().get(i);
                        boolean named = !t.filter().isEmpty() || spec.thresholds().size() > 1;
                        return (named ? t.name() + ": " : "") + approvals[i] + " of " + t.approve() + " approvals";
                    }).toList());
                    if (!sets.contains(text)) {
                        sets.add(text);
                    }
                }
            }
            return sets.isEmpty() ? "waiting for reviews" : String.join("; ", sets);
        }
    }

    /** The state as users see it: EXPIRED once a pending request's window or an approved request's access has ended. */
    public static RequestState effectiveState(AccessRequest request, Instant now) {
        Spec spec = request.spec();
        return switch (spec.state()) {
            case PENDING -> now.isBefore(spec.expires()) ? RequestState.PENDING : RequestState.EXPIRED;
            case APPROVED -> now.isBefore(spec.maxDuration()) ? RequestState.APPROVED : RequestState.EXPIRED;
            default -> spec.state();
        };
    }

    /**
     * Refuses unless {@code caller} may get certificates for {@code request} now: the caller is the bot the request
     * is for, the request is APPROVED and its access has not ended, and it is still valid under the bot's current
     * roles (a role removed or no longer requestable since approval makes it invalid). Locks are checked by the
     * caller of this function. Each refusal says which condition failed.
     */
    public static void checkAssumable(AccessRequest request, ClientIdentity caller, RoleSet botRoles, Set<String> existingRoles,
                                      Instant now) {
        Spec spec = request.spec();
        if (caller.type() != ClientIdentity.Type.BOT) {
            throw denied("only bot '" + spec.user() + "' can assume request " + request.id() + "; " + caller + " cannot"
                    + (caller.name().equals(spec.requestedBy()) ? " (it created the request)" : ""));
        }
        if (!caller.name().equals(spec.user())) {
            throw denied("request " + request.id() + " is for bot '" + spec.user() + "', this identity is bot '"
                    + caller.name() + "'");
        }
        if (caller.isRequestBound()) {
            // Teleport's DisallowReissue: certificates bound to a request never mint more certificates.
            throw denied(caller + " cannot issue certificates: a request-bound identity may only read and release its "
                    + "own request; issue with the bot's join identity");
        }
        checkJenkinsRestriction(request, caller);
        AccessRequest shown = withStatus(request, now);
        AccessRequest.Status status = shown.status().orElseThrow();
        switch (status.state()) {
            case APPROVED -> { }
            case PENDING -> throw new ApiException(ErrorCode.REQUEST_PENDING, "request " + request.id() + " is PENDING: "
                    + status.progress() + "; ask its reviewers to approve it");
            case DENIED -> throw new ApiException(ErrorCode.REQUEST_DENIED, "request " + request.id() + " was "
                    + status.progress() + "; create a new request");
            case CANCELLED -> throw new ApiException(ErrorCode.REQUEST_CANCELLED, "request " + request.id() + " was "
                    + status.progress() + "; create a new request");
            case CONSUMED -> throw new ApiException(ErrorCode.REQUEST_CONSUMED, "request " + request.id()
                    + " was one-shot and has already been used and released; create a new request");
            case EXPIRED -> throw new ApiException(ErrorCode.REQUEST_EXPIRED, "request " + request.id() + " "
                    + status.progress() + "; create a new request");
        }
        if (spec.oneShot() && spec.assumeStartTime().isPresent()) {
            throw new ApiException(ErrorCode.REQUEST_CLAIMED, "request " + request.id() + " is one-shot and was already "
                    + "assumed at " + spec.assumeStartTime().get() + describeUsage(spec.assumedBy())
                    + ": a one-shot request serves one build; create a new request");
        }
        for (String role : spec.roles()) {
            if (!existingRoles.contains(role)) {
                throw denied("request " + request.id() + " is no longer valid: role '" + role + "' no longer exists");
            }
            if (!botRoles.mayRequestRole(role)) {
                throw denied("request " + request.id() + " is no longer valid: bot '" + spec.user()
                        + "' may no longer request role '" + role + "' (its roles changed after approval)");
            }
        }
    }

    /**
     * The request withdrawn (CANCELLED, terminal), as when the build that waited for it was aborted: by whoever asked
     * for it (a person, or the bot that asked for itself), or by a holder of rule {@code update} on
     * {@code access_request}; only while it is PENDING or APPROVED. Teleport deletes such a request; keeping it
     * CANCELLED keeps its trail readable.
     */
    public static AccessRequest cancel(AccessRequest request, ClientIdentity caller, RoleSet callerRoles, String reason) {
        Spec spec = request.spec();
        boolean author = caller.type() == ClientIdentity.Type.BOT ? spec.requestedBy().equals(botAuthor(caller.name()))
                : spec.requestedBy().equals(caller.name());
        if (!author && !callerRoles.allows("access_request", RoleSet.Verb.UPDATE)) {
            throw denied(caller + " may not cancel request " + request.id() + ": only who asked for it ("
                    + spec.requestedBy() + ") or a holder of rule {resources: [access_request], verbs: [update]} may");
        }
        if (spec.state() != RequestState.PENDING && spec.state() != RequestState.APPROVED) {
            throw new ApiException(ErrorCode.REQUEST_NOT_PENDING, "request " + request.id() + " is already "
                    + spec.state() + ": only PENDING or APPROVED requests can be cancelled");
        }
        String why = reason.strip();
        checkReasonLength(why);
        return request.withSpec(spec.withState(RequestState.CANCELLED, why));
    }

    /** The reviewer name of an automatic review rule's reviews. */
    public static String ruleReviewer(String rule) {
        return "review-rule:" + rule;
    }

    /**
     * The request with the review of an automatic rule added, when the rule applies: every requested role matches one
     * of the rule's roles and its condition holds; empty otherwise, or when the request is no longer PENDING. The
     * review counts toward the thresholds whose filters match a reviewer named {@code review-rule:<name>} with no
     * roles: so a threshold that wants reviewers of role cab is never met by a rule.
     */
    public static Optional<AccessRequest> applyRule(AccessRequest request, ReviewRule rule, Instant now) {
        Spec spec = request.spec();
        if (spec.state() != RequestState.PENDING || rule.spec().decision() == null) {
            return Optional.empty();
        }
        boolean rolesCovered = spec.roles().stream().allMatch(role -> rule.spec().roles().stream().anyMatch(p -> RoleSet.matches(p, role)));
        ThresholdFilter.Context context = new ThresholdFilter.Context("", List.of(), spec.roles(), spec.requestReason(),
                spec.user(), spec.jenkinsJob(), spec.jenkinsBranch());
        if (!rolesCovered || !ThresholdFilter.parseCondition(rule.spec().condition()).matches(context)) {
            return Optional.empty();
        }
        String reviewer = ruleReviewer(rule.name());
        Review review = new Review(reviewer, List.of(), rule.spec().decision(), rule.spec().reason(), now,
                thresholdIndexes(spec, reviewer, List.of()));
        List<Review> reviews = new ArrayList<>(spec.reviews());
        reviews.add(review);
        RequestState resolved = resolve(spec, reviews);
        return Optional.of(request.withSpec(spec.withReview(review, resolved, resolved == RequestState.PENDING ? "" : review.reason())));
    }

    /**
     * The request after its bot released it: a one-shot APPROVED request becomes CONSUMED; any other is unchanged.
     * Only the request's bot may release it, in any state, so cleanup always works.
     */
    public static AccessRequest release(AccessRequest request, ClientIdentity caller) {
        Spec spec = request.spec();
        if (caller.type() != ClientIdentity.Type.BOT || !caller.name().equals(spec.user())) {
            throw denied("only bot '" + spec.user() + "' can release request " + request.id() + "; " + caller + " cannot");
        }
        return spec.oneShot() && spec.state() == RequestState.APPROVED ? request.withSpec(spec.consumed()) : request;
    }

    /**
     * Whether {@code who} may see a request: its author, its subject bot, anyone who may review all its roles,
     * and anyone whose rules allow reading access requests.
     */
    public static boolean visibleTo(AccessRequest request, ClientIdentity who, RoleSet roles) {
        Spec spec = request.spec();
        boolean subject = who.type() == ClientIdentity.Type.BOT && who.name().equals(spec.user());
        boolean author = who.type() == ClientIdentity.Type.USER && who.name().equals(spec.requestedBy());
        return subject || author || roles.allows("access_request", RoleSet.Verb.READ)
                || (who.type() == ClientIdentity.Type.USER && spec.roles().stream().allMatch(roles::mayReview));
    }

    /** The request with its computed status: effective state and a one-line summary such as "1 of 2 approvals". */
    public static AccessRequest withStatus(AccessRequest request, Instant now) {
        Spec spec = request.spec();
        RequestState state = effectiveState(request, now);
        String progress = switch (state) {
            case PENDING -> new Tally(spec).addAll(spec.reviews()).waitingFor();
            case APPROVED -> "approved by " + reviewers(spec, ReviewVerdict.APPROVED) + "; access until " + spec.maxDuration();
            case DENIED -> "denied by " + reviewers(spec, ReviewVerdict.DENIED)
                    + (spec.resolveReason().isEmpty() ? "" : ": " + spec.resolveReason());
            case CONSUMED -> "used once and released (one-shot)";
            case CANCELLED -> "cancelled" + (spec.resolveReason().isEmpty() ? "" : ": " + spec.resolveReason());
            case EXPIRED -> "expired at " + (spec.state() == RequestState.PENDING ? spec.expires() : spec.maxDuration());
        };
        return request.withStatus(new AccessRequest.Status(state, progress));
    }

    /**
     * Refuses a bot identity whose Jenkins join does not match the request's {@code jenkins_job} and
     * {@code jenkins_branch} (globs), naming both sides.
     */
    private static void checkJenkinsRestriction(AccessRequest request, ClientIdentity caller) {
        Spec spec = request.spec();
        if (spec.jenkinsJob().isEmpty() && spec.jenkinsBranch().isEmpty()) {
            return;
        }
        String wanted = (spec.jenkinsJob().isEmpty() ? "" : "job " + spec.jenkinsJob())
                + (spec.jenkinsJob().isEmpty() || spec.jenkinsBranch().isEmpty() ? "" : ", ")
                + (spec.jenkinsBranch().isEmpty() ? "" : "branch " + spec.jenkinsBranch());
        ClientIdentity.Jenkins joined = caller.jenkins().orElseThrow(() -> denied("request " + request.id()
                + " is restricted to " + wanted + "; this identity did not join through Jenkins (use the jenkins join method)"));
        boolean jobOk = spec.jenkinsJob().isEmpty() || RoleSet.matches(spec.jenkinsJob(), joined.job());
        boolean branchOk = spec.jenkinsBranch().isEmpty() || RoleSet.matches(spec.jenkinsBranch(), joined.branch());
        if (!jobOk || !branchOk) {
            throw denied("request " + request.id() + " is restricted to " + wanted + "; this identity joined for job "
                    + joined.job() + (joined.branch().isEmpty() ? " (no branch)" : ", branch " + joined.branch()));
        }
    }

    /** A job or branch restriction: at most 512 characters, no control characters. */
    private static String checkRestriction(String field, String value) {
        String v = value.strip();
        if (v.length() > 512 || v.chars().anyMatch(Character::isISOControl)) {
            throw bad(field + " must be a job or branch name (a glob with *), at most 512 characters");
        }
        return v;
    }

    /** " by build https://…" or " by job=deploy, build_number=42": what the first issuance said about itself. */
    private static String describeUsage(Map<String, String> usage) {
        if (usage.containsKey("build_url")) {
            return " by build " + usage.get("build_url");
        }
        return usage.isEmpty() ? "" : " by " + String.join(", ", new java.util.TreeMap<>(usage).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    private static String reviewers(Spec spec, ReviewVerdict verdict) {
        return String.join(", ", spec.reviews().stream().filter(r -> r.proposedState() == verdict).map(Review::author).toList());
    }

    /** Refuses anything but a request ID (a lower-case UUID) before it reaches the store. */
    public static void checkId(String id) {
        if (!REQUEST_ID.matcher(id).matches()) {
            throw bad("'" + id + "' is not an access request ID: IDs are UUIDs such as 0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        }
    }

    /** Refuses a role's threshold whose filter does not parse (roles are checked when written; this guards older ones). */
    private static void checkFilter(Role role, Threshold threshold) {
        try {
            ThresholdFilter.parse(threshold.filter());
        } catch (ThresholdFilter.InvalidFilterException e) {
            throw bad("role '" + role.name() + "': threshold '" + threshold.name() + "' has an invalid filter ("
                    + e.getMessage() + "): correct the role");
        }
    }

    private static void checkReasonLength(String reason) {
        if (reason.length() > MAX_REASON) {
            throw bad("reason is longer than " + MAX_REASON + " characters");
        }
    }

    private static String names(RoleSet roles) {
        return roles.names().isEmpty() ? "none" : String.join(", ", roles.names());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static ApiException bad(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }

    private static ApiException denied(String message) {
        return new ApiException(ErrorCode.ACCESS_DENIED, message);
    }
}
