package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jenkins.plugins.teleport.stubs.FormSubmission;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving Manage Jenkins, Security, with the form Jenkins submits: zero, one or two auth servers. */
class GlobalConfigurationFormTest {

    @TempDir
    Path dir;

    PluginFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir); // one server, "dev"
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    static JSONObject server(String name) {
        return new JSONObject().element("name", name).element("url", "https://" + name + ".example.com:3025")
                .element("caPin", "sha256:" + "ab".repeat(32)).element("credentialsId", "bot").element("defaultTtl", "")
                .element("maxTtl", "2h");
    }

    List<String> names() {
        return TeleportGlobalConfiguration.get().getServers().stream().map(TeleportServer::getName).toList();
    }

    @Test
    void removingTheLastServerRemovesIt() throws Exception {
        assertEquals(List.of("dev"), names());
        JSONObject emptied = new JSONObject(); // a repeatable list with no entry is not submitted at all
        TeleportGlobalConfiguration.get().configure(FormSubmission.of(emptied), emptied);
        assertEquals(List.of(), names());
    }

    @Test
    void jenkinsBindsOnlyTheSubmittedKeysWhichIsWhyTheListIsClearedFirst() {
        // What GlobalConfiguration.configure does by itself: the old server survives an emptied form.
        TeleportGlobalConfiguration config = TeleportGlobalConfiguration.get();
        FormSubmission.of(new JSONObject()).bindJSON(config, new JSONObject());
        assertEquals(List.of("dev"), names());
    }

    @Test
    void oneAndTwoServersAreSavedAsSubmitted() throws Exception {
        JSONObject one = new JSONObject().element("servers", server("prod")); // one entry: an object
        TeleportGlobalConfiguration.get().configure(FormSubmission.of(one), one);
        assertEquals(List.of("prod"), names());
        assertEquals("2h", TeleportGlobalConfiguration.get().getServers().get(0).getMaxTtl());

        JSONObject two = new JSONObject().element("servers", new JSONArray().element(server("prod")).element(server("staging")));
        TeleportGlobalConfiguration.get().configure(FormSubmission.of(two), two);
        assertEquals(List.of("prod", "staging"), names());
    }

    @Test
    void maxTtlCapsEvenWithoutAStepOrDefaultTtl() {
        TeleportServer server = new TeleportServer("s", "https://s:3025", "sha256:" + "00".repeat(32));
        assertEquals(Optional.empty(), server.ttlFor(""), "no limit: the auth server decides");
        server.setMaxTtl("30m");
        assertEquals(Optional.of(Duration.ofMinutes(30)), server.ttlFor(""), "the cap is sent, not the server's 1h default");
        assertEquals(Optional.of(Duration.ofMinutes(10)), server.ttlFor("10m"));
        assertEquals(Optional.of(Duration.ofMinutes(30)), server.ttlFor("2h"));
        server.setDefaultTtl("1h");
        assertEquals(Optional.of(Duration.ofMinutes(30)), server.ttlFor(""));
    }
}
