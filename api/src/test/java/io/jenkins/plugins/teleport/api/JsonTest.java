package io.jenkins.plugins.teleport.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.jenkins.plugins.teleport.api.Role.ReasonMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static final String ROLE_YAML = """
            kind: role
            version: v7
            metadata:
              name: jenkins-deploy-bot
              description: what may be requested on behalf of jenkins-deploy
              labels:
                team: platform
            spec:
              options:
                max_session_ttl: 30m
              allow:
                logins: [deploy]
                request:
                  roles: [deploy, 'db-*']
                  bots: ['jenkins-*']
                  thresholds:
                    - name: cab
                      approve: 2
                      deny: 1
                  max_duration: 2h
                  reason:
                    mode: required
                review_requests:
                  roles: [deploy]
                rules:
                  - resources: [access_request, role]
                    verbs: [list, read]
              deny:
                request:
                  bots: [jenkins-untrusted]
            """;

    /** The value ROLE_YAML describes, built with the records' constructors. */
    private static final Role ROLE = new Role("role", "v7",
            new Metadata("jenkins-deploy-bot", "what may be requested on behalf of jenkins-deploy",
                    Map.of("team", "platform"), Optional.empty(), 0),
            new Role.Spec(
                    new Role.Options(Optional.of(Duration.ofMinutes(30))),
                    new Role.Conditions(List.of("deploy"),
                            new Role.RequestConditions(List.of("deploy", "db-*"), List.of("jenkins-*"),
                                    List.of(new Threshold("cab", 2, 1)), Optional.of(Duration.ofHours(2)),
                                    new Role.Reason(ReasonMode.REQUIRED)),
                            new Role.ReviewConditions(List.of("deploy")),
                            List.of(new Role.Rule(List.of("access_request", "role"), List.of("list", "read")))),
                    new Role.Conditions(null, new Role.RequestConditions(null, List.of("jenkins-untrusted"), null, null, null),
                            null, null)));

    private static Role parseRole(String yaml) throws Exception {
        return Json.yaml().readValue(yaml, Role.class);
    }

    /** ROLE as the YAML mapper writes it: a valid file to alter in one place. */
    private static String writtenRole() throws Exception {
        return Json.yaml().writeValueAsString(ROLE);
    }

    // ---- roles in Teleport's YAML shape --------------------------------------------------------------------

    @Test
    void teleportShapedRoleYamlParses() throws Exception {
        Role role = parseRole(ROLE_YAML);

        assertEquals("role", role.kind());
        assertEquals("v7", role.version());
        assertEquals("jenkins-deploy-bot", role.name());
        assertEquals(Map.of("team", "platform"), role.metadata().labels());
        assertEquals(Optional.of(Duration.ofMinutes(30)), role.spec().options().maxSessionTtl());

        Role.Conditions allow = role.spec().allow();
        assertEquals(List.of("deploy"), allow.logins());
        assertEquals(List.of("deploy", "db-*"), allow.request().roles());
        assertEquals(List.of("jenkins-*"), allow.request().bots());
        assertEquals(List.of(new Threshold("cab", 2, 1)), allow.request().thresholds());
        assertEquals(Optional.of(Duration.ofHours(2)), allow.request().maxDuration());
        assertEquals(ReasonMode.REQUIRED, allow.request().reason().mode());
        assertEquals(List.of("deploy"), allow.reviewRequests().roles());
        assertEquals(List.of(new Role.Rule(List.of("access_request", "role"), List.of("list", "read"))), allow.rules());

        Role.Conditions deny = role.spec().deny();
        assertEquals(List.of("jenkins-untrusted"), deny.request().bots());
        assertEquals(List.of(), deny.request().roles());
        assertEquals(List.of(), deny.reviewRequests().roles());
        assertEquals(ROLE, role);
    }

    /** Resource files written by hand (as for tctl create -f) carry no revision: it is set by the server. */
    @Test
    void metadataWithoutRevisionReadsAsNotStoredYet() throws Exception {
        assertEquals(Metadata.named("deploy"), Json.yaml().readValue("name: deploy", Metadata.class));
        assertEquals(Metadata.named("deploy"), Json.mapper().readValue("{\"name\":\"deploy\"}", Metadata.class));
    }

    @Test
    void omittedPartsOfARoleReadAsEmptyAndOptional() throws Exception {
        Role role = parseRole("""
                kind: role
                version: v7
                metadata:
                  name: minimal
                spec:
                  allow:
                    request:
                      roles: [deploy]
                """);
        assertEquals(Optional.empty(), role.spec().options().maxSessionTtl());
        assertEquals(List.of(), role.spec().allow().request().thresholds());
        assertEquals(Optional.empty(), role.spec().allow().request().maxDuration());
        assertEquals(ReasonMode.OPTIONAL, role.spec().allow().request().reason().mode());
        assertEquals(Role.Conditions.NONE, role.spec().deny());
        assertEquals(0, role.metadata().revision());
    }

    @Test
    void thresholdWithoutNameIsNamedDefault() throws Exception {
        Role role = parseRole("""
                kind: role
                version: v7
                metadata: {name: r}
                spec:
                  allow:
                    request:
                      roles: [deploy]
                      thresholds: [{approve: 2, deny: 1}]
                """);
        assertEquals(List.of(new Threshold("default", 2, 1)), role.spec().allow().request().thresholds());
    }

    @Test
    void roleRoundTripsThroughYaml() throws Exception {
        String written = writtenRole();
        assertEquals(ROLE, parseRole(written), written);
    }

    @Test
    void roleRoundTripsThroughJson() throws Exception {
        String written = Json.mapper().writeValueAsString(ROLE);
        assertEquals(ROLE, Json.mapper().readValue(written, Role.class), written);
    }

    @Test
    void roleIsWrittenWithSnakeCaseNamesGoDurationsAndLowercaseReasonMode() throws Exception {
        String json = Json.mapper().writeValueAsString(ROLE);
        assertTrue(json.contains("\"max_session_ttl\":\"30m\""), json);
        assertTrue(json.contains("\"max_duration\":\"2h\""), json);
        assertTrue(json.contains("\"review_requests\":{"), json);
        assertTrue(json.contains("\"reason\":{\"mode\":\"required\"}"), json);
        assertFalse(json.contains("maxDuration"), json);
        assertFalse(json.contains("reviewRequests"), json);
        assertFalse(json.contains("maxSessionTtl"), json);
    }

    @Test
    void accessRequestIsWrittenWithSnakeCaseNamesAndIsoInstants() throws Exception {
        Instant created = Instant.parse("2025-06-01T10:00:00Z");
        AccessRequest request = new AccessRequest(null, null, Metadata.named("0b6c3a1e"), new AccessRequest.Spec(
                "jenkins-deploy", "alice", List.of("deploy"), RequestState.PENDING, "CHG-1234", "", created,
                created.plus(Duration.ofHours(1)), created.plus(Duration.ofHours(2)), Optional.empty(), false,
                List.of(Threshold.DEFAULT), Map.of("deploy", List.of(List.of(0))),
                List.of(new AccessRequest.Review("bob", List.of("cab"), ReviewVerdict.APPROVED, "ok", created, List.of(0))),
                Map.of("build_url", "https://jenkins.example.com/job/deploy/42/"), "deploy/prod", "main"), Optional.empty());

        String json = Json.mapper().writeValueAsString(request);
        for (String name : List.of("\"requested_by\":\"alice\"", "\"request_reason\":\"CHG-1234\"",
                "\"max_duration\":\"2025-06-01T12:00:00Z\"", "\"expires\":\"2025-06-01T11:00:00Z\"",
                "\"role_thresholds\":{\"deploy\":[[0]]}", "\"proposed_state\":\"APPROVED\"", "\"threshold_indexes\":[0]",
                "\"assumed_by\":{\"build_url\":", "\"kind\":\"access_request\"")) {
            assertTrue(json.contains(name), name + " in " + json);
        }
        assertFalse(json.contains("requestedBy"), json);
        assertFalse(json.contains("assume_start_time"), "an empty Optional is omitted: " + json);
        assertFalse(json.contains("resolve_reason"), "an empty string is omitted, and reads back as empty: " + json);
        assertEquals(request, Json.mapper().readValue(json, AccessRequest.class));
    }

    @Test
    void unknownFieldInRoleIsRefused() throws Exception {
        String typo = writtenRole().replace("review_requests:", "review_request:");
        assertTrue(typo.contains("review_request:"), typo);
        UnrecognizedPropertyException e = assertThrows(UnrecognizedPropertyException.class, () -> parseRole(typo));
        assertEquals("review_request", e.getPropertyName());
    }

    @Test
    void camelCaseFieldNameIsRefused() throws Exception {
        String camel = writtenRole().replace("max_duration: 2h", "maxDuration: 2h");
        assertTrue(camel.contains("maxDuration: 2h"), camel);
        assertThrows(UnrecognizedPropertyException.class, () -> parseRole(camel));
    }

    @Test
    void unknownFieldInJsonMessageIsRefused() {
        assertThrows(UnrecognizedPropertyException.class, () -> Json.mapper().readValue(
                "{\"proposed_state\":\"APPROVED\",\"reason\":\"ok\",\"approve\":true}", Messages.SubmitReview.class));
    }

    @Test
    void invalidDurationInRoleIsRefused() throws Exception {
        String bad = writtenRole().replace("max_duration: 2h", "max_duration: 2 hours");
        assertTrue(bad.contains("2 hours"), bad);
        JsonMappingException e = assertThrows(JsonMappingException.class, () -> parseRole(bad));
        assertTrue(e.getMessage().contains("2 hours"), e.getMessage());
    }

    @Test
    void createAccessRequestMessageReadsGoDurations() throws Exception {
        Messages.CreateAccessRequest ask = Json.mapper().readValue(
                "{\"bot\":\"jenkins-deploy\",\"roles\":[\"deploy\"],\"reason\":\"CHG-1\",\"max_duration\":\"1h30m\"}",
                Messages.CreateAccessRequest.class);
        assertEquals(Optional.of(Duration.ofMinutes(90)), ask.maxDuration());
        assertEquals(Optional.empty(), ask.pendingTtl());
    }

    // ---- GoDuration ----------------------------------------------------------------------------------------

    @Test
    void goDurationParsesSingleAndCompoundUnits() {
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
        assertEquals(Duration.ofDays(14), GoDuration.parse("14d"));
        assertEquals(Duration.ofHours(2), GoDuration.parse("2h"));
        assertEquals(Duration.ofMinutes(30), GoDuration.parse("30m"));
        assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
        assertEquals(Duration.ofMillis(1_500), GoDuration.parse("1s500ms"));
    }

    @Test
    void goDurationFormatsInTheShortestForm() {
        assertEquals("2h", GoDuration.format(Duration.ofHours(2)));
        assertEquals("1h30m", GoDuration.format(Duration.ofMinutes(90)));
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("1s500ms", GoDuration.format(Duration.ofMillis(1_500)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"90s", "1h30m", "14d", "2h", "500ms", "1h0m5s"})
    void goDurationFormatParsesBackToTheSameDuration(String text) {
        Duration d = GoDuration.parse(text);
        assertEquals(d, GoDuration.parse(GoDuration.format(d)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "   ", "2", "h", "-1h", "1.5h", "1h 30m", "2hours", "2h!"})
    void goDurationRefusesOtherForms(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    @Test
    void goDurationRefusalNamesTheAcceptedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("abc"));
        assertTrue(e.getMessage().contains("abc") && e.getMessage().contains("2h"), e.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
        assertTrue(empty.getMessage().contains("2h"), empty.getMessage());
    }

    @Test
    void goDurationRefusesNull() {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(null));
    }

    @Test
    void goDurationRefusesANumberTooLargeForALong() {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("99999999999999999999s"));
    }

    /** A number that fits in a long but overflows a Duration must be refused the same documented way. */
    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775807h", "9223372036854775807d", "9223372036854775807s9223372036854775807s"})
    void goDurationRefusesADurationTooLargeWithIllegalArgumentException(String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    // ---- what the server accepts (Json.readRequest) ----------------------------------------------------------

    private static <T> T request(String json, Class<T> type) throws Exception {
        return Json.readRequest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), type);
    }

    /** The strings the issue found coerced, truncated or forgiven: each is refused now. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"bot\":\"b\",\"roles\":[\"deploy\"],\"reason\":false}",
            "{\"bot\":12,\"roles\":[\"deploy\"]}",
            "{\"bot\":\"b\",\"roles\":[7]}",
            "{\"bot\":\"b\",\"roles\":\"deploy\"}",
            "{\"bot\":\"b\",\"roles\":[\"deploy\"],\"one_shot\":1}",
            "{\"bot\":\"b\",\"roles\":[\"deploy\"],\"one_shot\":\"true\"}",
            "{\"bot\":\"b\",\"roles\":[\"deploy\"],\"max_duration\":7200}",
            "{\"bot\":\"b\",\"roles\":[\"deploy\"],\"reason\":null}",
            "{\"bot\":\"b\",\"bot\":\"c\",\"roles\":[\"deploy\"]}",
            "{\"bot\":\"b\",\"roles\":[\"deploy\"]} trailing",
            "{\"roles\":[\"deploy\"]}",
            "[]",
            "\"text\"",
            "null"})
    void createAccessRequestIsReadStrictly(String json) {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> request(json, Messages.CreateAccessRequest.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"proposed_state\":0}", "{\"proposed_state\":1}", "{\"proposed_state\":\"APPROVED \"}",
            "{\"proposed_state\":\" APPROVED\"}", "{\"proposed_state\":\"approved\"}", "{\"proposed_state\":true}", "{}"})
    void reviewVerdictMustBeItsExactName(String json) {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> request(json, Messages.SubmitReview.class));
    }

    @Test
    void aValidReviewIsRead() throws Exception {
        assertEquals(new Messages.SubmitReview(ReviewVerdict.APPROVED, "ok"),
                request("{\"proposed_state\":\"APPROVED\",\"reason\":\"ok\"}", Messages.SubmitReview.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1.0", "\"2\"", "true", "3000000000"})
    void thresholdCountsMustBeWholeNumbers(String approve) {
        String role = "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"allow\":{\"request\":{\"roles\":[\"deploy\"],"
                + "\"thresholds\":[{\"approve\":" + approve + ",\"deny\":1}]}}}}";
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> request(role, Role.class));
    }

    @Test
    void numbersAreNotNames() {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"metadata\":{\"name\":12}}", User.class));
    }

    @Test
    void reasonModeAndJoinMethodAreLowercaseExactly() throws Exception {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"mode\":\"REQUIRED\"}", Role.Reason.class));
        assertEquals(ReasonMode.REQUIRED, request("{\"mode\":\"required\"}", Role.Reason.class).mode());
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"join_method\":\"TOKEN\",\"token\":\"t\",\"public_key\":\"k\"}", Messages.JoinRequest.class));
        assertEquals("{\"mode\":\"required\"}", Json.mapper().writeValueAsString(new Role.Reason(ReasonMode.REQUIRED)));
    }

    @Test
    void invalidUtf8IsRefusedEvenInsideAFieldName() {
        byte[] body = "{\"metadata\":{\"name\":\"u\"},\"spec\":{\"role\u00ffs\":[\"admin\"]}}"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> Json.readRequest(body, User.class));
        byte[] overlong = {'{', '"', 'a', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> Json.readRequest(overlong, User.class));
    }

    @Test
    void aBodyInAnotherEncodingThanUtf8OrWithAByteOrderMarkIsRefused() throws Exception {
        String json = "{\"proposed_state\":\"APPROVED\",\"reason\":\"ok\"}";
        assertEquals("ok", Json.readRequest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Messages.SubmitReview.class).reason());
        for (String encoding : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE")) {
            byte[] body = json.getBytes(java.nio.charset.Charset.forName(encoding));
            assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> Json.readRequest(body, Messages.SubmitReview.class),
                    encoding + " (its zero bytes are valid UTF-8; Jackson would detect the encoding and read it)");
        }
        var bom = assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> Json.readRequest(
                ("\uFEFF" + json).getBytes(java.nio.charset.StandardCharsets.UTF_8), Messages.SubmitReview.class));
        assertTrue(bom.getMessage().contains("byte order mark"), bom.getMessage());
    }

    @Test
    void instantsHaveTheFourDigitYearsOfRfc3339() throws Exception {
        assertEquals(Instant.parse("0001-01-01T00:00:00Z"), Json.instant("0001-01-01T00:00:00Z"));
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"), Json.instant("9999-12-31T23:59:59Z"));
        for (String beyond : List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z", "12026-01-01T00:00:00Z")) {
            assertThrows(java.time.format.DateTimeParseException.class, () -> Json.instant(beyond), beyond);
            assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                    () -> request("{\"name\":\"n\",\"expires\":\"" + beyond + "\"}", Metadata.class), beyond);
        }
    }

    @Test
    void nulCharactersAndUnpairedSurrogatesAreRefused() {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"proposed_state\":\"APPROVED\",\"reason\":\"a\\u0000b\"}", Messages.SubmitReview.class));
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"proposed_state\":\"APPROVED\",\"reason\":\"\\ud800\"}", Messages.SubmitReview.class));
        assertDoesNotThrowReading("{\"proposed_state\":\"APPROVED\",\"reason\":\"\\ud83d\\ude00 ok\"}");
    }

    private static void assertDoesNotThrowReading(String json) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> request(json, Messages.SubmitReview.class));
    }

    @Test
    void instantsAreRfc3339StringsNotNumbers() throws Exception {
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class,
                () -> request("{\"name\":\"n\",\"expires\":1700000000}", Metadata.class));
        assertEquals(Optional.of(Instant.parse("2026-11-21T10:00:00Z")),
                request("{\"name\":\"n\",\"expires\":\"2026-11-21T10:00:00Z\"}", Metadata.class).expires());
    }

    /** Clients keep reading answers of a newer server: unknown fields can be ignored by the reader they use. */
    @Test
    void answersWithUnknownFieldsCanStillBeRead() throws Exception {
        Messages.Ping ping = Json.mapper().reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .forType(Messages.Ping.class).readValue("{\"cluster_name\":\"c\",\"server_version\":\"v\",\"ca_pin\":\"p\",\"new\":1}");
        assertEquals("c", ping.clusterName());
    }
}
