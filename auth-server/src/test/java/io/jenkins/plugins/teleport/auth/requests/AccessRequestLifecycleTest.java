package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Role.Conditions;
import io.jenkins.plugins.teleport.api.Role.Reason;
import io.jenkins.plugins.teleport.api.Role.ReasonMode;
import io.jenkins.plugins.teleport.api.Role.RequestConditions;
import io.jenkins.plugins.teleport.api.Role.ReviewConditions;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessRequestLifecycleTest {

    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
    private static final String ID = "7f1c2d3e-0000-4000-8000-000000000001";
    private static final Set<String> EXISTING = Set.of("deploy", "db", "prod-admin", "requester", "cab");

    private static final ClientIdentity ALICE = ClientIdentity.user("alice");
    private static final Bot BOT = Bot.of("jenkins-deploy", List.of("deploy-bot"));

    /** Alice may request on behalf of any jenkins-* bot, and (like every reviewer here) may review anything. */
    private static final RoleSet REQUESTER = roles(
            role("requester", request(bots("jenkins-*"))),
            role("cab", review("*")));
    /** The bot may have "deploy" requested on its behalf; default thresholds, no cap, reason optional. */
    private static final RoleSet DEPLOY_BOT = roles(role("deploy-bot", request(requestable("deploy"))));
    private static final RoleSet CAB = roles(role("cab", review("*")));

    // ---- role helpers --------------------------------------------------------------------------------------

    private static Role role(String name, Conditions allow) {
        return role(name, allow, Conditions.NONE);
    }

    private static Role role(String name, Conditions allow, Conditions deny) {
        return Role.of(name, new Role.Spec(null, allow, deny));
    }

    private static RoleSet roles(Role... roles) {
        return new RoleSet(List.of(roles));
    }

    private static Conditions request(RequestConditions request) {
        return new Conditions(null, request, null, null);
    }

    private static Conditions review(String... roles) {
        return new Conditions(null, null, new ReviewConditions(List.of(roles)), null);
    }

    private static RequestConditions bots(String... bots) {
        return new RequestConditions(null, List.of(bots), null, null, null);
    }

    private static RequestConditions requestable(String... roles) {
        return new RequestConditions(List.of(roles), null, null, null, null);
    }

    private static RequestConditions thresholds(String role, Threshold... thresholds) {
        return new RequestConditions(List.of(role), null, List.of(thresholds), null, null);
    }

    private static RequestConditions capped(String role, Duration maxDuration) {
        return new RequestConditions(List.of(role), null, null, Optional.of(maxDuration), null);
    }

    private static RequestConditions withReasonRequired(RequestConditions r) {
        return new RequestConditions(r.roles(), r.bots(), r.thresholds(), r.maxDuration(), new Reason(ReasonMode.REQUIRED));
    }

    // ---- request helpers -----------------------------------------------------------------------------------

    private static CreateAccessRequest ask(String... roles) {
        return new CreateAccessRequest(BOT.name(), List.of(roles), "CHG-1234", Optional.empty(), Optional.empty(), false);
    }

    private static CreateAccessRequest askWithReason(String role, String reason) {
        return new CreateAccessRequest(BOT.name(), List.of(role), reason, Optional.empty(), Optional.empty(), false);
    }

    private static CreateAccessRequest ask(String role, Duration access, Duration pending) {
        return new CreateAccessRequest(BOT.name(), List.of(role), "CHG-1234",
                Optional.ofNullable(access), Optional.ofNullable(pending), false);
    }

    private static AccessRequest create(CreateAccessRequest ask, RoleSet botRoles) {
        return create(ask, REQUESTER, botRoles);
    }

    private static AccessRequest create(CreateAccessRequest ask, RoleSet authorRoles, RoleSet botRoles) {
        return AccessRequestLifecycle.create(ID, ask, ALICE, authorRoles, Optional.of(BOT), botRoles, EXISTING, NOW);
    }

    private static AccessRequest approve(AccessRequest request, String reviewer) {
        return review(request, reviewer, ReviewVerdict.APPROVED, "looks fine");
    }

    private static AccessRequest deny(AccessRequest request, String reviewer) {
        return review(request, reviewer, ReviewVerdict.DENIED, "not now");
    }

    private static AccessRequest review(AccessRequest request, String reviewer, ReviewVerdict verdict, String reason) {
        return AccessRequestLifecycle.review(request, ClientIdentity.user(reviewer), CAB,
                new SubmitReview(verdict, reason), NOW.plusSeconds(60));
    }

    private static ApiException refused(ErrorCode code, String messagePart, Executable action) {
        ApiException e = assertThrows(ApiException.class, action);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), "message should contain '" + messagePart + "': " + e.getMessage());
        return e;
    }

    private static String progress(AccessRequest request) {
        return AccessRequestLifecycle.withStatus(request, NOW.plusSeconds(120)).status().orElseThrow().progress();
    }

    // =========================================================================================================
    // create: who may ask for what
    // =========================================================================================================

    @Test
    void requestedRolesAreCheckedAgainstTheBotNotTheAuthor_authorMayRequestButBotMayNot() {
        RoleSet author = roles(role("requester", request(new RequestConditions(
                List.of("prod-admin"), List.of("jenkins-*"), null, null, null))));
        refused(ErrorCode.ACCESS_DENIED, "bot 'jenkins-deploy' may not request role 'prod-admin'",
                () -> create(ask("prod-admin"), author, DEPLOY_BOT));
    }

    @Test
    void requestedRolesAreCheckedAgainstTheBotNotTheAuthor_botMayRequestButAuthorMayNot() {
        RoleSet author = roles(role("requester", request(bots("jenkins-deploy"))));
        AccessRequest request = create(ask("deploy"), author, DEPLOY_BOT);
        assertEquals(List.of("deploy"), request.spec().roles());
        assertEquals(RequestState.PENDING, request.spec().state());
    }

    @Test
    void authorNeedsARoleNamingTheBotInAllowRequestBots() {
        RoleSet author = roles(role("requester", request(bots("gitlab-*"))), role("cab", review("*")));
        refused(ErrorCode.ACCESS_DENIED, "user 'alice' may not create requests on behalf of bot 'jenkins-deploy'",
                () -> create(ask("deploy"), author, DEPLOY_BOT));
    }

    @Test
    void allowRequestBotsGlobMatchesTheBot() {
        RoleSet author = roles(role("requester", request(bots("jenkins-*"))));
        assertEquals("jenkins-deploy", create(ask("deploy"), author, DEPLOY_BOT).spec().user());
    }

    @Test
    void denyRequestBotsWinsOverAllow() {
        RoleSet author = roles(
                role("requester", request(bots("*"))),
                role("no-deploy-bot", Conditions.NONE, request(bots("jenkins-deploy"))));
        refused(ErrorCode.ACCESS_DENIED, "may not create requests on behalf of bot 'jenkins-deploy'",
                () -> create(ask("deploy"), author, DEPLOY_BOT));
    }

    @Test
    void denyRequestRolesOfTheBotWinsOverAllow() {
        RoleSet bot = roles(role("deploy-bot", request(requestable("*")), request(requestable("prod-admin"))));
        refused(ErrorCode.ACCESS_DENIED, "may not request role 'prod-admin'", () -> create(ask("prod-admin"), bot));
        assertEquals(List.of("deploy"), create(ask("deploy"), bot).spec().roles());
    }

    @Test
    void aBotMayAskOnlyForItselfAndItsRequestsAreOneShotByDefault() {
        RoleSet noAuthorRules = roles();
        AccessRequest own = AccessRequestLifecycle.create(ID, new CreateAccessRequest(BOT.name(), List.of("deploy"), "CHG-1",
                Optional.empty(), Optional.empty(), Optional.empty(), null, null), ClientIdentity.bot("jenkins-deploy"),
                DEPLOY_BOT, Optional.of(BOT), DEPLOY_BOT, EXISTING, NOW);
        assertEquals("bot:jenkins-deploy", own.spec().requestedBy());
        assertTrue(own.spec().oneShot());
        refused(ErrorCode.ACCESS_DENIED, "may request access only for itself", () -> AccessRequestLifecycle.create(ID,
                ask("deploy"), ClientIdentity.bot("build"), noAuthorRules, Optional.of(BOT), DEPLOY_BOT, EXISTING, NOW));
    }

    @Test
    void unknownRolesAreABadRequestNamingThem() {
        refused(ErrorCode.BAD_REQUEST, "nope", () -> create(ask("deploy", "nope"), DEPLOY_BOT));
    }

    @Test
    void emptyRolesAreABadRequest() {
        refused(ErrorCode.BAD_REQUEST, "at least one role", () -> create(ask(), DEPLOY_BOT));
    }

    @Test
    void duplicateRolesAreRequestedOnce() {
        assertEquals(List.of("deploy"), create(ask("deploy", "deploy"), DEPLOY_BOT).spec().roles());
    }

    // =========================================================================================================
    // create: reason
    // =========================================================================================================

    @Test
    void reasonRequiredWhenABotRoleGrantingTheRequestedRoleRequiresIt() {
        RoleSet bot = roles(role("deploy-bot", request(withReasonRequired(requestable("deploy")))));
        refused(ErrorCode.BAD_REQUEST, "reason is required", () -> create(askWithReason("deploy", ""), bot));
        refused(ErrorCode.BAD_REQUEST, "reason is required", () -> create(askWithReason("deploy", "  \n "), bot));
        assertEquals("CHG-1234", create(askWithReason("deploy", "CHG-1234"), bot).spec().requestReason());
    }

    @Test
    void reasonRequiredWhenTheAuthorsRoleGrantingTheBotRequiresIt() {
        RoleSet author = roles(role("requester", request(withReasonRequired(bots("jenkins-*")))));
        refused(ErrorCode.BAD_REQUEST, "reason is required", () -> create(askWithReason("deploy", ""), author, DEPLOY_BOT));
        assertEquals("CHG-1234", create(askWithReason("deploy", "CHG-1234"), author, DEPLOY_BOT).spec().requestReason());
    }

    @Test
    void reasonOptionalOtherwise() {
        assertEquals("", create(askWithReason("deploy", ""), DEPLOY_BOT).spec().requestReason());
    }

    @Test
    void reasonRequiredOnlyByABotRoleGrantingAnotherRoleDoesNotApply() {
        RoleSet bot = roles(
                role("deploy-bot", request(requestable("deploy"))),
                role("db-bot", request(withReasonRequired(requestable("db")))));
        assertEquals("", create(askWithReason("deploy", ""), bot).spec().requestReason());
    }

    @Test
    void reasonIsStoredStripped() {
        assertEquals("CHG-1234", create(askWithReason("deploy", "  CHG-1234\n"), DEPLOY_BOT).spec().requestReason());
    }

    @Test
    void reasonLongerThan4096CharactersIsABadRequest() {
        refused(ErrorCode.BAD_REQUEST, "4096", () -> create(askWithReason("deploy", "x".repeat(4097)), DEPLOY_BOT));
        assertEquals(4096, create(askWithReason("deploy", "x".repeat(4096)), DEPLOY_BOT).spec().requestReason().length());
    }

    // =========================================================================================================
    // create: what the request records
    // =========================================================================================================

    @Test
    void requestRecordsItsAuthorInRequestedByAndTheBotInUser() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        assertEquals(ID, request.id());
        assertEquals("alice", request.spec().requestedBy());
        assertEquals("jenkins-deploy", request.spec().user());
        assertEquals(RequestState.PENDING, request.spec().state());
        assertEquals(NOW, request.spec().created());
        assertEquals(List.of(), request.spec().reviews());
        assertEquals("", request.spec().resolveReason());
        assertEquals(Optional.empty(), request.spec().assumeStartTime());
        assertEquals("access_request", request.kind());
    }

    // =========================================================================================================
    // create: time windows
    // =========================================================================================================

    @Test
    void accessDefaultsToOneHour() {
        assertEquals(NOW.plus(Duration.ofHours(1)), create(ask("deploy"), DEPLOY_BOT).spec().maxDuration());
    }

    @Test
    void accessIsCappedByTheRolesRequestMaxDuration() {
        RoleSet bot = roles(role("deploy-bot", request(capped("deploy", Duration.ofHours(2)))));
        assertEquals(NOW.plus(Duration.ofHours(2)), create(ask("deploy", Duration.ofHours(8), null), bot).spec().maxDuration());
    }

    @Test
    void accessShorterThanTheRoleCapIsKept() {
        RoleSet bot = roles(role("deploy-bot", request(capped("deploy", Duration.ofHours(2)))));
        assertEquals(NOW.plus(Duration.ofMinutes(30)),
                create(ask("deploy", Duration.ofMinutes(30), null), bot).spec().maxDuration());
    }

    @Test
    void defaultAccessIsCappedByARoleMaxDurationShorterThanOneHour() {
        RoleSet bot = roles(role("deploy-bot", request(capped("deploy", Duration.ofMinutes(20)))));
        assertEquals(NOW.plus(Duration.ofMinutes(20)), create(ask("deploy"), bot).spec().maxDuration());
    }

    @Test
    void accessIsCappedAt14Days() {
        assertEquals(NOW.plus(Duration.ofDays(14)),
                create(ask("deploy", Duration.ofDays(30), null), DEPLOY_BOT).spec().maxDuration());
    }

    @Test
    void accessIsCappedAt14DaysEvenWhenTheRoleAllowsMore() {
        RoleSet bot = roles(role("deploy-bot", request(capped("deploy", Duration.ofDays(30)))));
        assertEquals(NOW.plus(Duration.ofDays(14)),
                create(ask("deploy", Duration.ofDays(30), null), bot).spec().maxDuration());
    }

    @Test
    void aGrantingRoleWithoutMaxDurationMeansNoRoleCap() {
        RoleSet bot = roles(
                role("short", request(capped("deploy", Duration.ofHours(2)))),
                role("unbounded", request(requestable("deploy"))));
        assertEquals(NOW.plus(Duration.ofHours(8)),
                create(ask("deploy", Duration.ofHours(8), null), bot).spec().maxDuration());
    }

    @Test
    void accessOfSeveralRolesIsCappedByTheShortestRoleCap() {
        RoleSet bot = roles(
                role("deploy-bot", request(capped("deploy", Duration.ofHours(4)))),
                role("db-bot", request(capped("db", Duration.ofHours(1)))));
        CreateAccessRequest both = new CreateAccessRequest(BOT.name(), List.of("deploy", "db"), "CHG-1",
                Optional.of(Duration.ofHours(8)), Optional.empty(), false);
        assertEquals(NOW.plus(Duration.ofHours(1)), create(both, bot).spec().maxDuration());
    }

    @Test
    void pendingWindowIsCappedAt7Days() {
        AccessRequest request = create(ask("deploy", Duration.ofDays(14), Duration.ofDays(30)), DEPLOY_BOT);
        assertEquals(NOW.plus(Duration.ofDays(7)), request.spec().expires());
    }

    @Test
    void pendingWindowDefaultsTo7DaysWhenAccessIsLonger() {
        AccessRequest request = create(ask("deploy", Duration.ofDays(10), null), DEPLOY_BOT);
        assertEquals(NOW.plus(Duration.ofDays(7)), request.spec().expires());
    }

    @Test
    void pendingWindowNeverEndsAfterTheAccess() {
        assertEquals(NOW.plus(Duration.ofHours(2)),
                create(ask("deploy", Duration.ofHours(2), Duration.ofHours(24)), DEPLOY_BOT).spec().expires());
        assertEquals(NOW.plus(Duration.ofHours(1)), create(ask("deploy"), DEPLOY_BOT).spec().expires());
    }

    @Test
    void pendingWindowShorterThanTheAccessIsKept() {
        assertEquals(NOW.plus(Duration.ofHours(24)),
                create(ask("deploy", Duration.ofDays(14), Duration.ofHours(24)), DEPLOY_BOT).spec().expires());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1H", "PT-0.001S"})
    void zeroOrNegativeAccessIsABadRequest(String duration) {
        refused(ErrorCode.BAD_REQUEST, "max_duration",
                () -> create(ask("deploy", Duration.parse(duration), null), DEPLOY_BOT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1H", "PT-0.001S"})
    void zeroOrNegativePendingWindowIsABadRequest(String duration) {
        refused(ErrorCode.BAD_REQUEST, "pending_ttl",
                () -> create(ask("deploy", null, Duration.parse(duration)), DEPLOY_BOT));
    }

    // =========================================================================================================
    // thresholds
    // =========================================================================================================

    @Test
    void defaultThresholdIsUsedWhenTheRoleNamesNone() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        assertEquals(List.of(new Threshold("default", 1, 1)), request.spec().thresholds());
        assertEquals(Map.of("deploy", List.of(List.of(0))), request.spec().roleThresholds());
        assertEquals("0 of 1 approvals", progress(request));
    }

    @Test
    void defaultThresholdOneApprovalApproves() {
        assertEquals(RequestState.APPROVED, approve(create(ask("deploy"), DEPLOY_BOT), "bob").spec().state());
    }

    @Test
    void defaultThresholdOneDenialDenies() {
        assertEquals(RequestState.DENIED, deny(create(ask("deploy"), DEPLOY_BOT), "bob").spec().state());
    }

    @Test
    void thresholdOfTwoApprovalsNeedsTwoApprovals() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 1)))));
        AccessRequest once = approve(create(ask("deploy"), bot), "bob");
        assertEquals(RequestState.PENDING, once.spec().state());
        assertEquals("1 of 2 approvals", progress(once));

        AccessRequest twice = approve(once, "carol");
        assertEquals(RequestState.APPROVED, twice.spec().state());
    }

    @Test
    void oneDenialDeniesWhenDenyIsOneEvenAfterAnApproval() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 1)))));
        AccessRequest request = deny(approve(create(ask("deploy"), bot), "bob"), "carol");
        assertEquals(RequestState.DENIED, request.spec().state());
    }

    @Test
    void denialsBelowTheDenyCountLeaveTheRequestPending() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 3, 2)))));
        AccessRequest once = deny(create(ask("deploy"), bot), "bob");
        assertEquals(RequestState.PENDING, once.spec().state());
        assertEquals(RequestState.DENIED, deny(once, "carol").spec().state());
    }

    @Test
    void deniedAsSoonAsAnyThresholdsDenyCountIsReached() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy",
                new Threshold("cab", 2, 3), new Threshold("security", 1, 1)))));
        assertEquals(RequestState.DENIED, deny(create(ask("deploy"), bot), "bob").spec().state());
    }

    @Test
    void oneMetThresholdOfASetIsEnoughForThatSet() {
        // Teleport's calculateReviewBasedResolution: a set (the thresholds of one granting role) is met when at
        // least one of its thresholds has reached its approve count.
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy",
                new Threshold("cab", 2, 3), new Threshold("security", 1, 3)))));
        AccessRequest once = approve(create(ask("deploy"), bot), "bob");
        assertEquals(RequestState.APPROVED, once.spec().state(), "security's one approval meets the set");
    }

    @Test
    void twoRolesFromDifferentBotRolesAreApprovedOnlyWhenEveryRolesThresholdsAreMet() {
        RoleSet bot = roles(
                role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 2)))),
                role("db-bot", request(requestable("db"))));
        AccessRequest request = create(ask("deploy", "db"), bot);
        assertEquals(2, request.spec().roleThresholds().size());

        AccessRequest once = approve(request, "bob");
        assertEquals(RequestState.PENDING, once.spec().state(), "db's threshold is met but deploy's is not");
        assertEquals("cab: 1 of 2 approvals", progress(once));

        assertEquals(RequestState.APPROVED, approve(once, "carol").spec().state());
    }

    @Test
    void roleGrantedByTwoBotRolesIsApprovedOnlyWhenEveryThresholdSetIsMet() {
        // Teleport's calculateReviewBasedResolution: every threshold set of a role must be met, not any one.
        RoleSet bot = roles(
                role("strict", request(thresholds("deploy", new Threshold("board", 3, 3)))),
                role("normal", request(thresholds("deploy", new Threshold("cab", 2, 3)))));
        AccessRequest request = create(ask("deploy"), bot);
        assertEquals(List.of(List.of(0), List.of(1)), request.spec().roleThresholds().get("deploy"));

        AccessRequest twice = approve(approve(request, "bob"), "carol");
        assertEquals(RequestState.PENDING, twice.spec().state(), "cab's set is met, board's is not");
        assertEquals("board: 2 of 3 approvals", progress(twice));

        assertEquals(RequestState.APPROVED, approve(twice, "dave").spec().state());
    }

    @Test
    void aSecondBotRoleWithTheDefaultThresholdDoesNotLetOneApprovalSatisfyABoardThatWantsTwo() {
        RoleSet bot = roles(
                role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 1)))),
                role("other-bot", request(requestable("deploy"))));
        AccessRequest once = approve(create(ask("deploy"), bot), "bob");
        assertEquals(RequestState.PENDING, once.spec().state());
        assertEquals("cab: 1 of 2 approvals", progress(once), "the default 1/1 set is met, cab's is not");
        assertEquals(RequestState.APPROVED, approve(once, "carol").spec().state());
    }

    @Test
    void progressListsEveryUnmetSetWithItsAlternatives() {
        RoleSet bot = roles(
                role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 3), new Threshold("lead", 3, 3)))),
                role("prod-bot", request(thresholds("deploy", new Threshold("board", 3, 3)))));
        AccessRequest once = approve(create(ask("deploy"), bot), "bob");
        assertEquals("cab: 1 of 2 approvals or lead: 1 of 3 approvals; board: 1 of 3 approvals", progress(once));
    }

    // ---- threshold filters ---------------------------------------------------------------------------------

    private static final Threshold CAB_ONLY = new Threshold("cab", "contains(reviewer.roles, \"cab\")", 2, 1);
    private static final RoleSet CAB_FILTERED_BOT = roles(role("deploy-bot", request(thresholds("deploy", CAB_ONLY))));
    private static final RoleSet OPS = roles(role("ops", review("*")));

    private static AccessRequest reviewAs(AccessRequest request, String reviewer, RoleSet reviewerRoles, ReviewVerdict verdict) {
        return AccessRequestLifecycle.review(request, ClientIdentity.user(reviewer), reviewerRoles,
                new SubmitReview(verdict, "reason"), NOW.plusSeconds(60));
    }

    @Test
    void approvalsFromReviewersWithoutCabDoNotCountTowardACabFilteredThreshold() {
        AccessRequest request = create(ask("deploy"), CAB_FILTERED_BOT);
        AccessRequest byOps = reviewAs(reviewAs(request, "oscar", OPS, ReviewVerdict.APPROVED), "olga", OPS, ReviewVerdict.APPROVED);
        assertEquals(RequestState.PENDING, byOps.spec().state(), "two approvals, none from cab");
        assertEquals("cab: 0 of 2 approvals", progress(byOps));

        AccessRequest byCab = approve(approve(byOps, "bob"), "carol");
        assertEquals(RequestState.APPROVED, byCab.spec().state());
    }

    @Test
    void aDenialFromAReviewerTheFilterDoesNotMatchDoesNotDeny() {
        AccessRequest denied = reviewAs(create(ask("deploy"), CAB_FILTERED_BOT), "oscar", OPS, ReviewVerdict.DENIED);
        assertEquals(RequestState.PENDING, denied.spec().state());
        assertEquals(RequestState.DENIED, deny(denied, "bob").spec().state(), "cab's deny count is 1");
    }

    @Test
    void reviewRecordsTheIndexesOfTheThresholdsItsFilterMatched() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", CAB_ONLY, new Threshold("anyone", 3, 3)))));
        AccessRequest request = create(ask("deploy"), bot);
        assertEquals(List.of(0, 1), approve(request, "bob").spec().reviews().get(0).thresholdIndexes());
        assertEquals(List.of(1), reviewAs(request, "oscar", OPS, ReviewVerdict.APPROVED).spec().reviews().get(0).thresholdIndexes());
    }

    @Test
    void filtersSeeTheRequestAsWellAsTheReviewer() {
        Threshold botFilter = new Threshold("jenkins", "equals(request.bot, \"jenkins-deploy\") && !equals(reviewer.name, \"bob\")", 1, 1);
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", botFilter))));
        AccessRequest byBob = approve(create(ask("deploy"), bot), "bob");
        assertEquals(RequestState.PENDING, byBob.spec().state(), "bob is excluded by the filter");
        assertEquals(RequestState.APPROVED, approve(byBob, "carol").spec().state());
    }

    @Test
    void aRoleWhoseThresholdFilterDoesNotParseIsRefusedAtRequestCreation() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", "contains(reviewer.roles)", 1, 1)))));
        refused(ErrorCode.BAD_REQUEST, "threshold 'cab' has an invalid filter", () -> create(ask("deploy"), bot));
    }

    @Test
    void resolveReasonIsTheReasonOfTheDecidingApproval() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 1)))));
        AccessRequest once = review(create(ask("deploy"), bot), "bob", ReviewVerdict.APPROVED, "first look ok");
        assertEquals("", once.spec().resolveReason(), "no resolve_reason while pending");

        AccessRequest approved = review(once, "carol", ReviewVerdict.APPROVED, "CAB approved CHG-1234");
        assertEquals("CAB approved CHG-1234", approved.spec().resolveReason());
    }

    @Test
    void resolveReasonIsTheReasonOfTheDecidingDenial() {
        AccessRequest denied = review(create(ask("deploy"), DEPLOY_BOT), "bob", ReviewVerdict.DENIED, "change freeze");
        assertEquals("change freeze", denied.spec().resolveReason());
        assertEquals("denied by bob: change freeze", progress(denied));
    }

    @Test
    void reviewIsRecordedWithItsAuthorRolesVerdictReasonAndTime() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        AccessRequest reviewed = review(request, "bob", ReviewVerdict.APPROVED, " ok ");
        assertEquals(List.of(new AccessRequest.Review("bob", List.of("cab"), ReviewVerdict.APPROVED, "ok", NOW.plusSeconds(60),
                        List.of(0))),
                reviewed.spec().reviews());
        assertEquals(List.of(), request.spec().reviews(), "the reviewed request is a new value; the old one is unchanged");
    }

    // =========================================================================================================
    // reviews: who may review
    // =========================================================================================================

    @Test
    void authorCannotReviewTheirOwnRequest() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.ACCESS_DENIED, "alice", () -> AccessRequestLifecycle.review(request, ALICE, REQUESTER,
                new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
    }

    @Test
    void subjectBotCannotReviewItsRequest() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.ACCESS_DENIED, "subject", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.bot("jenkins-deploy"), CAB, new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
    }

    @Test
    void anotherBotCannotReview() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.ACCESS_DENIED, "bots cannot review", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.bot("jenkins-other"), CAB, new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
    }

    @Test
    void reviewerCannotReviewTwice() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 2)))));
        AccessRequest once = approve(create(ask("deploy"), bot), "bob");
        refused(ErrorCode.ALREADY_REVIEWED, "bob", () -> approve(once, "bob"));
        refused(ErrorCode.ALREADY_REVIEWED, "bob", () -> deny(once, "bob"));
    }

    @Test
    void reviewerMustBeAllowedToReviewEveryRequestedRole() {
        RoleSet bot = roles(role("deploy-bot", request(requestable("deploy", "db"))));
        AccessRequest request = create(ask("deploy", "db"), bot);
        RoleSet deployOnly = roles(role("deploy-reviewer", review("deploy")));
        refused(ErrorCode.ACCESS_DENIED, "role 'db'", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), deployOnly, new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
        refused(ErrorCode.ACCESS_DENIED, "role 'db'", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), deployOnly, new SubmitReview(ReviewVerdict.DENIED, ""), NOW));
    }

    @Test
    void reviewerWhoseRolesTogetherCoverEveryRequestedRoleMayReview() {
        RoleSet bot = roles(role("deploy-bot", request(requestable("deploy", "db"))));
        AccessRequest request = create(ask("deploy", "db"), bot);
        RoleSet both = roles(role("deploy-reviewer", review("deploy")), role("db-reviewer", review("d*")));
        AccessRequest reviewed = AccessRequestLifecycle.review(request, ClientIdentity.user("bob"), both,
                new SubmitReview(ReviewVerdict.APPROVED, ""), NOW);
        assertEquals(RequestState.APPROVED, reviewed.spec().state());
    }

    @Test
    void reviewerWithoutReviewRequestsCannotReview() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.ACCESS_DENIED, "may not review", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("mallory"), roles(role("requester", request(bots("*")))),
                new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
    }

    @Test
    void denyReviewRequestsWinsOverAllow() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        RoleSet reviewer = roles(role("cab", review("*")), role("not-deploy", Conditions.NONE, review("deploy")));
        refused(ErrorCode.ACCESS_DENIED, "role 'deploy'", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), reviewer, new SubmitReview(ReviewVerdict.APPROVED, ""), NOW));
    }

    // =========================================================================================================
    // reviews: state
    // =========================================================================================================

    @Test
    void deniedIsTerminal() {
        RoleSet bot = roles(role("deploy-bot", request(thresholds("deploy", new Threshold("cab", 2, 1)))));
        AccessRequest denied = deny(create(ask("deploy"), bot), "bob");
        refused(ErrorCode.REQUEST_NOT_PENDING, "DENIED", () -> approve(denied, "carol"));
        refused(ErrorCode.REQUEST_NOT_PENDING, "DENIED", () -> deny(denied, "carol"));
    }

    @Test
    void reviewingAnApprovedRequestIsRefused() {
        AccessRequest approved = approve(create(ask("deploy"), DEPLOY_BOT), "bob");
        refused(ErrorCode.REQUEST_NOT_PENDING, "APPROVED", () -> deny(approved, "carol"));
    }

    @Test
    void reviewingAfterThePendingWindowIsRefusedAsExpired() {
        AccessRequest request = create(ask("deploy", Duration.ofHours(8), Duration.ofHours(2)), DEPLOY_BOT);
        refused(ErrorCode.REQUEST_EXPIRED, request.spec().expires().toString(), () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), CAB, new SubmitReview(ReviewVerdict.APPROVED, ""), NOW.plus(Duration.ofHours(3))));
        refused(ErrorCode.REQUEST_EXPIRED, "expired", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), CAB, new SubmitReview(ReviewVerdict.APPROVED, ""), request.spec().expires()));
    }

    @Test
    void reviewJustBeforeThePendingWindowEndsIsAccepted() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        AccessRequest reviewed = AccessRequestLifecycle.review(request, ClientIdentity.user("bob"), CAB,
                new SubmitReview(ReviewVerdict.APPROVED, ""), request.spec().expires().minusMillis(1));
        assertEquals(RequestState.APPROVED, reviewed.spec().state());
    }

    @Test
    void missingProposedStateIsABadRequest() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.BAD_REQUEST, "proposed_state", () -> AccessRequestLifecycle.review(request,
                ClientIdentity.user("bob"), CAB, new SubmitReview(null, "ok"), NOW));
    }

    @Test
    void reviewReasonLongerThan4096CharactersIsABadRequest() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        refused(ErrorCode.BAD_REQUEST, "4096",
                () -> review(request, "bob", ReviewVerdict.APPROVED, "x".repeat(4097)));
    }

    // =========================================================================================================
    // effective state and status
    // =========================================================================================================

    @Test
    void pendingRequestShowsExpiredOncePastExpires() {
        AccessRequest request = create(ask("deploy", Duration.ofHours(8), Duration.ofHours(2)), DEPLOY_BOT);
        Instant expires = request.spec().expires();
        assertEquals(RequestState.PENDING, AccessRequestLifecycle.effectiveState(request, expires.minusMillis(1)));
        assertEquals(RequestState.EXPIRED, AccessRequestLifecycle.effectiveState(request, expires));
        assertEquals(RequestState.EXPIRED, AccessRequestLifecycle.effectiveState(request, expires.plus(Duration.ofDays(1))));
        assertEquals(RequestState.PENDING, request.spec().state(), "EXPIRED is shown, never stored");
    }

    @Test
    void approvedRequestShowsExpiredOnceItsAccessHasEnded() {
        AccessRequest approved = approve(create(ask("deploy", Duration.ofHours(2), null), DEPLOY_BOT), "bob");
        Instant accessEnds = approved.spec().maxDuration();
        assertEquals(NOW.plus(Duration.ofHours(2)), accessEnds);
        assertEquals(RequestState.APPROVED, AccessRequestLifecycle.effectiveState(approved, accessEnds.minusMillis(1)));
        assertEquals(RequestState.EXPIRED, AccessRequestLifecycle.effectiveState(approved, accessEnds));
    }

    @Test
    void approvedRequestStaysApprovedAfterThePendingWindow() {
        AccessRequest approved = approve(create(ask("deploy", Duration.ofHours(8), Duration.ofHours(1)), DEPLOY_BOT), "bob");
        assertEquals(RequestState.APPROVED,
                AccessRequestLifecycle.effectiveState(approved, approved.spec().expires().plus(Duration.ofHours(1))));
    }

    @Test
    void deniedRequestStaysDeniedForever() {
        AccessRequest denied = deny(create(ask("deploy"), DEPLOY_BOT), "bob");
        assertEquals(RequestState.DENIED, AccessRequestLifecycle.effectiveState(denied, NOW.plus(Duration.ofDays(365))));
    }

    @Test
    void withStatusReportsAnExpiredPendingRequest() {
        AccessRequest request = create(ask("deploy"), DEPLOY_BOT);
        AccessRequest shown = AccessRequestLifecycle.withStatus(request, NOW.plus(Duration.ofHours(2)));
        AccessRequest.Status status = shown.status().orElseThrow();
        assertEquals(RequestState.EXPIRED, status.state());
        assertTrue(status.progress().contains(request.spec().expires().toString()), status.progress());
        assertEquals(RequestState.PENDING, shown.spec().state());
    }

    @Test
    void withStatusReportsAnExpiredApprovedRequest() {
        AccessRequest approved = approve(create(ask("deploy"), DEPLOY_BOT), "bob");
        AccessRequest.Status status = AccessRequestLifecycle.withStatus(approved, NOW.plus(Duration.ofHours(1))).status().orElseThrow();
        assertEquals(RequestState.EXPIRED, status.state());
        assertTrue(status.progress().contains(approved.spec().maxDuration().toString()), status.progress());
    }

    @Test
    void withStatusReportsWhoApprovedAndUntilWhen() {
        AccessRequest approved = approve(create(ask("deploy"), DEPLOY_BOT), "bob");
        AccessRequest.Status status = AccessRequestLifecycle.withStatus(approved, NOW.plusSeconds(120)).status().orElseThrow();
        assertEquals(RequestState.APPROVED, status.state());
        assertTrue(status.progress().contains("bob") && status.progress().contains(approved.spec().maxDuration().toString()),
                status.progress());
    }
}
