package io.jenkins.plugins.teleport.auth.web;

import static io.jenkins.plugins.teleport.auth.web.Html.el;
import static io.jenkins.plugins.teleport.auth.web.Html.text;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.requests.ThresholdProgress;
import io.jenkins.plugins.teleport.auth.web.Html.Attrs;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The pages' HTML: pure functions from what a page shows to markup, every value escaped by {@link Html}. */
final class Views {

    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Views() {}

    /** A message at the top of a page. */
    record Notice(boolean error, String text) {}

    /** What the request page shows besides the request. */
    record RequestPage(AccessRequest request, List<ThresholdProgress> thresholds, Optional<String> notReviewable,
                       boolean cancellable, List<CertificateRow> certificates, List<AuditEvent> events) {}

    /** One certificate issued for a request: from its {@code cert.create} event, with its state from the store. */
    record CertificateRow(String kind, String serial, Instant validAfter, Instant validBefore, Optional<String> buildUrl,
                          String status) {}

    /** The values of the "new request" form, kept when it is refused. */
    record RequestForm(String bot, String roles, String reason, String maxDuration, boolean oneShot, String jenkinsJob,
                       String jenkinsBranch) {
        static final RequestForm EMPTY = new RequestForm("", "", "", "", false, "", "");
    }

    static Html layout(String cluster, String title, Optional<WebSessions.SignedIn> who, Optional<Notice> notice, Html main) {
        List<Html> nav = new ArrayList<>();
        who.ifPresent(s -> {
            nav.add(el("a", Attrs.of("href", "/web/"), text("Waiting for my review")));
            nav.add(el("a", Attrs.of("href", "/web/requests"), text("My requests")));
            nav.add(el("span", Attrs.of("class", "who"), text(s.user())));
            nav.add(el("form", Attrs.of("method", "post", "action", "/web/logout", "class", "inline"),
                    csrf(s.csrfToken()), el("button", Attrs.of("type", "submit", "class", "link"), text("Sign out"))));
        });
        Html head = el("head",
                el("meta", Attrs.of("charset", "utf-8")),
                el("meta", Attrs.of("name", "viewport", "content", "width=device-width, initial-scale=1")),
                el("meta", Attrs.of("name", "referrer", "content", "same-origin")),
                el("title", text(title + " · " + cluster)),
                el("link", Attrs.of("rel", "stylesheet", "href", "/web/static/app.css")),
                el("script", Attrs.of("src", "/web/static/app.js").flag("defer", true)));
        Html header = el("header",
                el("a", Attrs.of("class", "brand", "href", "/web/"), text(cluster + " · access requests")),
                el("nav", Attrs.NONE, nav));
        Html body = el("body", header, el("main", notice.map(Views::notice).orElse(Html.EMPTY), main));
        return Html.document(el("html", Attrs.of("lang", "en"), head, body));
    }

    static Html notice(Notice n) {
        return el("p", Attrs.of("class", n.error() ? "notice error" : "notice ok", "role", n.error() ? "alert" : "status",
                "id", "notice"), text(n.text()));
    }

    static Html csrf(String token) {
        return el("input", Attrs.of("type", "hidden", "name", "csrf", "value", token));
    }

    static Html signIn(String csrf, String user, String next) {
        return Html.join(el("h1", text("Sign in")),
                el("form", Attrs.of("method", "post", "action", "/web/login", "class", "card", "id", "sign-in"),
                        csrf(csrf),
                        el("input", Attrs.of("type", "hidden", "name", "next", "value", next)),
                        field("User name", el("input", Attrs.of("name", "user", "id", "user", "value", user,
                                "autocomplete", "username").flag("required", true))),
                        field("Password", el("input", Attrs.of("name", "password", "id", "password", "type", "password",
                                "autocomplete", "current-password").flag("required", true))),
                        field("Authenticator code", el("input", Attrs.of("name", "code", "id", "code", "inputmode", "numeric",
                                "pattern", "[0-9 ]{6,7}", "autocomplete", "one-time-code").flag("required", true))),
                        el("button", Attrs.of("type", "submit", "id", "sign-in-button"), text("Sign in"))),
                el("p", Attrs.of("class", "hint"), text("No password yet, or lost your authenticator? An administrator sends "
                        + "you a link: tctl users add NAME --roles ROLE, or tctl users reset NAME.")));
    }

