package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** The packaged .hpi has what Jenkins 2.541 loads: manifest, WEB-INF/lib with the plugin jar and its libraries. */
class HpiPackagingIT {

    static final Path HPI = Path.of("target", "teleport-access-request.hpi");

    @Test
    void theManifestNamesThePluginItsJenkinsAndItsDependencies() throws Exception {
        try (JarFile hpi = new JarFile(HPI.toFile())) {
            Attributes main = hpi.getManifest().getMainAttributes();
            assertEquals("teleport-access-request", main.getValue("Short-Name"));
            assertEquals("Teleport Access Request", main.getValue("Long-Name"));
            assertNotNull(main.getValue("Plugin-Version"));
            assertEquals("2.541.2", main.getValue("Jenkins-Version"));
            String dependencies = main.getValue("Plugin-Dependencies");
            for (String plugin : List.of("workflow-step-api:", "credentials:", "structs:")) {
                assertTrue(dependencies.contains(plugin), dependencies);
            }
            for (String dependency : dependencies.split(",")) {
                assertTrue(dependency.matches("[a-z0-9-]+:[0-9][A-Za-z0-9._-]*"), "name:version, got " + dependency);
            }
            assertEquals(null, main.getValue("Plugin-Class"), "no Plugin-Class: the plugin needs no lifecycle hooks");
        }
    }

    @Test
    void webInfLibHasThePluginJarAndItsLibrariesButNotTheJenkinsApi() throws Exception {
        try (JarFile hpi = new JarFile(HPI.toFile())) {
            List<String> libs = Collections.list(hpi.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar")).map(n -> n.substring("WEB-INF/lib/".length())).toList();
            assertTrue(libs.contains("teleport-access-request.jar"), libs.toString());
            for (String prefix : List.of("client-", "api-", "okhttp-", "okio-", "kotlin-stdlib-", "jackson-databind-", "snakeyaml-",
                    "nimbus-jose-jwt-")) {
                assertTrue(libs.stream().anyMatch(l -> l.startsWith(prefix)), prefix + " bundled: " + libs);
            }
            for (String provided : List.of("jenkins-api-stubs", "guava", "spring-", "sezpoz", "auth-server", "junit")) {
                assertTrue(libs.stream().noneMatch(l -> l.startsWith(provided)), provided + " must not be bundled: " + libs);
            }
        }
    }

    @Test
    void thePluginJarHasTheViewsTheExtensionIndexAndNamedParameters() throws Exception {
        try (JarFile hpi = new JarFile(HPI.toFile());
             InputStream in = hpi.getInputStream(hpi.getEntry("WEB-INF/lib/teleport-access-request.jar"));
             JarInputStream jar = new JarInputStream(in)) {
            List<String> names = new java.util.ArrayList<>();
            String extensionIndex = "";
            for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
                names.add(e.getName());
                if (e.getName().equals("META-INF/annotations/hudson.Extension")) {
                    extensionIndex = new String(jar.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                }
            }
            for (String extension : List.of("TeleportGlobalConfiguration", "TeleportOidcIssuer", "PendingReleaseRetry")) {
                assertTrue(extensionIndex.contains("io.jenkins.plugins.teleport.jenkins." + extension), extension + " in the extension index");
            }
            for (String expected : List.of("index.jelly", "META-INF/annotations/hudson.Extension", "META-INF/annotations/org.jenkinsci.Symbol",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestStep.class",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestStep/config.jelly",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestStep/help-requestId.html",
                    "io/jenkins/plugins/teleport/jenkins/TeleportGlobalConfiguration/config.jelly",
                    "io/jenkins/plugins/teleport/jenkins/TeleportBotCredentials/credentials.jelly",
                    "io/jenkins/plugins/teleport/jenkins/TeleportBotCredentials/help-joinMethod.html",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestStep/help-awsIntegration.html",
                    "io/jenkins/plugins/teleport/jenkins/TeleportOidcIssuer.class",
                    "io/jenkins/plugins/teleport/jenkins/TeleportRequestAction/summary.jelly",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestParameterDefinition/index.jelly",
                    "io/jenkins/plugins/teleport/jenkins/TeleportAccessRequestParameterValue/value.jelly")) {
                assertTrue(names.contains(expected), "missing " + expected);
            }
            assertEquals("teleport-access-request", jar.getManifest().getMainAttributes().getValue("Short-Name"));
        }
        assertTrue(Files.size(HPI) < 20_000_000, "the .hpi stays small: " + Files.size(HPI));
    }
}
