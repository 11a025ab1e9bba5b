package io.jenkins.plugins.teleport.jenkins;

import hudson.Extension;
import hudson.model.Job;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.UnprotectedRootAction;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.oidc.BuildIdTokens;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.StaplerResponse2;

/**
 * Jenkins as the OpenID Connect identity provider of the bot's {@code jenkins} join, as the oidc-provider plugin makes
 * it one: each build's ID token is signed with the key of the global configuration ({@link IdTokenKeys}), and the
 * issuer {@code <Jenkins URL>/teleport-oidc} publishes its discovery document
 * ({@code /teleport-oidc/.well-known/openid-configuration}) and JWKS ({@code /teleport-oidc/jwks}) to anyone, without
 * Overall/Read: an unprotected root action whose {@code doDynamic} serves both, as Stapler cannot map a path segment
 * such as {@code .well-known} to a method name. Public keys only; nothing else is served.
 */
@Extension
public final class TeleportOidcIssuer implements UnprotectedRootAction {

    static final String URL_NAME = "teleport-oidc";
    static final String DISCOVERY = "/.well-known/openid-configuration";
    static final String JWKS = "/jwks";

    @Override
    public String getIconFileName() {
        return null; // not in any menu
    }

    @Override
    public String getDisplayName() {
        return null;
    }

    @Override
    public String getUrlName() {
        return URL_NAME;
    }

    /** {@code GET /teleport-oidc/.well-known/openid-configuration} and {@code GET /teleport-oidc/jwks}; 404 for anything else. */
    public void doDynamic(StaplerRequest2 req, StaplerResponse2 rsp) throws IOException {
        String path = req.getOriginalRestOfPath();
        String method = req.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            rsp.setHeader("Allow", "GET, HEAD");
            rsp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String body;
        String cache;
        if (DISCOVERY.equals(path)) {
            String issuer;
            try {
                issuer = issuer();
            } catch (TeleportException noRootUrl) {
                rsp.sendError(HttpServletResponse.SC_NOT_FOUND, noRootUrl.getMessage());
                return;
            }
            body = Json.mapper().writeValueAsString(BuildIdTokens.discovery(issuer));
            cache = "public, max-age=3600";
        } else if (JWKS.equals(path)) {
            body = TeleportGlobalConfiguration.get().idTokenKeys().jwks(java.time.Instant.now());
            // Short: a rotation's new key must reach relying parties soon (the auth server also refetches on a new kid).
            cache = "public, max-age=300";
        } else {
            rsp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        rsp.setStatus(HttpServletResponse.SC_OK);
        rsp.setContentType("application/json;charset=UTF-8");
        rsp.setHeader("Cache-Control", cache);
        rsp.setContentLength(bytes.length);
        if ("GET".equals(method)) {
            rsp.getOutputStream().write(bytes);
        }
    }

    /** The issuer: the Jenkins URL (Manage Jenkins, System) and {@code teleport-oidc}; an error naming the fix when unset. */
    static String issuer() {
        String root = Jenkins.get().getRootUrl();
        if (root == null || root.isBlank()) {
            throw new TeleportException("the Jenkins URL is not set, so Jenkins cannot sign ID tokens for the jenkins join: "
                    + "set it under Manage Jenkins, System, Jenkins URL (the issuer is <Jenkins URL>/" + URL_NAME + ")");
        }
        return (root.endsWith("/") ? root : root + "/") + URL_NAME;
    }

    /**
     * The ID token of {@code run}'s build for {@code audience} (the auth server's cluster name): {@code sub} and
     * {@code job} its job's full name, {@code build_number}, {@code build_url}, and {@code branch} when the job is a
     * multibranch project's branch.
     */
    static String idToken(Run<?, ?> run, String audience, Clock clock) throws IOException, InterruptedException {
        BuildIdTokens.Claims claims = new BuildIdTokens.Claims(issuer(), audience, run.getParent().getFullName(), run.getNumber(),
                BuildContext.buildUrl(run), branch(run.getParent()));
        return TeleportGlobalConfiguration.get().idTokenKeys().signer().sign(claims, clock);
    }

    /**
     * The job's branch: {@code BRANCH_NAME} as branch-api contributes it for a branch job of a multibranch project, read
     * from the job's own environment, never the build's, where a build parameter of that name could set it.
     */
    static String branch(Job<?, ?> job) throws IOException, InterruptedException {
        String branch = job.getEnvironment(null, TaskListener.NULL).get("BRANCH_NAME");
        return branch == null ? "" : branch;
    }
}
