package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hudson.EnvVars;
import hudson.model.ParametersDefinitionProperty;
import hudson.model.Result;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.stapler.StaplerRequest2;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The "Teleport access request" build parameter against a real auth server: the choices "Build with Parameters"
 * shows, what an unreachable server shows, and the check of a value given by the CLI or the REST API at build start.
 */
class TeleportAccessRequestParameterTest {

    @TempDir
    Path dir;

    PluginFixture fixture;
    TestJob job;
    TeleportAccessRequestParameterDefinition definition;
    TeleportAccessRequestParameterDefinition.DescriptorImpl descriptor;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
        job = new TestJob("deploy");
        definition = new TeleportAccessRequestParameterDefinition("REQUEST");
        definition.setDescription("the approved change");
        job.addProperty(new ParametersDefinitionProperty(definition));
        descriptor = new TeleportAccessRequestParameterDefinition.DescriptorImpl();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    static ACLContext as(String user, String... permissions) {
        return ACL.as2(new UsernamePasswordAuthenticationToken(user, "", java.util.Arrays.stream(permissions).map(SimpleGrantedAuthority::new).toList()));
    }

    ListBoxModel choices() {
        try (ACLContext ignored = as("dev", "hudson.model.Item.Build")) {
            return descriptor.doFillValueItems(job, "REQUEST");
        }
    }

    String request(String bot, String reason, Duration access, String... approvers) {
        String id = fixture.cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest(bot, List.of("deploy"), reason,
                Optional.of(access), Optional.empty(), false)).json().path("metadata").path("name").asText();
        for (String reviewer : approvers) {
            fixture.cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        return id;
    }

    @Test
    void buildWithParametersListsOnlyTheBotsApprovedUnexpiredRequestsWithReasonRolesApproversAndExpiry() {
        String approved = request("jenkins-deploy", "CHG-1234 release 4.2", Duration.ofHours(2), "bob", "carol");
        String shortLived = request("jenkins-deploy", "CHG-9 hotfix", Duration.ofMinutes(10), "bob", "carol");
        request("jenkins-deploy", "CHG-5 pending", Duration.ofHours(2), "bob");
        String denied = request("jenkins-deploy", "CHG-6 denied", Duration.ofHours(2));
        fixture.cluster.user("bob").post("/v1/access-requests/" + denied + "/reviews", new SubmitReview(ReviewVerdict.DENIED, "no"));
        choices(); // joins now: the server's TLS checks certificates by the real clock, not its test clock
        fixture.cluster.clock().advance(Duration.ofMinutes(30)); // the 10-minute one has expired

        ListBoxModel items = choices();
        assertEquals(List.of(approved), items.stream().map(o -> o.value).toList(), items.toString());
        String label = items.get(0).name;
        assertTrue(label.startsWith(approved), label);
        assertTrue(label.contains("\"CHG-1234 release 4.2\""), label);
        assertTrue(label.contains("roles deploy"), label);
        assertTrue(label.contains("approved by bob, carol"), label);
        assertTrue(label.contains("until 20"), label);
        assertTrue(items.stream().noneMatch(o -> o.value.equals(shortLived)), "expired requests are not offered");
    }

    @Test
    void withNoApprovedRequestTheOneEmptyChoiceSaysHowToGetOne() {
        ListBoxModel items = choices();
        assertEquals(1, items.size());
        assertEquals("", items.get(0).value);
        assertTrue(items.get(0).name.contains("tctl requests create --bot jenkins-deploy"), items.get(0).name);
    }

    @Test
    void anUnreachableAuthServerGivesAnEmptyListWithAMessageNotAFailedPage() {
        fixture.cluster.stop();
        BotSessions.clear();
        ListBoxModel items = choices();
        assertEquals(1, items.size(), items.toString());
        assertEquals("", items.get(0).value);
        assertTrue(items.get(0).name.contains("no requests could be listed"), items.get(0).name);
        assertTrue(items.get(0).name.contains("cannot reach the auth server"), items.get(0).name);
    }

