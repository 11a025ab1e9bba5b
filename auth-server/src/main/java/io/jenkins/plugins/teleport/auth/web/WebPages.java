package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Messages.CancelAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.http.Pages;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestService;
import io.jenkins.plugins.teleport.auth.requests.ThresholdProgress;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.web.WebSessions.SignedIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change board's pages, server-rendered (docs/web.md): sign-in, invite, the requests waiting for my review, a
 * request with its reviews, thresholds, certificates and audit trail, and my requests with a form to ask for access.
 * Every page calls the same services as the API with the signed-in person's identity, so the API's rules (visibility,
 * who may review, no self-review, one review each) hold here by construction. Every answer carries a strict CSP,
 * {@code X-Frame-Options: DENY} and {@code no-store}; every form that changes state carries a CSRF token derived from
 * the session (or, before sign-in, from a cookie of its own) and must come from this origin.
 */
public final class WebPages implements Pages {

    /** The policy of every page: this server's script and style files only, no inline script, no framing. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final Pattern REQUEST = Pattern.compile("/web/requests/([^/]+)");
    private static final Pattern REVIEW = Pattern.compile("/web/requests/([^/]+)/reviews");
    private static final Pattern CANCEL = Pattern.compile("/web/requests/([^/]+)/cancel");
    private static final Pattern INVITE = Pattern.compile("/web/(invite|reset)/([A-Za-z0-9_-]{1,64})");
    private static final Pattern NEXT = Pattern.compile("/web/[A-Za-z0-9/_.-]*");

    private final String cluster;
    private final Store store;
    private final Clock clock;
    private final AccessRequestService requests;
    private final AuditLog audit;
    private final WebSessions sessions;
    private final SignIn signIn;
    private final Invites invites;

    public WebPages(String cluster, Store store, Clock clock, AccessRequestService requests, AuditLog audit,
                    WebSessions sessions, SignIn signIn, Invites invites) {
        this.cluster = cluster;
        this.store = store;
        this.clock = clock;
        this.requests = requests;
        this.audit = audit;
        this.sessions = sessions;
        this.signIn = signIn;
        this.invites = invites;
    }

    @Override
    public boolean serves(String path) {
        return path.equals("/") || path.equals("/web") || path.startsWith("/web/");
    }

    /** Invite and reset links are logged without their token. */
    @Override
    public String loggable(String path) {
        Matcher invite = INVITE.matcher(path);
        return invite.matches() ? "/web/" + invite.group(1) + "/…" : path.startsWith("/web/invite/") || path.startsWith("/web/reset/")
                ? path.substring(0, path.indexOf('/', 5) + 1) + "…" : path;
    }

    /** One request in, one answer out; what a handler refuses is shown as a page with the refusal's message. */
    private record Exchange(Pages.Request request, Cookies cookies, WebSessions.Check session, List<Map.Entry<String, String>> headers) {
        Optional<SignedIn> signedIn() {
            return session instanceof WebSessions.Active a ? Optional.of(a.signedIn()) : Optional.empty();
        }
    }

    @Override
    public Reply handle(Pages.Request request) {
        Cookies cookies = Cookies.parse(request.header("cookie"));
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        WebSessions.Check session;
        try {
            session = cookies.get(Cookies.SESSION).map(sessions::check).orElse(new WebSessions.Absent());
        } catch (ApiException e) {
            return page(new Exchange(request, cookies, new WebSessions.Absent(), headers), e.code().httpStatus(), "Unavailable",
                    Views.problem("The auth server cannot answer", e.getMessage()), Optional.empty());
        }
        if (session instanceof WebSessions.Ended) {
            headers.add(Map.entry("Set-Cookie", Cookies.clear(Cookies.SESSION)));
        }
        Exchange x = new Exchange(request, cookies, session, headers);
        try {
            return route(x);
        } catch (ApiException e) {
            return page(x, e.code().httpStatus(), "Refused", Views.problem("That did not work", e.getMessage()), Optional.empty());
        }
    }

