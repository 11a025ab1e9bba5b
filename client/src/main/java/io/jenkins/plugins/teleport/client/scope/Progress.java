package io.jenkins.plugins.teleport.client.scope;

/** Where the request scope reports each stage, one line at a time (a build log, standard error). Never secrets. */
@FunctionalInterface
public interface Progress {

    void line(String message);

    Progress SILENT = message -> { };
}
