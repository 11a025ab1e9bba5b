package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one form of a block, shared by the Pipeline step and the freestyle wrapper (the step's has {@link #REQUEST_FIELDS}
 * besides): its fields, how their values are cleaned, the lists and checks their descriptors serve (each descriptor
 * declares the Stapler methods and calls these), and where the help lives (the step's help files; the wrapper
 * redirects to them). A rule fixed here is fixed for both.
 */
final class AccessRequestForm {

    /** The fields of both forms, in their order on the page. */
    static final List<String> FIELDS = List.of("requestId", "server", "credentialsId", "ttl", "awsIntegration");

    /**
     * The step's own fields, after the request ID on its page: a request the block asks for itself and waits for
     * ({@link WaitForApproval}). The freestyle wrapper has no way to wait without holding its executor, so it has none.
     */
    static final List<String> REQUEST_FIELDS = List.of("roles", "reason", "waitForApproval");

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

    private static final Pattern ROLE_SEPARATORS = Pattern.compile("[\\[\\],\\s]+");

    /**
     * Roles as given: a Pipeline list, each element taken as its text (structs' DescribableModel keeps a Groovy list's
     * elements as given, so one may be a number), or the text of the form's one box ("deploy, audit"), which the step's
     * descriptor hands over as one element; names are split at commas, blanks and brackets (a role's name has none of
     * them), so a list drawn back into the text box as {@code [deploy, audit]} reads back as the same roles.
     */
    static List<String> roles(List<?> given) {
        if (given == null) {
            return List.of();
        }
        return given.stream().map(String::valueOf).flatMap(ROLE_SEPARATORS::splitAsStream).filter(r -> !r.isEmpty()).toList();
    }

    private static final String ID_REQUIRED =
            "The ID of an approved access request is required, usually a build parameter: ${REQUEST_ID}";

    /** A request ID, or an expression that gives one at build time ({@code ${REQUEST_ID}}). */
    static FormValidation checkRequestId(String value) {
        String v = clean(value);
        if (v.isEmpty()) {
            return FormValidation.error(ID_REQUIRED);
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

    /** The step's form: a request ID as {@link #checkRequestId}, or none when the block asks for {@code roles} instead. */
    static FormValidation checkRequestIdOrRoles(String value, String roles) {
        if (!clean(value).isEmpty()) {
            return checkRequestId(value);
        }
        return clean(roles).isEmpty() ? FormValidation.error(ID_REQUIRED + "; or the roles to ask for, below") : FormValidation.ok();
    }

    /** Roles to ask for, on the step's form: not with a request ID as well. */
    static FormValidation checkRoles(String value, String requestId) {
        if (!clean(value).isEmpty() && !clean(requestId).isEmpty()) {
            return FormValidation.error("Give either the ID of an approved request or the roles to ask for, not both");
        }
        return FormValidation.ok();
    }

    /** How long a block that asks for its request waits for the approval (empty: the default). */
    static FormValidation checkWaitForApproval(String value) {
        return checkOptional(value, WaitForApproval::parseWait);
    }

    /** A certificate lifetime such as {@code 30m} (empty: the server's default). */
    static FormValidation checkTtl(String value) {
        return checkOptional(value, GoDuration::parse);
    }

    /** Parses a field's value, refusing it with a message. */
    @FunctionalInterface
    private interface Parse {
        void check(String value) throws AbortException;
    }

    /** An optional field: empty, or an expression resolved at build time, is fine; anything else must parse. */
    private static FormValidation checkOptional(String value, Parse parse) {
        String v = clean(value);
        if (v.isEmpty() || v.contains("$")) {
            return FormValidation.ok();
        }
        try {
            parse.check(v);
            return FormValidation.ok();
        } catch (IllegalArgumentException | AbortException e) {
            return FormValidation.error(e.getMessage());
        }
    }
}