    private Reply route(Exchange x) {
        String method = x.request().method();
        String path = x.request().path();
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (path.equals("/") || path.equals("/web")) {
            return get ? redirect(x, "/web/") : notAllowed(x);
        }
        if (path.equals("/web/static/app.css") || path.equals("/web/static/app.js")) {
            return get ? staticFile(x, path.substring("/web/static/".length())) : notAllowed(x);
        }
        if (path.equals("/web/login")) {
            return get ? signInPage(x, 200, Optional.empty(), "", nextOf(x)) : post ? signIn(x) : notAllowed(x);
        }
        if (path.equals("/web/logout")) {
            return post ? signOut(x) : notAllowed(x);
        }
        Matcher invite = INVITE.matcher(path);
        if (invite.matches()) {
            return get ? invitePage(x, invite.group(2), 200, Optional.empty()) : notAllowed(x);
        }
        if (path.equals("/web/invite")) {
            return post ? acceptInvite(x) : notAllowed(x);
        }
        if (!path.equals("/web/") && !path.startsWith("/web/requests")) {
            return page(x, 404, "Not found", Views.problem("No such page", "there is no page " + path), Optional.empty());
        }
        Optional<SignedIn> who = x.signedIn();
        if (who.isEmpty() && get && x.session() instanceof WebSessions.Absent
                && x.request().header("sec-fetch-site").filter("cross-site"::equals).isPresent() && NEXT.matcher(path).matches()) {
            // A link from another site (a Jenkins build page): the browser kept the SameSite=Strict cookie off this
            // navigation. This page's own refresh is a same-site navigation, which carries it.
            return page(x, 200, "Opening", Views.bounce(path), Optional.empty());
        }
        if (who.isEmpty()) {
            String reason = x.session() instanceof WebSessions.Ended ended ? ended.reason() : "sign in to see this page";
            return get ? signInPage(x, 401, Optional.of(new Views.Notice(!(x.session() instanceof WebSessions.Absent), reason)), "",
                    path) : page(x, 401, "Sign in", Views.problem("Sign in again", reason), Optional.empty());
        }
        if (path.equals("/web/")) {
            return get ? waiting(x, who.get()) : notAllowed(x);
        }
        if (path.equals("/web/requests")) {
            return get ? myRequests(x, who.get(), 200, Optional.empty(), Views.RequestForm.EMPTY)
                    : post ? createRequest(x, who.get()) : notAllowed(x);
        }
        Matcher review = REVIEW.matcher(path);
        if (review.matches()) {
            return post ? review(x, who.get(), review.group(1)) : notAllowed(x);
        }
        Matcher cancel = CANCEL.matcher(path);
        if (cancel.matches()) {
            return post ? cancel(x, who.get(), cancel.group(1)) : notAllowed(x);
        }
        Matcher one = REQUEST.matcher(path);
        if (one.matches()) {
            return get ? requestPage(x, who.get(), one.group(1), 200, Optional.empty()) : notAllowed(x);
        }
        return page(x, 404, "Not found", Views.problem("No such page", "there is no page " + path), Optional.empty());
    }

    // Sign-in, sign-out and invites.

    private Reply signInPage(Exchange x, int status, Optional<Views.Notice> notice, String user, String next) {
        return page(x, status, "Sign in", Views.signIn(preSessionCsrf(x), user, next), notice);
    }

    private Reply signIn(Exchange x) {
        Form form = preSessionForm(x, Set.of("csrf", "next", "user", "password", "code"));
        String user = form.get("user").strip();
        String next = NEXT.matcher(form.get("next")).matches() ? form.get("next") : "/web/";
        SignIn.Outcome outcome = signIn.signIn(user, form.get("password"), form.get("code"), x.request().remoteAddress());
        if (outcome instanceof SignIn.Success success) {
            x.headers().add(Map.entry("Set-Cookie", Cookies.set(Cookies.SESSION, success.sessionToken(), sessions.ttl())));
            return redirect(x, next);
        }
        SignIn.Refused refused = (SignIn.Refused) outcome;
        return signInPage(x, refused.limited() ? 429 : 401, Optional.of(new Views.Notice(true, refused.message())), user, next);
    }

    private Reply signOut(Exchange x) {
        Optional<SignedIn> who = x.signedIn();
        if (who.isPresent()) {
            sessionForm(x, who.get(), Set.of("csrf"));
            sessions.end(x.cookies().get(Cookies.SESSION).orElseThrow());
        }
        x.headers().add(Map.entry("Set-Cookie", Cookies.clear(Cookies.SESSION)));
        return signInPage(x, 200, Optional.of(new Views.Notice(false, "You are signed out.")), "", "/web/");
    }

