package io.jenkins.plugins.teleport.auth.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Role.Conditions;
import io.jenkins.plugins.teleport.api.Role.Reason;
import io.jenkins.plugins.teleport.api.Role.ReasonMode;
import io.jenkins.plugins.teleport.api.Role.RequestConditions;
import io.jenkins.plugins.teleport.api.Role.ReviewConditions;
import io.jenkins.plugins.teleport.api.Role.Rule;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoleSetTest {

    // ---- helpers -------------------------------------------------------------------------------------------

    private static Role role(String name, Conditions allow) {
        return role(name, allow, Conditions.NONE);
    }

    private static Role role(String name, Conditions allow, Conditions deny) {
        return Role.of(name, new Role.Spec(null, allow, deny));
    }

    private static RoleSet set(Role... roles) {
        return new RoleSet(List.of(roles));
    }

    private static Conditions bots(String... bots) {
        return new Conditions(null, new RequestConditions(null, List.of(bots), null, null, null), null, null);
    }

    private static Conditions requestRoles(String... roles) {
        return new Conditions(null, new RequestConditions(List.of(roles), null, null, null, null), null, null);
    }

    private static Conditions reviewRoles(String... roles) {
        return new Conditions(null, null, new ReviewConditions(List.of(roles)), null);
    }

    private static Conditions rules(Rule... rules) {
        return new Conditions(null, null, null, List.of(rules));
    }

    private static Rule rule(List<String> resources, List<String> verbs) {
        return new Rule(resources, verbs);
    }

    private static Role granting(String name, String requestable, Optional<Duration> maxDuration) {
        return role(name, new Conditions(null,
                new RequestConditions(List.of(requestable), null, null, maxDuration, null), null, null));
    }

    // ---- globs ---------------------------------------------------------------------------------------------

    @Test
    void exactNameMatchesOnlyThatName() {
        RoleSet roles = set(role("requester", bots("jenkins-deploy")));
        assertTrue(roles.mayRequestFor("jenkins-deploy"));
        assertFalse(roles.mayRequestFor("jenkins-deploy-2"));
        assertFalse(roles.mayRequestFor("jenkins"));
        assertFalse(roles.mayRequestFor("Jenkins-Deploy"));
    }

    @Test
    void starMatchesAnyName() {
        RoleSet roles = set(role("requester", bots("*")));
        assertTrue(roles.mayRequestFor("jenkins-deploy"));
        assertTrue(roles.mayRequestFor("anything.at/all"));
    }

    @Test
    void prefixGlobMatchesNamesWithThatPrefixOnly() {
        RoleSet roles = set(role("requester", bots("jenkins-*")));
        assertTrue(roles.mayRequestFor("jenkins-deploy"));
        assertTrue(roles.mayRequestFor("jenkins-db-migrate"));
        assertFalse(roles.mayRequestFor("jenkins"));
        assertFalse(roles.mayRequestFor("my-jenkins-deploy"));
        assertFalse(roles.mayRequestFor("gitlab-deploy"));
    }

    @Test
    void globInTheMiddleAndAtTheEndMatch() {
        RoleSet roles = set(role("requester", bots("*-prod", "ci-*-db")));
        assertTrue(roles.mayRequestFor("deploy-prod"));
        assertFalse(roles.mayRequestFor("deploy-prod-2"));
        assertTrue(roles.mayRequestFor("ci-eu-db"));
        assertFalse(roles.mayRequestFor("ci-eu-web"));
    }

    @Test
    void globsMatchAsTheRegularExpressionTheyStandForOnEveryShortPatternAndValue() {
        // Every pattern and value of up to 4 and 5 characters over 'a', 'b' and '*' (stars only in patterns), against
        // the glob's meaning as Teleport's utils.GlobToRegexp writes it: each star ".*", the rest literal.
        List<String> patterns = words("ab*", 4);
        List<String> values = words("ab", 5);
        for (String pattern : patterns) {
            java.util.regex.Pattern regex = java.util.regex.Pattern.compile(pattern.replace("*", ".*"));
            for (String value : values) {
                assertEquals(regex.matcher(value).matches(), RoleSet.matches(pattern, value), pattern + " against " + value);
            }
        }
    }

    @Test
    void aGlobOfManyStarsIsDecidedAtOnce() {
        // As a regular expression, 40 stars before a letter that the value lacks try every way of splitting the value
        // among them (about 10^36 here) before failing.
        String pattern = "*".repeat(40) + "z";
        String value = "a".repeat(64);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertFalse(RoleSet.matches(pattern, value));
            assertTrue(RoleSet.matches(pattern, value + "z"));
            assertFalse(set(role("requester", bots(pattern))).mayRequestFor(value));
        });
    }

    /** Every word of 0 to {@code max} letters of {@code alphabet}. */
    private static List<String> words(String alphabet, int max) {
        List<String> words = new java.util.ArrayList<>(List.of(""));
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).length() < max) {
                for (char c : alphabet.toCharArray()) {
                    words.add(words.get(i) + c);
                }
            }
        }
        return words;
    }

    @Test
    void regexCharactersInPatternsAreLiteral() {
        RoleSet roles = set(role("requester", bots("db.prod", "team+1-*")));
        assertTrue(roles.mayRequestFor("db.prod"));
        assertFalse(roles.mayRequestFor("dbXprod"));
        assertTrue(roles.mayRequestFor("team+1-bot"));
        assertFalse(roles.mayRequestFor("teamm1-bot"));
    }

    @Test
    void noRolesAllowNothing() {
        RoleSet none = set();
        assertFalse(none.mayRequestFor("jenkins-deploy"));
        assertFalse(none.mayRequestRole("deploy"));
        assertFalse(none.mayReview("deploy"));
        assertFalse(none.allows("role", Verb.READ));
    }

    // ---- deny wins -----------------------------------------------------------------------------------------

    @Test
    void denyInTheSameRoleWinsOverAllow() {
        RoleSet roles = set(role("requester", bots("jenkins-*"), bots("jenkins-untrusted")));
        assertTrue(roles.mayRequestFor("jenkins-deploy"));
        assertFalse(roles.mayRequestFor("jenkins-untrusted"));
    }

    @Test
    void denyInAnotherRoleWinsOverAllowWhateverTheOrder() {
        Role allow = role("requester", bots("*"));
        Role deny = role("no-untrusted", Conditions.NONE, bots("jenkins-untrusted"));
        assertFalse(set(allow, deny).mayRequestFor("jenkins-untrusted"));
        assertFalse(set(deny, allow).mayRequestFor("jenkins-untrusted"));
        assertTrue(set(deny, allow).mayRequestFor("jenkins-deploy"));
    }

    @Test
    void denyGlobWinsOverExactAllow() {
        RoleSet roles = set(role("requester", requestRoles("deploy")), role("lockdown", Conditions.NONE, requestRoles("*")));
        assertFalse(roles.mayRequestRole("deploy"));
    }

    @Test
    void denyReviewRequestsWinsOverAllow() {
        RoleSet roles = set(role("cab", reviewRoles("*")), role("not-prod", Conditions.NONE, reviewRoles("prod-*")));
        assertTrue(roles.mayReview("deploy"));
        assertFalse(roles.mayReview("prod-admin"));
    }

    @Test
    void denyRequestRolesWinsOverAllow() {
        RoleSet roles = set(role("bot", requestRoles("*"), requestRoles("admin")));
        assertTrue(roles.mayRequestRole("deploy"));
        assertFalse(roles.mayRequestRole("admin"));
    }

    @Test
    void conditionsOfOneKindDoNotGrantAnother() {
        RoleSet roles = set(role("requester", bots("deploy")));
        assertTrue(roles.mayRequestFor("deploy"));
        assertFalse(roles.mayRequestRole("deploy"));
        assertFalse(roles.mayReview("deploy"));
    }

    // ---- rules ---------------------------------------------------------------------------------------------

    @Test
    void ruleAllowsItsVerbsOnItsResourcesOnly() {
        RoleSet roles = set(role("auditor", rules(rule(List.of("access_request", "role"), List.of("list", "read")))));
        assertTrue(roles.allows("access_request", Verb.LIST));
        assertTrue(roles.allows("role", Verb.READ));
        assertFalse(roles.allows("role", Verb.UPDATE));
        assertFalse(roles.allows("role", Verb.DELETE));
        assertFalse(roles.allows("bot", Verb.READ));
    }

    @Test
    void starInRulesMatchesEveryResourceAndVerb() {
        RoleSet admin = set(role("admin", rules(rule(List.of("*"), List.of("*")))));
        for (Verb verb : Verb.values()) {
            assertTrue(admin.allows("role", verb), verb.toString());
            assertTrue(admin.allows("access_request", verb), verb.toString());
        }
        RoleSet reader = set(role("reader", rules(rule(List.of("*"), List.of("read")))));
        assertTrue(reader.allows("bot", Verb.READ));
        assertFalse(reader.allows("bot", Verb.CREATE));
    }

    @Test
    void verbsAndResourcesMustMatchInTheSameRule() {
        RoleSet roles = set(role("mixed", rules(
                rule(List.of("role"), List.of("read")),
                rule(List.of("bot"), List.of("delete")))));
        assertTrue(roles.allows("role", Verb.READ));
        assertTrue(roles.allows("bot", Verb.DELETE));
        assertFalse(roles.allows("role", Verb.DELETE));
        assertFalse(roles.allows("bot", Verb.READ));
    }

    @Test
    void denyRuleWinsOverAllowRule() {
        RoleSet roles = set(
                role("admin", rules(rule(List.of("*"), List.of("*")))),
                role("no-role-edits", Conditions.NONE, rules(rule(List.of("role"), List.of("update", "delete")))));
        assertTrue(roles.allows("role", Verb.READ));
        assertFalse(roles.allows("role", Verb.UPDATE));
        assertFalse(roles.allows("role", Verb.DELETE));
        assertTrue(roles.allows("bot", Verb.DELETE));
    }

    // ---- granting roles, reason, max_duration --------------------------------------------------------------

    @Test
    void rolesGrantingAreThoseWhoseAllowRequestRolesMatch() {
        Role deploy = role("deploy-bot", requestRoles("deploy"));
        Role db = role("db-bot", requestRoles("db-*"));
        RoleSet roles = set(deploy, db);
        assertEquals(List.of(deploy), roles.rolesGranting("deploy"));
        assertEquals(List.of(db), roles.rolesGranting("db-admin"));
        assertEquals(List.of(), roles.rolesGranting("prod-admin"));
    }

    @Test
    void rolesGrantingBotAreThoseWhoseAllowRequestBotsMatch() {
        Role jenkins = role("jenkins-requester", bots("jenkins-*"));
        Role gitlab = role("gitlab-requester", bots("gitlab-*"));
        RoleSet roles = set(jenkins, gitlab);
        assertEquals(List.of(jenkins), roles.rolesGrantingBot("jenkins-deploy"));
        assertEquals(List.of(), roles.rolesGrantingBot("other"));
    }

    @Test
    void reasonRequiredWhenAnyGrantingRoleRequiresIt() {
        Role optional = granting("a", "deploy", Optional.empty());
        Role required = role("b", new Conditions(null,
                new RequestConditions(List.of("deploy"), null, null, null, new Reason(ReasonMode.REQUIRED)), null, null));
        assertFalse(RoleSet.reasonRequired(List.of(optional)));
        assertTrue(RoleSet.reasonRequired(List.of(optional, required)));
        assertFalse(RoleSet.reasonRequired(List.of()));
    }

    @Test
    void maxDurationOfSingleGrantingRoleIsItsMaxDuration() {
        assertEquals(Optional.of(Duration.ofHours(2)),
                RoleSet.maxDuration(List.of(granting("a", "deploy", Optional.of(Duration.ofHours(2))))));
    }

    @Test
    void maxDurationOfSeveralGrantingRolesIsTheLongest() {
        assertEquals(Optional.of(Duration.ofHours(3)), RoleSet.maxDuration(List.of(
                granting("a", "deploy", Optional.of(Duration.ofHours(1))),
                granting("b", "deploy", Optional.of(Duration.ofHours(3))))));
    }

    @Test
    void grantingRoleWithoutMaxDurationMeansNoCap() {
        assertEquals(Optional.empty(), RoleSet.maxDuration(List.of(
                granting("a", "deploy", Optional.of(Duration.ofHours(1))),
                granting("b", "deploy", Optional.empty()))));
        assertEquals(Optional.empty(), RoleSet.maxDuration(List.of(
                granting("b", "deploy", Optional.empty()),
                granting("a", "deploy", Optional.of(Duration.ofHours(1))))));
    }

    @Test
    void noGrantingRolesMeansNoCap() {
        assertEquals(Optional.empty(), RoleSet.maxDuration(List.of()));
    }

    @Test
    void namesListsTheRolesInOrder() {
        assertEquals(List.of("b", "a"), set(role("b", Conditions.NONE), role("a", Conditions.NONE)).names());
    }
}
