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
        String root = Jenkins.get().getRootUrl();
        usage.put("build_url", (root == null ? "" : root.endsWith("/") ? root : root + "/") + run.getUrl());
        return usage;
    }
}