    private Reply invitePage(Exchange x, String token, int status, Optional<Views.Notice> notice) {
        Optional<Invites.Pending> pending = invites.find(token);
        if (pending.isEmpty()) {
            return page(x, 404, "Invite", Views.problem("This link does not work", Invites.NOT_VALID), Optional.empty());
        }
        return page(x, status, "Set up your sign-in", Views.invite(pending.get(), preSessionCsrf(x), token), notice);
    }

    private Reply acceptInvite(Exchange x) {
        Form form = preSessionForm(x, Set.of("csrf", "token", "password", "confirm", "code"));
        String token = form.get("token");
        if (!token.matches("[A-Za-z0-9_-]{1,64}")) {
            return page(x, 404, "Invite", Views.problem("This link does not work", Invites.NOT_VALID), Optional.empty());
        }
        Invites.Outcome outcome = invites.accept(token, form.get("password"), form.get("confirm"), form.get("code"),
                x.request().remoteAddress());
        if (outcome instanceof Invites.Accepted accepted) {
            x.headers().add(Map.entry("Set-Cookie", Cookies.set(Cookies.SESSION, accepted.sessionToken(), sessions.ttl())));
            return redirect(x, "/web/");
        }
        return invitePage(x, token, 400, Optional.of(new Views.Notice(true, ((Invites.Refused) outcome).message())));
    }

    // The change board's pages.

    private Reply waiting(Exchange x, SignedIn who) {
        Instant now = clock.instant();
        RoleSet roles = store.read(tx -> Access.rolesOf(tx, who.identity()));
        List<AccessRequest> waiting = requests.list(who.identity(), Optional.empty(), Optional.of(RequestState.PENDING)).stream()
                .filter(r -> whyNotReviewable(r, who.identity(), roles, now).isEmpty()).toList();
        return page(x, 200, "Waiting for my review", Views.waiting(waiting), Optional.empty());
    }

    private Reply requestPage(Exchange x, SignedIn who, String id, int status, Optional<Views.Notice> notice) {
        AccessRequest request = requests.get(who.identity(), id);
        Instant now = clock.instant();
        RoleSet roles = store.read(tx -> Access.rolesOf(tx, who.identity()));
        List<AuditEvent> events = audit.search(who.identity(), Optional.of(request.id()), Optional.empty(), Optional.empty(),
                AuditLog.MAX_LIMIT);
        Views.RequestPage model = new Views.RequestPage(request, ThresholdProgress.of(request.spec()),
                whyNotReviewable(request, who.identity(), roles, now), cancellable(request, who.identity(), roles),
                certificates(events, now), events);
        return page(x, status, "Request " + request.id().substring(0, 8), Views.request(model, Optional.of(who.csrfToken())), notice);
    }

    private Reply review(Exchange x, SignedIn who, String id) {
        Form form = sessionForm(x, who, Set.of("csrf", "verdict", "reason"));
        ReviewVerdict verdict = switch (form.get("verdict")) {
            case "APPROVED" -> ReviewVerdict.APPROVED;
            case "DENIED" -> ReviewVerdict.DENIED;
            default -> throw new ApiException(ErrorCode.BAD_REQUEST, "choose Approve or Deny");
        };
        return changeRequest(x, who, id, () -> requests.review(who.identity(), id, new SubmitReview(verdict, form.get("reason"))));
    }

    private Reply cancel(Exchange x, SignedIn who, String id) {
        Form form = sessionForm(x, who, Set.of("csrf", "reason"));
        return changeRequest(x, who, id, () -> requests.cancel(who.identity(), id, new CancelAccessRequest(form.get("reason"))));
    }

