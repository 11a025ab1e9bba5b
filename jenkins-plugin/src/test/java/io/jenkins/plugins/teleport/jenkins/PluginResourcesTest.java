package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import net.java.sezpoz.Index;
import net.java.sezpoz.IndexItem;
import org.junit.jupiter.api.Test;

/** What Jenkins reads from the plugin jar besides classes: the extension index and the views. */
class PluginResourcesTest {

    static final Path RESOURCES = Path.of("src", "main", "resources");

    @Test
    void everyExtensionIsInTheSezPozIndexJenkinsReads() {
        Set<String> indexed = new TreeSet<>();
        for (IndexItem<hudson.Extension, Object> item : Index.load(hudson.Extension.class, Object.class)) {
            indexed.add(item.className());
        }
        assertTrue(indexed.containsAll(List.of(
                "io.jenkins.plugins.teleport.jenkins.TeleportGlobalConfiguration",
                "io.jenkins.plugins.teleport.jenkins.TeleportServer$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.TeleportBotCredentials$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.TeleportAccessRequestStep$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.TeleportAccessRequestBuildWrapper$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.PendingReleaseRetry",
                "io.jenkins.plugins.teleport.jenkins.TeleportAccessRequestParameterDefinition$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.RequestParameterCheck",
                "io.jenkins.plugins.teleport.jenkins.TeleportOidcIssuer")), indexed.toString());
    }

    @Test
    void symbolsAreIndexedAsTheAnnotationIndexerWritesThem() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("target", "classes", "META-INF", "annotations", "org.jenkinsci.Symbol"));
        assertEquals(List.of("io.jenkins.plugins.teleport.jenkins.TeleportAccessRequestParameterDefinition$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.TeleportBotCredentials$DescriptorImpl",
                "io.jenkins.plugins.teleport.jenkins.TeleportGlobalConfiguration"), lines);
    }

    @Test
    void everyViewIsWellFormedAndEscapesByDefault() throws Exception {
        List<Path> views;
        try (Stream<Path> s = Files.walk(RESOURCES)) {
            views = s.filter(p -> p.toString().endsWith(".jelly")).toList();
        }
        assertTrue(views.size() >= 8, views.toString());
        for (Path view : views) {
            String text = Files.readString(view);
            assertTrue(text.startsWith("<?jelly escape-by-default='true'?>"), view + " escapes by default");
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(view.toFile());
            // ${%Text(a,b)} is a localized message with arguments a and b (JEXL expressions): plain text has neither.
            var localized = java.util.regex.Pattern.compile("\\$\\{%([^}]*)}").matcher(text);
            while (localized.find()) {
                assertFalse(localized.group(1).matches(".*[(),].*"), view + ": '" + localized.group(1)
                        + "' would be read as a message with arguments");
            }
        }
        assertTrue(Files.exists(RESOURCES.resolve("index.jelly")), "index.jelly describes the plugin");
    }

    /**
     * Jenkins renders a parameter through views it includes without "optional": the definition's config.jelly (job
     * configuration) and index.jelly (Build with Parameters, ParametersDefinitionProperty), and the value's value.jelly
     * (the build's Parameters page, ParametersAction/index.jelly). A missing one is an error page in Jenkins.
     */
    @Test
    void everyParameterTypeHasTheViewsJenkinsIncludesForIt() throws Exception {
        Path views = RESOURCES.resolve(Path.of("io", "jenkins", "plugins", "teleport", "jenkins"));
        int definitions = 0;
        int values = 0;
        try (Stream<Path> s = Files.list(Path.of("target", "classes", "io", "jenkins", "plugins", "teleport", "jenkins"))) {
            for (Path c : s.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$")).toList()) {
                String simple = c.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName("io.jenkins.plugins.teleport.jenkins." + simple);
                if (hudson.model.ParameterDefinition.class.isAssignableFrom(type)) {
                    definitions++;
                    for (String view : List.of("config.jelly", "index.jelly")) {
                        assertTrue(Files.exists(views.resolve(simple).resolve(view)), simple + " needs " + view);
                    }
                }
                if (hudson.model.ParameterValue.class.isAssignableFrom(type)) {
                    values++;
                    assertTrue(Files.exists(views.resolve(simple).resolve("value.jelly")), simple + " needs value.jelly");
                }
            }
        }
        assertEquals(List.of(1, 1), List.of(definitions, values), "the plugin's parameter types were found");
    }
}
