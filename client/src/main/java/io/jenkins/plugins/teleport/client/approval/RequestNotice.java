package io.jenkins.plugins.teleport.client.approval;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Threshold;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pipeline that created a request tells the people who must review it: the ID, who may review (the request's
 * thresholds: how many approvals from whom), the exact {@code tctl} command, and the request's page on the auth
 * server. The same lines go to {@code teleport-ci}'s standard error and to the Jenkins build log and page.
 */
public final class RequestNotice {

    private RequestNotice() {}

    /** The lines, in order. */
    public static List<String> lines(AccessRequest request, URI server) {
        List<String> lines = new ArrayList<>();
        AccessRequest.Spec spec = request.spec();
        lines.add("created access request " + request.id() + " for bot '" + spec.user() + "': roles " + String.join(", ", spec.roles())
                + (spec.requestReason().isEmpty() ? "" : ", reason \"" + spec.requestReason() + "\"") + "; reviews accepted until "
                + spec.expires());
        lines.add("who may review: " + reviewers(request));
        lines.add("to approve: " + reviewCommand(request.id()) + "   (or --deny)");
        lines.add("request page: " + webLink(server, request.id()));
        return lines;
    }

    /** The thresholds in words: {@code cab: 2 approvals from reviewers matching contains(reviewer.roles, "cab")}. */
    public static String reviewers(AccessRequest request) {
        List<String> parts = new ArrayList<>();
        for (Threshold t : request.spec().thresholds()) {
            String from = t.filter().isEmpty() ? "anyone whose roles may review " + String.join(", ", request.spec().roles())
                    : "reviewers matching " + t.filter();
            parts.add(t.name() + ": " + t.approve() + " approval" + (t.approve() == 1 ? "" : "s") + " from " + from
                    + " (" + t.deny() + " denial" + (t.deny() == 1 ? " denies" : "s deny") + ")");
        }
        return parts.isEmpty() ? "anyone whose roles may review " + String.join(", ", request.spec().roles()) : String.join("; ", parts);
    }

    /** The command a reviewer runs. */
    public static String reviewCommand(String requestId) {
        return "tctl requests review " + requestId + " --approve --reason \"...\"";
    }

    /** The request's page on the auth server. */
    public static String webLink(URI server, String requestId) {
        String base = server.toString();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/web/requests/" + requestId;
    }
}