    static Html invite(Invites.Pending pending, String csrf, String token) {
        String verb = pending.reset() ? "Reset" : "Set up";
        return Html.join(el("h1", text(verb + " the sign-in of " + pending.user())),
                el("p", text("This link works once, until " + SHOWN.format(pending.expires()) + ".")),
                el("form", Attrs.of("method", "post", "action", "/web/invite", "class", "card", "id", "enrol"),
                        csrf(csrf),
                        el("input", Attrs.of("type", "hidden", "name", "token", "value", token)),
                        el("h2", text("1. Add the account to your authenticator app")),
                        el("p", text("Scan the code with an app such as FreeOTP, Google Authenticator or 1Password, or type "
                                + "the key into it (time-based, 6 digits, 30 s).")),
                        QrCode.svg(pending.totpUri(), 220, "QR code of the authenticator key for " + pending.user()),
                        el("p", text("Key: "), el("code", Attrs.of("id", "totp-key"), text(spaced(pending.totpSecretBase32())))),
                        el("h2", text("2. Choose a password")),
                        field("Password (at least " + PasswordHash.MIN_LENGTH + " characters)", el("input", Attrs.of("name",
                                "password", "id", "password", "type", "password", "autocomplete", "new-password",
                                "minlength", Integer.toString(PasswordHash.MIN_LENGTH)).flag("required", true))),
                        field("The same password again", el("input", Attrs.of("name", "confirm", "id", "confirm", "type",
                                "password", "autocomplete", "new-password").flag("required", true))),
                        el("h2", text("3. Enter the code the app shows")),
                        field("Authenticator code", el("input", Attrs.of("name", "code", "id", "code", "inputmode", "numeric",
                                "autocomplete", "one-time-code").flag("required", true))),
                        el("button", Attrs.of("type", "submit", "id", "enrol-button"), text(verb + " and sign in"))));
    }

    static Html waiting(List<AccessRequest> requests) {
        Html list = requests.isEmpty()
                ? el("p", Attrs.of("class", "empty", "id", "nothing-waiting"), text("Nothing waits for your review."))
                : table(List.of("Request", "Bot", "Roles", "Reason", "Requested by", "Reviews until", "Progress", "For builds",
                        "Used by"),
                requests.stream().map(r -> List.of(
                        el("a", Attrs.of("href", "/web/requests/" + r.id(), "class", "request-link"), text(r.id().substring(0, 8))),
                        el("code", text(r.spec().user())), text(String.join(", ", r.spec().roles())),
                        el("span", Attrs.of("class", "reason"), text(r.spec().requestReason())), text(r.spec().requestedBy()),
                        time(r.spec().expires()), progress(ThresholdProgress.of(r.spec())), restriction(r.spec()), usedBy(r)))
                        .toList(), "waiting");
        return Html.join(el("h1", text("Waiting for my review")),
                el("p", Attrs.of("class", "hint"), text("Pending requests that your roles may review and you have not "
                        + "reviewed yet; requests you created are reviewed by others.")), list);
    }