    @Test
    void peopleWhoMayNotBuildTheJobSeeNoRequests() {
        request("jenkins-deploy", "CHG-1234", Duration.ofHours(2), "bob", "carol");
        try (ACLContext ignored = as("reader", "hudson.model.Item.Read")) {
            assertTrue(descriptor.doFillValueItems(job, "REQUEST").isEmpty());
        }
        try (ACLContext ignored = as("dev", "hudson.model.Item.Build")) {
            assertTrue(descriptor.doFillValueItems(job, "NOT_A_PARAMETER").isEmpty(), "only this type's parameters are listed");
        }
    }

    @Test
    void theValueIsTheRequestIdFromTheFormTheRestApiOrTheCli() throws Exception {
        String id = "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a";
        var fromForm = (TeleportAccessRequestParameterValue) definition.createValue(null, new JSONObject().element("name", "REQUEST")
                .element("value", " " + id + " "));
        assertEquals(id, fromForm.getRequestId());
        StaplerRequest2 query = (StaplerRequest2) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StaplerRequest2.class},
                (p, m, a) -> m.getName().equals("getParameterValues") && "REQUEST".equals(a[0]) ? new String[] {id} : null);
        assertEquals(id, ((TeleportAccessRequestParameterValue) definition.createValue(query)).getRequestId());
        assertEquals(id, ((TeleportAccessRequestParameterValue) definition.createValue((hudson.cli.CLICommand) null, id)).getRequestId());
        assertEquals("", ((TeleportAccessRequestParameterValue) definition.getDefaultParameterValue()).getRequestId());
        // A string another job passes (Pipeline's build step, the parameterized trigger) becomes this type through
        // SimpleParameterDefinition.createValue(String), so it is checked at the start like the others.
        assertInstanceOf(hudson.model.SimpleParameterDefinition.class, definition);
        assertEquals(id, ((TeleportAccessRequestParameterValue) definition.createValue(id)).getRequestId());
        StaplerRequest2 none = (StaplerRequest2) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StaplerRequest2.class},
                (p, m, a) -> null);
        assertEquals("", ((TeleportAccessRequestParameterValue) definition.createValue(none)).getRequestId(), "no value: the default");
        StaplerRequest2 twice = (StaplerRequest2) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StaplerRequest2.class},
                (p, m, a) -> m.getName().equals("getParameterValues") ? new String[] {id, id} : null);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> definition.createValue(twice),
                "two values are refused, as Jenkins does");
        EnvVars env = new EnvVars();
        fromForm.buildEnvironment(null, env);
        assertEquals(id, env.get("REQUEST"));
        assertEquals(id, fromForm.getValue());
        assertEquals("teleportAccessRequest", TeleportAccessRequestParameterDefinition.DescriptorImpl.class.getAnnotation(Symbol.class).value()[0]);
    }

    /**
     * Jenkins' "Build with Parameters" page reads each parameter as the JSON object of its {@code div name="parameter"}:
     * {@code name} from the hidden input, {@code value} from the select (ParametersDefinitionProperty then calls
     * createValue(req, that object)); the select's list is fetched with the fields its fill method's @QueryParameters
     * name (fillDependsOn), so the hidden {@code name} must sit in the same block. And as core's own parameter pages, the
     * title is escaped by hand and the description is the markup formatter's, since the page turns escaping on for it.
     */
    @Test
    void theValuePageSubmitsTheNameAndValueThatBuildWithParametersReadsAndTheListNeedsOnlyTheName() throws Exception {
        Path page = FormRulesTest.VIEWS.resolve("TeleportAccessRequestParameterDefinition").resolve("index.jelly");
        var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(page.toFile());
        org.w3c.dom.Element block = null;
        var divs = doc.getElementsByTagName("div");
        for (int i = 0; i < divs.getLength(); i++) {
            if ("parameter".equals(((org.w3c.dom.Element) divs.item(i)).getAttribute("name"))) {
                block = (org.w3c.dom.Element) divs.item(i);
            }
        }
        assertTrue(block != null, "a div name=\"parameter\" block");
        var inputs = block.getElementsByTagName("input");
        assertEquals(1, inputs.getLength());
        var hidden = (org.w3c.dom.Element) inputs.item(0);
        assertEquals(List.of("hidden", "name", "${it.name}"), List.of(hidden.getAttribute("type"), hidden.getAttribute("name"), hidden.getAttribute("value")));
        var selects = block.getElementsByTagName("f:select");
        assertEquals(1, selects.getLength());
        assertEquals("value", ((org.w3c.dom.Element) selects.item(0)).getAttribute("field"));

        java.util.Map<String, Object> fill = new java.util.HashMap<>();
        descriptor.calcFillSettings("value", fill);
        assertEquals("name", fill.get("fillDependsOn"), "the list is asked for with the parameter's name, which the block holds");

        String text = java.nio.file.Files.readString(page);
        assertTrue(text.contains("<j:set var=\"escapeEntryTitleAndDescription\" value=\"false\"/>"), text);
        assertTrue(text.contains("title=\"${h.escape(it.name)}\""), text);
        assertTrue(text.contains("description=\"${it.formattedDescription}\""), text);

        var submitted = new JSONObject().element("name", "REQUEST").element("value", "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        assertEquals("0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a",
                ((TeleportAccessRequestParameterValue) definition.createValue(null, submitted)).getRequestId());
    }

    Log startBuild(String value) throws Exception {
        TestRun run = new TestRun(job, 7);
        run.addParameterValueForTest(new TeleportAccessRequestParameterValue("REQUEST", value, null));
        Log log = new Log();
        new RequestParameterCheck().onStarted(run, log);
        lastRun = run;
        return log;
    }

    TestRun lastRun;

    void assertFailedAtStart(Log log, String expected) {
        assertEquals(Result.FAILURE, lastRun.getExecutor().interruptedWith(), log.text());
        assertTrue(log.text().contains(expected), log.text());
        assertTrue(lastRun.getExecutor().interruptionCauses().get(0).getShortDescription().contains(expected));
    }

    @Test
    void anApprovedRequestGivenByTheCliOrRestApiPassesTheCheckAtBuildStart() throws Exception {
        String id = request("jenkins-deploy", "CHG-1234", Duration.ofHours(2), "bob", "carol");
        Log log = startBuild(id);
        assertNull(lastRun.getExecutor().interruptedWith(), log.text());
        assertTrue(log.text().contains("access request " + id + " is APPROVED"), log.text());
    }

    @Test
    void aRequestThatIsNotApprovedFailsTheBuildAtItsStartSayingWhy() throws Exception {
        String id = request("jenkins-deploy", "CHG-5", Duration.ofHours(2), "bob");
        assertFailedAtStart(startBuild(id), "is PENDING: cab: 1 of 2 approvals");
    }

    @Test
    void anExpiredRequestFailsTheBuildAtItsStart() throws Exception {
        String id = request("jenkins-deploy", "CHG-9", Duration.ofMinutes(10), "bob", "carol");
        startBuild(id); // passes, and joins now: the server's TLS checks certificates by the real clock, not its test clock
        assertNull(lastRun.getExecutor().interruptedWith());
        fixture.cluster.clock().advance(Duration.ofMinutes(30));
        assertFailedAtStart(startBuild(id), "EXPIRED");
    }

    @Test
    void anotherBotsRequestFailsTheBuildAtItsStart() throws Exception {
        fixture.cluster.applyYaml("""
                kind: bot
                version: v1
                metadata:
                  name: jenkins-other
                spec:
                  roles: [jenkins-deploy-bot]
                """);
        String id = request("jenkins-other", "CHG-2", Duration.ofHours(2), "bob", "carol");
        assertFailedAtStart(startBuild(id), "is not one of bot 'jenkins-deploy'");
    }

    @Test
    void aBuildWithNoExecutorToInterruptIsStillMarkedFailed() throws Exception {
        TestRun run = new TestRun(job, 8);
        run.addParameterValueForTest(new TeleportAccessRequestParameterValue("REQUEST", "", null));
        run.removeExecutorForTest();
        Log log = new Log();
        new RequestParameterCheck().onStarted(run, log);
        assertEquals(Result.FAILURE, run.getResult(), log.text());
        assertTrue(log.text().contains("names no access request"), log.text());
        assertTrue(log.text().contains("marked FAILURE"), log.text());
    }

    @Test
    void noValueOrNotAnIdFailsTheBuildAtItsStartNamingTheFix() throws Exception {
        assertFailedAtStart(startBuild(""), "choose an approved one under Build with Parameters");
        assertFailedAtStart(startBuild("CHG-1234"), "parameter REQUEST");
        assertInstanceOf(RequestParameterCheck.InvalidParameter.class, lastRun.getExecutor().interruptionCauses().get(0));
    }
}
