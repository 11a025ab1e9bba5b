package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.client.scope.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import jenkins.model.Jenkins;

/** What a block tells the outside about its build: progress lines in the build log, usage for the audit log. */
final class BuildContext {

    private BuildContext() {}

    static Progress progress(TaskListener listener) {
        return line -> listener.getLogger().println("[teleport] " + line);
    }

    /** Where the build comes from, for the auth server's audit events. */
    static Map<String, String> usage(Run<?, ?> run) {
        Map<String, String> usage = new LinkedHashMap<>();
        usage.put("ci_system", "jenkins");
        usage.put("job", run.getParent().getFullName());
        usage.put("build_number", Integer.toString(run.getNumber()));
        usage.put("build_url", buildUrl(run));
        return usage;
    }

    /** The build's URL under the Jenkins URL (relative when the Jenkins URL is not set). */
    static String buildUrl(Run<?, ?> run) {
        String root = Jenkins.get().getRootUrl();
        return (root == null ? "" : root.endsWith("/") ? root : root + "/") + run.getUrl();
    }
}