    static Html request(RequestPage page, Optional<String> csrf) {
        AccessRequest r = page.request();
        AccessRequest.Spec s = r.spec();
        AccessRequest.Status status = r.status().orElseThrow();
        List<Html> facts = new ArrayList<>(List.of(
                fact("Request ID", el("code", text(r.id()))),
                fact("State", el("span", Attrs.of("class", "state state-" + status.state().name().toLowerCase(), "id", "state"),
                        text(status.state().name()))),
                fact("Progress", el("span", Attrs.of("id", "progress"), text(status.progress()))),
                fact("Bot", el("code", text(s.user()))),
                fact("Roles", text(String.join(", ", s.roles()))),
                fact("Requested by", text(s.requestedBy())),
                fact("Reason", el("span", Attrs.of("class", "reason", "id", "reason"), text(s.requestReason()))),
                fact("For builds", el("span", Attrs.of("id", "restriction"), restriction(s))),
                fact("Created", time(s.created())),
                fact("Reviews accepted until", time(s.expires())),
                fact("Access until", time(s.maxDuration())),
                fact("One-shot", text(s.oneShot() ? "yes: one build may use it" : "no"))));
        s.assumeStartTime().ifPresent(t -> facts.add(fact("First used", Html.join(time(t), text(" "), usedBy(r)))));
        if (!s.resolveReason().isEmpty()) {
            facts.add(fact("Resolution", text(s.resolveReason())));
        }
        List<Html> parts = new ArrayList<>();
        parts.add(el("h1", text("Access request for bot " + s.user())));
        parts.add(el("dl", Attrs.of("class", "facts"), facts));
        parts.add(el("h2", text("Thresholds")));
        parts.add(table(List.of("Threshold", "Counts reviews", "Approvals", "Denials", "For roles"),
                page.thresholds().stream().map(t -> List.of(text(t.name()), el("code", text(t.filter().isEmpty() ? "every review" : t.filter())),
                        el("span", Attrs.of("class", t.approved() ? "met" : ""), text(t.approvals() + " of " + t.approve())),
                        el("span", Attrs.of("class", t.denied() ? "denied" : ""), text(t.denials() + " of " + t.deny())),
                        text(String.join(", ", t.roles())))).toList(), "thresholds"));
        parts.add(el("h2", text("Reviews")));
        parts.add(s.reviews().isEmpty() ? el("p", Attrs.of("class", "empty"), text("No reviews yet."))
                : table(List.of("Reviewer", "Verdict", "Reason", "When", "Reviewer's roles"),
                s.reviews().stream().map(v -> List.of(reviewer(v.author()),
                        el("span", Attrs.of("class", "verdict verdict-" + v.proposedState().name().toLowerCase()), text(v.proposedState().name())),
                        el("span", Attrs.of("class", "reason"), text(v.reason())), time(v.created()),
                        text(ruleName(v.author()).isPresent() ? "(automatic)" : String.join(", ", v.roles())))).toList(), "reviews"));
        if (status.state() == RequestState.PENDING) {
            parts.add(el("h2", text("Your review")));
            if (page.notReviewable().isPresent() || csrf.isEmpty()) {
                parts.add(el("p", Attrs.of("class", "notice info", "id", "not-reviewable"),
                        text("You cannot review this request: " + page.notReviewable().orElse("sign in first"))));
            } else {
                parts.add(el("form", Attrs.of("method", "post", "action", "/web/requests/" + r.id() + "/reviews", "class", "card",
                                "id", "review"), csrf(csrf.get()),
                        field("Reason (shown to everyone who may see the request)", el("textarea", Attrs.of("name", "reason",
                                "id", "review-reason", "rows", "2", "maxlength", "4096"))),
                        el("div", Attrs.of("class", "buttons"),
                                el("button", Attrs.of("type", "submit", "name", "verdict", "value", "APPROVED", "id", "approve",
                                        "class", "approve"), text("Approve")),
                                el("button", Attrs.of("type", "submit", "name", "verdict", "value", "DENIED", "id", "deny",
                                        "class", "deny"), text("Deny")))));
            }
        }
        if (page.cancellable() && csrf.isPresent()) {
            parts.add(el("h2", text("Withdraw")));
            parts.add(el("form", Attrs.of("method", "post", "action", "/web/requests/" + r.id() + "/cancel", "class", "card",
                            "id", "cancel"), csrf(csrf.get()),
                    el("p", Attrs.of("class", "hint"), text(status.state() == RequestState.APPROVED
                            ? "Cancelling ends the access at once: certificates issued for it are revoked."
                            : "Cancelling withdraws the request: nobody can approve it any more.")),
                    field("Why (optional)", el("textarea", Attrs.of("name", "reason", "id", "cancel-reason", "rows", "2",
                            "maxlength", "4096"))),
                    el("button", Attrs.of("type", "submit", "id", "cancel-request", "class", "deny"), text("Cancel the request"))));
        }
        parts.add(el("h2", text("Certificates")));
        parts.add(page.certificates().isEmpty() ? el("p", Attrs.of("class", "empty"), text("No certificates were issued for this request."))
                : table(List.of("Kind", "Serial", "Valid from", "Valid until", "Build", "State"),
                page.certificates().stream().map(c -> List.of(text(c.kind()), el("code", text(c.serial())), time(c.validAfter()),
                        time(c.validBefore()), c.buildUrl().map(u -> Html.externalLink(u, u)).orElse(text("")),
                        el("span", Attrs.of("class", "cert-state"), text(c.status())))).toList(), "certificates"));
        parts.add(el("h2", Attrs.of("id", "audit"), text("Audit events")));
        parts.add(table(List.of("Time", "Event", "Code", "By", "Details"),
                page.events().stream().map(e -> List.of(time(e.time()), el("code", text(e.event())), text(e.code()), text(e.user()),
                        details(e.fields()))).toList(), "events"));
        return Html.join(parts);
    }

