package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.requests.ThresholdFilter.InvalidFilterException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The threshold filter language: the subset of Teleport's (newThresholdFilterParser) that its docs use. */
class ThresholdFilterTest {

    private static final ThresholdFilter.Context BOB_ON_DEPLOY = new ThresholdFilter.Context("bob", List.of("cab", "ops"),
            List.of("deploy"), "CHG-1234: release 42", "jenkins-deploy");

    private static boolean matches(String filter) {
        return ThresholdFilter.parse(filter).matches(BOB_ON_DEPLOY);
    }

    @Test
    void emptyFilterMatchesEveryReview() {
        assertTrue(matches(""));
        assertTrue(matches("   "));
    }

    @Test
    void containsTestsMembershipOfReviewerAndRequestRoles() {
        assertTrue(matches("contains(reviewer.roles, \"cab\")"));
        assertFalse(matches("contains(reviewer.roles, \"security\")"));
        assertTrue(matches("contains(request.roles, \"deploy\")"));
        assertFalse(matches("contains(request.roles, \"prod-admin\")"));
    }

    @Test
    void equalsComparesStringsAndLists() {
        assertTrue(matches("equals(reviewer.name, \"bob\")"));
        assertTrue(matches("equals(request.bot, \"jenkins-deploy\")"));
        assertTrue(matches("equals(request.reason, \"CHG-1234: release 42\")"));
        assertFalse(matches("equals(\"bob\", request.bot)"));
        assertTrue(matches("equals(request.roles, request.roles)"));
        assertFalse(matches("equals(request.roles, reviewer.roles)"));
    }

    @Test
    void andOrNotAndParenthesesCombineWithTheUsualPrecedence() {
        assertTrue(matches("contains(reviewer.roles, \"cab\") && !equals(reviewer.name, \"alice\")"));
        assertFalse(matches("!contains(reviewer.roles, \"cab\")"));
        assertTrue(matches("contains(reviewer.roles, \"x\") || contains(reviewer.roles, \"ops\")"));
        // && binds tighter than ||: false && false || true is true; false && (false || true) is false.
        assertTrue(matches("equals(reviewer.name, \"x\") && equals(reviewer.name, \"y\") || equals(reviewer.name, \"bob\")"));
        assertFalse(matches("equals(reviewer.name, \"x\") && (equals(reviewer.name, \"y\") || equals(reviewer.name, \"bob\"))"));
        assertTrue(matches("!!contains(reviewer.roles, \"cab\")"));
    }

    @Test
    void stringLiteralsMayEscapeQuotesAndBackslashes() {
        ThresholdFilter f = ThresholdFilter.parse("equals(request.reason, \"say \\\"hi\\\" \\\\ bye\")");
        assertTrue(f.matches(new ThresholdFilter.Context("bob", List.of(), List.of(), "say \"hi\" \\ bye", "b")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "contains(reviewer.traits, \"x\")          | 10 | unknown name 'reviewer.traits'",
            "regexp.match(reviewer.roles, \"c.*\")     | 1  | unknown function 'regexp.match'",
            "contains(reviewer.name, \"bob\")          | 10 | contains needs a list first",
            "contains(reviewer.roles, request.roles)  | 26 | contains needs a string second",
            "equals(reviewer.name, request.roles)     | 23 | equals compares values of one type",
            "contains(reviewer.roles, \"cab\"          | 31 | expected ')'",
            "contains(reviewer.roles, \"cab\") &&      | 35 | unexpected end of the filter",
            "contains(reviewer.roles, \"cab\") & true  | 33 | must be doubled",
            "contains(reviewer.roles, 'cab')          | 26 | unexpected '''",
            "contains(reviewer.roles, \"cab)           | 26 | unterminated string",
            "true                                     | 1  | unknown function 'true'",
            "(contains(reviewer.roles, \"cab\")        | 33 | expected ')'",
            "contains(reviewer.roles, \"cab\") ok      | 33 | expected '&&', '||' or the end",
            "contains(reviewer.roles, \"a\\n\")         | 28 | only \\\" and \\\\ may be escaped",
    })
    void anythingElseIsRefusedNamingThePosition(String filter, int position, String message) {
        InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> ThresholdFilter.parse(filter.strip()));
        assertEquals(position, e.position(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("at position " + position), e.getMessage());
    }

    @Test
    void deeplyNestedFiltersAreRefusedRatherThanOverflowingTheStack() {
        String deep = "!".repeat(500) + "contains(reviewer.roles, \"cab\")";
        InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> ThresholdFilter.parse(deep));
        assertTrue(e.getMessage().contains("nests more than"), e.getMessage());
    }

    @Test
    void filtersLongerThanTheLimitAreRefused() {
        String longFilter = "equals(request.reason, \"" + "x".repeat(ThresholdFilter.MAX_LENGTH) + "\")";
        InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> ThresholdFilter.parse(longFilter));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }
}
