package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.util.List;

/**
 * The one form of a block, shared by the Pipeline step and the freestyle wrapper: its fields, how their values are
 * cleaned, the lists and checks their descriptors serve (each descriptor declares the Stapler methods and calls these),
 * and where the help lives (the step's help files; the wrapper redirects to them). A rule fixed here is fixed for both.
 */
final class AccessRequestForm {

    /** The fields of both forms, in their order on the page. */
    static final List<String> FIELDS = List.of("requestId", "server", "credentialsId", "ttl", "awsIntegration");

    private AccessRequestForm() {}

    static String clean(String value) {
        return value == null ? "" : value.trim();
    }

    /** The configured servers; empty means "the only one configured". */
    static ListBoxModel serverItems() {
        ListBoxModel items = new ListBoxModel();
        items.add("(the only one configured)", "");
        TeleportGlobalConfiguration.get().getServers().forEach(s -> items.add(s.getName(), s.getName()));
        return items;
    }

    static ListBoxModel credentialsIdItems(Item item, String credentialsId) {
        return CredentialsLists.bots(item, credentialsId);
    }

    /** A request ID, or an expression that gives one at build time ({@code ${REQUEST_ID}}). */
    static FormValidation checkRequestId(String value) {
        String v = clean(value);
        if (v.isEmpty()) {
            return FormValidation.error("The ID of an approved access request is required, usually a build parameter: ${REQUEST_ID}");
        }
        if (v.contains("$")) {
            return FormValidation.ok();
        }
        try {
            RequestId.parse(v, "The request ID");
            return FormValidation.ok();
        } catch (TeleportException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** An integration's name as the auth server names resources (or an expression); empty means no AWS. */
    static FormValidation checkAwsIntegration(String value) {
        String v = clean(value);
        if (v.isEmpty() || v.contains("$") || v.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            return FormValidation.ok();
        }
        return FormValidation.error("An integration's name, as tctl get integrations lists it (letters, digits, '.', '_', '-')");
    }

    static FormValidation checkTtl(String value) {
        String v = clean(value);
        if (v.isEmpty() || v.contains("$")) {
            return FormValidation.ok();
        }
        try {
            GoDuration.parse(v);
            return FormValidation.ok();
        } catch (IllegalArgumentException e) {
            return FormValidation.error(e.getMessage());
        }
    }
}