    static Html myRequests(List<AccessRequest> mine, String csrf, RequestForm form) {
        Html create = el("form", Attrs.of("method", "post", "action", "/web/requests", "class", "card", "id", "new-request"),
                csrf(csrf),
                field("Bot", el("input", Attrs.of("name", "bot", "id", "bot", "value", form.bot(), "placeholder", "jenkins-deploy")
                        .flag("required", true))),
                field("Roles (comma-separated)", el("input", Attrs.of("name", "roles", "id", "roles", "value", form.roles(),
                        "placeholder", "deploy").flag("required", true))),
                field("Reason", el("textarea", Attrs.of("name", "reason", "id", "request-reason", "rows", "2", "maxlength", "4096"),
                        text(form.reason()))),
                field("Duration (e.g. 2h; default 1h, capped by the roles)", el("input", Attrs.of("name", "max_duration",
                        "id", "max-duration", "value", form.maxDuration(), "placeholder", "2h"))),
                field("Only for builds of Jenkins job (optional, a glob such as deploy/*)", el("input", Attrs.of("name",
                        "jenkins_job", "id", "jenkins-job", "value", form.jenkinsJob(), "placeholder", "deploy/production"))),
                field("and branch (optional, a glob)", el("input", Attrs.of("name", "jenkins_branch", "id", "jenkins-branch",
                        "value", form.jenkinsBranch(), "placeholder", "main"))),
                el("label", Attrs.of("class", "check"), el("input", Attrs.of("type", "checkbox", "name", "one_shot", "id", "one-shot",
                        "value", "true").flag("checked", form.oneShot())), text(" One-shot: one build may use it, its release ends it")),
                el("button", Attrs.of("type", "submit", "id", "create-request"), text("Ask for access")));
        Html list = mine.isEmpty() ? el("p", Attrs.of("class", "empty"), text("You have not asked for access yet."))
                : table(List.of("Request", "Bot", "Roles", "Reason", "State", "Progress", "For builds", "Created"),
                mine.stream().map(r -> List.of(
                        el("a", Attrs.of("href", "/web/requests/" + r.id(), "class", "request-link"), text(r.id().substring(0, 8))),
                        el("code", text(r.spec().user())), text(String.join(", ", r.spec().roles())),
                        el("span", Attrs.of("class", "reason"), text(r.spec().requestReason())),
                        text(r.status().map(st -> st.state().name()).orElse("")),
                        text(r.status().map(AccessRequest.Status::progress).orElse("")), restriction(r.spec()),
                        time(r.spec().created()))).toList(), "mine");
        return Html.join(el("h1", text("My requests")),
                el("h2", text("Ask for access on behalf of a bot")), create,
                el("h2", text("Requests I created")), list);
    }