    /**
     * Runs a change of request {@code id} through the service and goes back to its page; the service's refusal
     * (self-review, a second review, not the author, no longer PENDING) is shown on that page with its message.
     */
    private Reply changeRequest(Exchange x, SignedIn who, String id, Runnable change) {
        try {
            change.run();
        } catch (ApiException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw e;
            }
            return requestPage(x, who, id, e.code().httpStatus(), Optional.of(new Views.Notice(true, e.getMessage())));
        }
        return redirect(x, "/web/requests/" + id);
    }

    private Reply myRequests(Exchange x, SignedIn who, int status, Optional<Views.Notice> notice, Views.RequestForm form) {
        List<AccessRequest> mine = requests.list(who.identity(), Optional.empty(), Optional.empty()).stream()
                .filter(r -> r.spec().requestedBy().equals(who.user())).toList();
        return page(x, status, "My requests", Views.myRequests(mine, who.csrfToken(), form), notice);
    }

    private Reply createRequest(Exchange x, SignedIn who) {
        Form form = sessionForm(x, who, Set.of("csrf", "bot", "roles", "reason", "max_duration", "one_shot", "jenkins_job",
                "jenkins_branch"));
        Views.RequestForm values = new Views.RequestForm(form.get("bot").strip(), form.get("roles"), form.get("reason"),
                form.get("max_duration").strip(), form.has("one_shot"), form.get("jenkins_job").strip(),
                form.get("jenkins_branch").strip());
        try {
            List<String> roles = Arrays.stream(values.roles().split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList();
            Optional<Duration> duration = values.maxDuration().isEmpty() ? Optional.empty() : Optional.of(duration(values.maxDuration()));
            AccessRequest created = requests.create(who.identity(), new CreateAccessRequest(values.bot(), roles, values.reason(),
                    duration, Optional.empty(), values.oneShot(), values.jenkinsJob(), values.jenkinsBranch()));
            return redirect(x, "/web/requests/" + created.id());
        } catch (ApiException e) {
            return myRequests(x, who, e.code().httpStatus(), Optional.of(new Views.Notice(true, e.getMessage())), values);
        }
    }

    /**
     * Why {@code who} may not review {@code request} now, if they may not: the API's own review function is run on
     * the request as it is (a pure function, nothing is stored), so the pages offer a review exactly where the API
     * would accept one.
     */
    private static Optional<String> whyNotReviewable(AccessRequest request, ClientIdentity who, RoleSet roles, Instant now) {
        try {
            AccessRequestLifecycle.review(request, who, roles, new SubmitReview(ReviewVerdict.APPROVED, ""), now);
            return Optional.empty();
        } catch (ApiException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Whether {@code who} may cancel {@code request} now: the API's own cancel function, run without storing anything. */
    private static boolean cancellable(AccessRequest request, ClientIdentity who, RoleSet roles) {
        try {
            AccessRequestLifecycle.cancel(request, who, roles, "");
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** The request's certificates from its {@code cert.create} events, with their state now from the store. */
    private List<Views.CertificateRow> certificates(List<AuditEvent> events, Instant now) {
        return store.read(tx -> {
            List<Views.CertificateRow> rows = new ArrayList<>();
            for (AuditEvent e : events) {
                if (!e.event().equals("cert.create") || !e.fields().containsKey("tls_serial")) {
                    continue;
                }
                Instant after;
                Instant before;
                try {
                    after = Instant.parse(String.valueOf(e.fields().get("valid_after")));
                    before = Instant.parse(String.valueOf(e.fields().get("valid_before")));
                } catch (java.time.format.DateTimeParseException notOurs) {
                    continue;
                }
                Optional<String> build = Optional.ofNullable(e.fields().get("build_url")).map(String::valueOf);
                for (IssuedCertificate.Kind kind : IssuedCertificate.Kind.values()) {
                    String serial = String.valueOf(e.fields().get(kind == IssuedCertificate.Kind.SSH ? "ssh_serial" : "tls_serial"));
                    Optional<IssuedCertificate> stored = tx.certificate(kind, serial);
                    String state = stored.flatMap(IssuedCertificate::revokedAt).map(t -> "released " + t.truncatedTo(
                            java.time.temporal.ChronoUnit.SECONDS)).orElse(now.isBefore(before) ? "live" : "expired");
                    rows.add(new Views.CertificateRow(kind == IssuedCertificate.Kind.SSH ? "SSH" : "X.509", serial, after, before,
                            build, state));
                }
            }
            return rows;
        });
    }

    // Forms: origin, CSRF token, strict fields.

    private Form sessionForm(Exchange x, SignedIn who, Set<String> fields) {
        return checkedForm(x, fields, who.csrfToken());
    }

    /** The CSRF token of the forms before sign-in, from this browser's {@code __Host-csrf} cookie (set now if it has none). */
    private static String preSessionCsrf(Exchange x) {
        String pre = x.cookies().get(Cookies.PRE_SESSION).orElseGet(() -> {
            String fresh = Secrets.token(Secrets.SESSION_BYTES);
            x.headers().add(Map.entry("Set-Cookie", Cookies.set(Cookies.PRE_SESSION, fresh, Duration.ofHours(12))));
            return fresh;
        });
        return Secrets.derive("csrf", pre);
    }

    private Form preSessionForm(Exchange x, Set<String> fields) {
        String expected = x.cookies().get(Cookies.PRE_SESSION).map(pre -> Secrets.derive("csrf", pre)).orElse("");
        return checkedForm(x, fields, expected);
    }

    private static Form checkedForm(Exchange x, Set<String> fields, String expectedCsrf) {
        checkOrigin(x.request());
        Form form = Form.parse(x.request().header("content-type"), x.request().body(), fields);
        if (expectedCsrf.isEmpty() || !Secrets.same(form.get("csrf"), expectedCsrf)) {
            throw new ApiException(ErrorCode.ACCESS_DENIED, "the form's CSRF token is missing or wrong (an old page, or a "
                    + "form sent from another site): reload the page and send it again");
        }
        return form;
    }

    /** A state-changing request must come from a page of this origin (the browser says so in Origin and Sec-Fetch-Site). */
    private static void checkOrigin(Pages.Request request) {
        Optional<String> site = request.header("sec-fetch-site");
        if (site.isPresent() && !site.get().equals("same-origin") && !site.get().equals("none")) {
            throw new ApiException(ErrorCode.ACCESS_DENIED, "forms are accepted only from this server's own pages (Sec-Fetch-Site: "
                    + site.get() + ")");
        }
        Optional<String> origin = request.header("origin");
        Optional<String> host = request.header("host");
        if (origin.isPresent() && !origin.get().equals("https://" + host.orElse(""))) {
            throw new ApiException(ErrorCode.ACCESS_DENIED, "forms are accepted only from this server's own pages (Origin: "
                    + origin.get() + ")");
        }
    }

    // Answers.

    private Reply page(Exchange x, int status, String title, Html main, Optional<Views.Notice> notice) {
        byte[] body = Views.layout(cluster, title, x.signedIn(), notice, main).toString().getBytes(StandardCharsets.UTF_8);
        return new Reply(status, "text/html; charset=utf-8", withSecurityHeaders(x.headers()), body);
    }

    private Reply redirect(Exchange x, String location) {
        List<Map.Entry<String, String>> headers = withSecurityHeaders(x.headers());
        headers.add(Map.entry("Location", location));
        return new Reply(303, "text/plain; charset=utf-8", headers, ("see " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private Reply notAllowed(Exchange x) {
        List<Map.Entry<String, String>> headers = withSecurityHeaders(x.headers());
        headers.add(Map.entry("Allow", x.request().path().equals("/web/logout") || x.request().path().endsWith("/reviews")
                || x.request().path().endsWith("/cancel") || x.request().path().equals("/web/invite") ? "POST" : "GET"));
        byte[] body = Views.layout(cluster, "Not allowed", x.signedIn(), Optional.empty(),
                Views.problem("Not allowed", x.request().method() + " is not allowed on " + x.request().path()))
                .toString().getBytes(StandardCharsets.UTF_8);
        return new Reply(405, "text/html; charset=utf-8", headers, body);
    }

    private Reply staticFile(Exchange x, String name) {
        try (InputStream in = WebPages.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("/web/" + name + " is missing from the jar");
            }
            String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            return new Reply(200, type, withSecurityHeaders(x.headers()), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map.Entry<String, String>> withSecurityHeaders(List<Map.Entry<String, String>> extra) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(
                Map.entry("Content-Security-Policy", CSP),
                Map.entry("X-Frame-Options", "DENY"),
                Map.entry("X-Content-Type-Options", "nosniff"),
                Map.entry("Referrer-Policy", "same-origin"),
                Map.entry("Cross-Origin-Opener-Policy", "same-origin"),
                Map.entry("Cross-Origin-Resource-Policy", "same-origin")));
        headers.addAll(extra);
        return headers;
    }

    private static String nextOf(Exchange x) {
        for (String pair : x.request().query().split("&")) {
            if (pair.startsWith("next=")) {
                try {
                    String value = java.net.URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                    if (NEXT.matcher(value).matches()) {
                        return value;
                    }
                } catch (IllegalArgumentException e) {
                    return "/web/";
                }
            }
        }
        return "/web/";
    }

    private static Duration duration(String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "duration: " + e.getMessage() + " (e.g. 2h or 30m)");
        }
    }
}
