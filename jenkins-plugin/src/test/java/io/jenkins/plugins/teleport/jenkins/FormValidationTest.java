package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hudson.model.Item;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import jenkins.model.Jenkins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.stapler.verb.POST;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** Form checks that contact a server or list credentials are POST-only and need the right permission. */
class FormValidationTest {

    @TempDir
    Path dir;

    PluginFixture fixture;
    TeleportServer.DescriptorImpl descriptor = new TeleportServer.DescriptorImpl();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    static ACLContext as(String user, String... permissions) {
        return ACL.as2(new UsernamePasswordAuthenticationToken(user, "", Arrays.stream(permissions).map(SimpleGrantedAuthority::new).toList()));
    }

    @Test
    void testConnectionNeedsAdministerAndIsPostOnly() throws Exception {
        String url = fixture.cluster.server().url().toString();
        String pin = fixture.cluster.server().ca().pin();
        try (ACLContext ignored = as("reader", "hudson.model.Hudson.Read")) {
            assertThrows(AccessDeniedException.class, () -> descriptor.doTestConnection(url, pin));
        }
        try (ACLContext ignored = as("admin", Jenkins.ADMINISTER.getId())) {
            FormValidation ok = descriptor.doTestConnection(url, pin);
            assertEquals(FormValidation.Kind.OK, ok.kind, ok.getMessage());
            assertTrue(ok.getMessage().contains("cluster test"), ok.getMessage());
            String otherPin = CertificateAuthority.generate("other", Clock.systemUTC()).pin();
            FormValidation wrong = descriptor.doTestConnection(url, otherPin);
            assertEquals(FormValidation.Kind.ERROR, wrong.kind);
            assertTrue(wrong.getMessage().contains(pin) && wrong.getMessage().contains(otherPin), "both pins: " + wrong.getMessage());
        }
        for (String name : List.of("doTestConnection", "doCheckUrl", "doCheckCaPin", "doFillCredentialsIdItems")) {
            Method m = Arrays.stream(TeleportServer.DescriptorImpl.class.getMethods()).filter(x -> x.getName().equals(name))
                    .findFirst().orElseThrow();
            assertTrue(m.isAnnotationPresent(POST.class), name + " is @POST");
        }
    }

    @Test
    void fieldChecksSayWhatIsWrong() {
        assertEquals(FormValidation.Kind.ERROR, descriptor.doCheckUrl("http://auth:3025").kind);
        assertEquals(FormValidation.Kind.OK, descriptor.doCheckUrl("https://auth.example.com:3025").kind);
        assertEquals(FormValidation.Kind.ERROR, descriptor.doCheckCaPin("sha256:abc").kind);
        assertEquals(FormValidation.Kind.ERROR, descriptor.doCheckDefaultTtl("forever").kind);
        assertEquals(FormValidation.Kind.OK, descriptor.doCheckMaxTtl("2h").kind);
    }

    @Test
    void credentialsAreListedOnlyToThoseWhoMayConfigure() {
        try (ACLContext ignored = as("reader", "hudson.model.Hudson.Read")) {
            ListBoxModel hidden = descriptor.doFillCredentialsIdItems(null, "current-id");
            assertEquals(List.of("current-id"), hidden.stream().map(o -> o.value).toList(), "only the current value");
        }
        try (ACLContext ignored = as("admin", Jenkins.ADMINISTER.getId())) {
            ListBoxModel listed = descriptor.doFillCredentialsIdItems(null, "");
            assertTrue(listed.stream().anyMatch(o -> o.value.equals(PluginFixture.CREDENTIALS_ID)), "the bot credentials are offered");
        }
        Item job = new TestJob("team/deploy");
        try (ACLContext ignored = as("configurer", Item.CONFIGURE.getId())) {
            ListBoxModel inJob = new TeleportAccessRequestStep.DescriptorImpl().doFillCredentialsIdItems(job, "");
            assertTrue(inJob.stream().anyMatch(o -> o.value.equals(PluginFixture.CREDENTIALS_ID)));
        }
        try (ACLContext ignored = as("viewer", "hudson.model.Item.Read")) {
            ListBoxModel notInJob = new TeleportAccessRequestStep.DescriptorImpl().doFillCredentialsIdItems(job, "x");
            assertEquals(List.of("x"), notInJob.stream().map(o -> o.value).toList());
        }
    }
}