    /** A page that opens {@code path} again from this origin (so that the browser sends the session cookie). */
    static Html bounce(String path) {
        return Html.join(el("meta", Attrs.of("http-equiv", "refresh", "content", "0;url=" + path)),
                el("h1", text("Opening the page")),
                el("p", el("a", Attrs.of("href", path, "id", "continue"), text("Continue to " + path))));
    }

    static Html problem(String heading, String message) {
        return Html.join(el("h1", text(heading)), el("p", Attrs.of("class", "notice error", "role", "alert"), text(message)),
                el("p", el("a", Attrs.of("href", "/web/"), text("Back to the start page"))));
    }

    private static Html progress(List<ThresholdProgress> thresholds) {
        return el("ul", Attrs.of("class", "progress"), thresholds.stream()
                .map(t -> el("li", Attrs.of("class", t.approved() ? "met" : ""), text(t.summary()))).toList());
    }

    /**
     * Which builds may use the request: its Jenkins job and branch restriction ({@code jenkins_job}/{@code
     * jenkins_branch}, globs), or any build of the bot when it has none.
     */
    static Html restriction(AccessRequest.Spec s) {
        if (s.jenkinsJob().isEmpty() && s.jenkinsBranch().isEmpty()) {
            return el("span", Attrs.of("class", "hint"), text("any build of the bot"));
        }
        List<Html> parts = new ArrayList<>();
        if (!s.jenkinsJob().isEmpty()) {
            parts.add(Html.join(text("job "), el("code", text(s.jenkinsJob()))));
        }
        if (!s.jenkinsBranch().isEmpty()) {
            parts.add(Html.join(text(parts.isEmpty() ? "branch " : ", branch "), el("code", text(s.jenkinsBranch()))));
        }
        return Html.join(parts);
    }

    /** A reviewer: a person's name, or an automatic review rule ({@code review-rule:<name>}) said as such. */
    private static Html reviewer(String author) {
        return ruleName(author).<Html>map(rule -> el("span", Attrs.of("class", "rule"), text("review rule "), el("code", text(rule))))
                .orElse(text(author));
    }

    private static Optional<String> ruleName(String author) {
        String prefix = AccessRequestLifecycle.ruleReviewer("");
        return author.startsWith(prefix) ? Optional.of(author.substring(prefix.length())) : Optional.empty();
    }

    /** The build the request was first used by, a link when its usage named a build URL. */
    private static Html usedBy(AccessRequest r) {
        Map<String, String> usage = r.spec().assumedBy();
        if (usage.containsKey("build_url")) {
            return Html.externalLink(usage.get("build_url"), usage.get("build_url"));
        }
        return text(String.join(", ", new TreeMap<>(usage).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
    }

    private static Html details(Map<String, Object> fields) {
        List<Html> items = new ArrayList<>();
        new TreeMap<>(fields).forEach((k, v) -> {
            String value = String.valueOf(v);
            Html shown = k.equals("build_url") ? Html.externalLink(value, value) : text(value);
            items.add(el("li", el("span", Attrs.of("class", "key"), text(k)), text(" "), shown));
        });
        return el("ul", Attrs.of("class", "fields"), items);
    }

    private static Html table(List<String> headings, List<List<Html>> rows, String id) {
        Html head = el("thead", el("tr", Attrs.NONE, headings.stream().map(h -> el("th", text(h))).toList()));
        Html body = el("tbody", Attrs.NONE, rows.stream().map(cells -> el("tr", Attrs.NONE,
                cells.stream().map(c -> el("td", c)).toList())).toList());
        return el("table", Attrs.of("id", id), head, body);
    }

    private static Html field(String label, Html input) {
        return el("label", Attrs.of("class", "field"), el("span", text(label)), input);
    }

    private static Html fact(String name, Html value) {
        return Html.join(el("dt", text(name)), el("dd", value));
    }

    static Html time(Instant t) {
        return el("time", Attrs.of("datetime", t.toString()), text(SHOWN.format(t)));
    }

    /** A base32 key in groups of four, as authenticator apps show them. */
    private static String spaced(String key) {
        return String.join(" ", key.split("(?<=\\G.{4})"));
    }
}
