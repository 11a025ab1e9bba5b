package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Run;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jenkins.model.RunAction2;

/**
 * On the build page: which access request a block assumed, who asked and approved, what the certificates allowed,
 * and whether they were released; with links to the request and its audit events on the auth server. Holds only
 * non-secret text, in types the build record's XML serialization handles (ArrayList, String).
 */
public class TeleportRequestAction implements RunAction2 {

    private transient Run<?, ?> run;

    private final String requestId;
    private final String serverName;
    private final String serverUrl;
    private final String bot;
    private final String requestedBy;
    private final String reason;
    private final List<String> roles;
    private final List<String> reviewers;
    private final List<String> principals;
    private final String validAfter;
    private final String validBefore;
    private final String sshSerial;
    private final String tlsSerial;
    /** The request's restriction to a Jenkins job and branch (globs; empty: none); null in older build records. */
    private String jenkinsJob;
    private String jenkinsBranch;
    /** The AWS integration whose token the block had (its name only); null or empty: none. */
    private String awsIntegration;
    private volatile String releaseStatus = "in use";

    TeleportRequestAction(String requestId, String serverName, String serverUrl, String bot, String requestedBy, String reason,
                          List<String> roles, List<String> reviewers, List<String> principals, String validAfter,
                          String validBefore, String sshSerial, String tlsSerial) {
        this.requestId = requestId;
        this.serverName = serverName;
        this.serverUrl = serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
        this.bot = bot;
        this.requestedBy = requestedBy;
        this.reason = reason;
        this.roles = new ArrayList<>(roles);
        this.reviewers = new ArrayList<>(reviewers);
        this.principals = new ArrayList<>(principals);
        this.validAfter = validAfter;
        this.validBefore = validBefore;
        this.sshSerial = sshSerial;
        this.tlsSerial = tlsSerial;
    }

    static TeleportRequestAction of(TeleportServer server, Optional<AccessRequest> request, IssuedCertificates issued, String bot,
                                    String awsIntegration) {
        Optional<AccessRequest.Spec> spec = request.map(AccessRequest::spec);
        TeleportRequestAction a = new TeleportRequestAction(issued.accessRequestId(), server.getName(), server.getUrl(), bot,
                spec.map(AccessRequest.Spec::requestedBy).orElse(""), spec.map(AccessRequest.Spec::requestReason).orElse(""),
                spec.map(AccessRequest.Spec::roles).orElse(List.of()),
                spec.map(s -> s.reviews().stream().map(r -> r.author() + " (" + r.proposedState() + ")").toList()).orElse(List.of()),
                issued.principals(), issued.validAfter().toString(), issued.validBefore().toString(), issued.sshSerial(),
                issued.tlsSerial());
        a.jenkinsJob = spec.map(AccessRequest.Spec::jenkinsJob).orElse("");
        a.jenkinsBranch = spec.map(AccessRequest.Spec::jenkinsBranch).orElse("");
        a.awsIntegration = awsIntegration;
        return a;
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @Override
    public String getIconFileName() {
        return "symbol-key";
    }

    @Override
    public String getDisplayName() {
        return "Teleport access request " + requestId.substring(0, Math.min(8, requestId.length()));
    }

    @Override
    public String getUrlName() {
        return "teleport-access-request-" + requestId;
    }

    public String getRequestId() {
        return requestId;
    }

    public String getServerName() {
        return serverName;
    }

    public String getBot() {
        return bot;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public String getReason() {
        return reason;
    }

    public List<String> getRoles() {
        return roles;
    }

    public List<String> getReviewers() {
        return reviewers;
    }

    public List<String> getPrincipals() {
        return principals;
    }

    public String getValidAfter() {
        return validAfter;
    }

    public String getValidBefore() {
        return validBefore;
    }

    public String getSshSerial() {
        return sshSerial;
    }

    public String getTlsSerial() {
        return tlsSerial;
    }

    /** The Jenkins job the request is restricted to (a glob), or empty. */
    public String getJenkinsJob() {
        return jenkinsJob == null ? "" : jenkinsJob;
    }

    /** The branch the request is restricted to (a glob), or empty. */
    public String getJenkinsBranch() {
        return jenkinsBranch == null ? "" : jenkinsBranch;
    }

    /** Whether the request is restricted to a Jenkins job or branch. */
    public boolean isRestricted() {
        return !getJenkinsJob().isEmpty() || !getJenkinsBranch().isEmpty();
    }

    /** "job deploy/prod, branch main" (a missing part as "any"), for the build page. */
    public String getRestriction() {
        return "job " + (getJenkinsJob().isEmpty() ? "any" : getJenkinsJob()) + ", branch "
                + (getJenkinsBranch().isEmpty() ? "any" : getJenkinsBranch());
    }

    /** The AWS integration whose web identity token the block had, or empty. */
    public String getAwsIntegration() {
        return awsIntegration == null ? "" : awsIntegration;
    }

    public String getReleaseStatus() {
        return releaseStatus;
    }

    void setReleaseStatus(String status) {
        this.releaseStatus = status;
    }

    /** The request's page on the auth server (reviews, state, certificates; people sign in there). */
    public String getRequestUrl() {
        return serverUrl.replaceAll("/+$", "") + "/web/requests/" + requestId;
    }

    /** The request's audit events, on its page on the auth server. */
    public String getAuditUrl() {
        return getRequestUrl() + "#audit";
    }
}
