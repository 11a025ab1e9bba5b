package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hudson.model.Descriptor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import jenkins.model.Jenkins;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The rules Jenkins applies when it renders a configuration page, checked on every form view of the plugin: an
 * {@code f:select} (or the credentials plugin's {@code c:select}) needs its descriptor's {@code doFill<Field>Items},
 * or the page fails with "doesn't have the doFill…Items method for filling a drop-down list"; every field has help;
 * every {@code doCheck<Field>} and {@code doFill<Field>Items} belongs to a field of the view. And the step's form is
 * the wrapper's, with the fields of a request the block asks for itself.
 */
class FormRulesTest {

    static final Path VIEWS = Path.of("src", "main", "resources", "io", "jenkins", "plugins", "teleport", "jenkins");

    /** A form view: its describable's descriptor, its fields, and those drawn as select boxes. */
    record Form(Path view, Descriptor<?> descriptor, Set<String> fields, Set<String> selects) {}

    static List<Form> forms() throws Exception {
        Map<Class<?>, Form> forms = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(VIEWS)) {
            for (Path view : s.filter(p -> p.getFileName().toString().matches("config\\.jelly|credentials\\.jelly|index\\.jelly")).sorted().toList()) {
                Class<?> type = Class.forName("io.jenkins.plugins.teleport.jenkins." + view.getParent().getFileName());
                if (view.getFileName().toString().equals("index.jelly") && !hudson.model.ParameterDefinition.class.isAssignableFrom(type)) {
                    continue; // a page, not a form; a parameter's index.jelly is its "Build with Parameters" form
                }
                Descriptor<?> descriptor = type == TeleportGlobalConfiguration.class ? TeleportGlobalConfiguration.get()
                        : descriptorOf(type);
                Set<String> fields = new TreeSet<>();
                Set<String> selects = new TreeSet<>();
                var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(view.toFile());
                NodeList entries = doc.getElementsByTagName("f:entry");
                for (int i = 0; i < entries.getLength(); i++) {
                    Element entry = (Element) entries.item(i);
                    String field = entry.getAttribute("field");
                    if (field.isEmpty()) {
                        continue;
                    }
                    fields.add(field);
                    if (entry.getElementsByTagName("f:select").getLength() > 0 || entry.getElementsByTagName("c:select").getLength() > 0) {
                        selects.add(field);
                    }
                }
                for (String tag : List.of("f:select", "c:select")) { // a select bound by its own field (a parameter's value page)
                    NodeList bound = doc.getElementsByTagName(tag);
                    for (int i = 0; i < bound.getLength(); i++) {
                        String field = ((Element) bound.item(i)).getAttribute("field");
                        if (!field.isEmpty()) {
                            fields.add(field);
                            selects.add(field);
                        }
                    }
                }
                Form known = forms.get(type);
                if (known != null) { // a parameter's configuration and its value page: one descriptor serves both
                    fields.addAll(known.fields());
                    selects.addAll(known.selects());
                    view = known.view();
                }
                forms.put(type, new Form(view, descriptor, fields, selects));
            }
        }
        return new java.util.ArrayList<>(forms.values());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Descriptor<?> descriptorOf(Class<?> type) {
        return Jenkins.get().getDescriptorOrDie((Class) type);
    }

    static Set<String> formMethods(Descriptor<?> d, String prefix, String suffix) {
        return Arrays.stream(d.getClass().getMethods()).map(Method::getName).filter(n -> n.startsWith(prefix) && n.endsWith(suffix))
                .map(n -> Character.toLowerCase(n.charAt(prefix.length())) + n.substring(prefix.length() + 1, n.length() - suffix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everySelectBoxHasItsFillMethodAsJenkinsRequiresAtRenderTime() throws Exception {
        List<Form> forms = forms();
        assertTrue(forms.size() >= 5, forms.toString());
        for (Form form : forms) {
            for (String field : form.selects()) {
                Map<String, Object> attributes = new HashMap<>();
                assertDoesNotThrow(() -> form.descriptor().calcFillSettings(field, attributes), form.view() + " renders " + field);
                assertNotNull(attributes.get("fillUrl"), form.view() + ": " + field);
            }
        }
    }

    @Test
    void theRenderRuleIsTheOneJenkinsEnforces() {
        // What the real Jenkins 2.541.2 logged for the wrapper before it had doFillServerItems.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TeleportServer.DescriptorImpl().calcFillSettings("server", new HashMap<>()));
        assertTrue(e.getMessage().endsWith("doesn't have the doFillServerItems method for filling a drop-down list"), e.getMessage());
    }

    @Test
    void everyCheckAndFillMethodBelongsToAFieldOfItsView() throws Exception {
        for (Form form : forms()) {
            Set<String> checks = formMethods(form.descriptor(), "doCheck", "");
            checks.remove("id"); // the credentials plugin's own doCheckId, for id-and-description
            assertTrue(form.fields().containsAll(checks), form.view() + " has fields " + form.fields() + ", checks " + checks);
            Set<String> fills = formMethods(form.descriptor(), "doFill", "Items");
            fills.remove("scope"); // the credentials plugin's own
            assertTrue(form.selects().containsAll(fills), form.view() + " has selects " + form.selects() + ", fills " + fills);
        }
    }

    @Test
    void everyFieldHasHelp() throws Exception {
        for (Form form : forms()) {
            for (String field : form.fields()) {
                assertNotNull(form.descriptor().getHelpFile(field), form.view() + ": no help for " + field);
            }
        }
    }

    @Test
    void theStepsFormIsTheWrappersWithTheFieldsOfARequestItAsksFor() throws Exception {
        Map<String, Form> byClass = new LinkedHashMap<>();
        for (Form form : forms()) {
            byClass.put(form.view().getParent().getFileName().toString(), form);
        }
        Form step = byClass.get("TeleportAccessRequestStep");
        Form wrapper = byClass.get("TeleportAccessRequestBuildWrapper");
        assertEquals(Set.copyOf(AccessRequestForm.FIELDS), wrapper.fields());
        Set<String> stepFields = new TreeSet<>(AccessRequestForm.FIELDS);
        stepFields.addAll(AccessRequestForm.REQUEST_FIELDS);
        assertEquals(stepFields, step.fields());
        Map<String, Element> stepEntries = entries(step.view());
        Map<String, Element> wrapperEntries = entries(wrapper.view());
        for (String field : AccessRequestForm.FIELDS) {
            assertTrue(stepEntries.get(field).isEqualNode(wrapperEntries.get(field)), "the same entry for " + field);
        }
        Set<String> stepChecks = formMethods(step.descriptor(), "doCheck", "");
        Set<String> wrapperChecks = formMethods(wrapper.descriptor(), "doCheck", "");
        assertTrue(stepChecks.containsAll(wrapperChecks), stepChecks + " " + wrapperChecks);
        stepChecks.removeAll(wrapperChecks);
        assertEquals(Set.of("roles", "waitForApproval"), stepChecks, "the step's own checks");
        assertEquals(formMethods(step.descriptor(), "doFill", "Items"), formMethods(wrapper.descriptor(), "doFill", "Items"));
        for (String field : AccessRequestForm.FIELDS) {
            assertEquals(step.descriptor().getHelpFile(field), wrapper.descriptor().getHelpFile(field), "one help file for " + field);
        }
        assertEquals(0, Files.list(wrapper.view().getParent()).filter(p -> p.getFileName().toString().startsWith("help-")).count(),
                "the wrapper keeps no copies of the step's help");
    }

    /** A view's {@code f:entry} elements by field. */
    static Map<String, Element> entries(Path view) throws Exception {
        Map<String, Element> entries = new HashMap<>();
        NodeList list = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(view.toFile()).getElementsByTagName("f:entry");
        for (int i = 0; i < list.getLength(); i++) {
            Element entry = (Element) list.item(i);
            entries.put(entry.getAttribute("field"), entry);
        }
        return entries;
    }
}
