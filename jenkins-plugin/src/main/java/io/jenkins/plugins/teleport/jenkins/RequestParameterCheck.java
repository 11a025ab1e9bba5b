package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.model.ParameterValue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import io.jenkins.plugins.teleport.client.scope.RequestScope;
import java.time.Clock;
import java.util.Optional;
import jenkins.model.CauseOfInterruption;

/**
 * Checks a build's "Teleport access request" parameters when it starts, however the value came (the form, the CLI,
 * the REST API): one that is not approved, expired, another bot's or not a request ID fails the build at once with a
 * message saying why and what to do, before any step runs.
 */
@Extension
public final class RequestParameterCheck extends RunListener<Run<?, ?>> {

    @Override
    public void onStarted(Run<?, ?> run, TaskListener listener) {
        for (ParameterValue value : run.getParameterValues()) {
            if (!(value instanceof TeleportAccessRequestParameterValue chosen)) {
                continue;
            }
            Optional<String> problem = problem(run, chosen, Clock.systemUTC());
            if (problem.isPresent()) {
                listener.getLogger().println("[teleport] " + problem.get());
                stop(run, listener, problem.get());
                return;
            }
            listener.getLogger().println("[teleport] parameter " + chosen.getName() + ": access request " + chosen.getRequestId()
                    + " is APPROVED");
        }
    }

    /**
     * Stops the build as Jenkins stops one: its executor is interrupted with FAILURE and the reason. onStarted runs on
     * the build's own executor thread, before any build step, or for a Pipeline before its script starts (WorkflowRun
     * fires it from run() on its one-off executor, whose asynchronous execution is not set yet): that thread's interrupt
     * ends the start at its next interruptible operation (saving build.xml), and WorkflowRun finishes with the
     * executor's abort result and these causes. A build that has no executor (none in real Jenkins once started, but
     * {@link Run#getExecutor()} may be null) is marked FAILURE; either way {@code withTeleportAccessRequest} itself
     * refuses a request that is not approved.
     */
    static void stop(Run<?, ?> run, TaskListener listener, String problem) {
        hudson.model.Executor executor = run.getExecutor();
        if (executor != null) {
            executor.interrupt(Result.FAILURE, new InvalidParameter(problem));
        } else {
            run.setResult(Result.FAILURE);
            listener.getLogger().println("[teleport] the build has no executor to stop; it is marked FAILURE, and "
                    + "withTeleportAccessRequest refuses the request");
        }
    }

    /** What is wrong with the chosen request, if anything. */
    static Optional<String> problem(Run<?, ?> run, TeleportAccessRequestParameterValue chosen, Clock clock) {
        String name = chosen.getName();
        if (chosen.getRequestId().isEmpty()) {
            return Optional.of("parameter " + name + " names no access request: choose an approved one under Build with "
                    + "Parameters, or pass " + name + "=<request ID> (CLI: -p " + name + "=<ID>)");
        }
        TeleportAccessRequestParameterDefinition definition = definitionOf(run, name);
        try {
            RequestId id = RequestId.parse(chosen.getRequestId(), "parameter " + name);
            TeleportServer server = TeleportGlobalConfiguration.get().server(definition == null ? Optional.empty() : definition.server());
            String credentialsId = definition == null || definition.getCredentialsId().isEmpty() ? server.getCredentialsId()
                    : definition.getCredentialsId();
            BotCredentialsLookup.Found bot = BotCredentialsLookup.find(server, credentialsId, run);
            Optional<AccessRequest> request = RequestScope.check(BotClients.forBuild(server, bot, run, clock), id, Progress.SILENT);
            if (request.isEmpty() || !request.get().spec().user().equals(bot.credentials().getBotName())) {
                return Optional.of("parameter " + name + ": access request " + id + " is not one of bot '"
                        + bot.credentials().getBotName() + "' (another bot's, or no such request)");
            }
            return Optional.empty();
        } catch (AuthServerException.RequestNotUsableException e) {
            return Optional.of("parameter " + name + ": " + e.getMessage() + "; choose an approved, unexpired request");
        } catch (AbortException | TeleportException e) {
            return Optional.of("parameter " + name + ": access request " + chosen.getRequestId() + " cannot be checked: " + e.getMessage());
        }
    }

    private static TeleportAccessRequestParameterDefinition definitionOf(Run<?, ?> run, String name) {
        hudson.model.ParametersDefinitionProperty p = run.getParent().getProperty(hudson.model.ParametersDefinitionProperty.class);
        return p != null && p.getParameterDefinition(name) instanceof TeleportAccessRequestParameterDefinition d ? d : null;
    }

    /** Why the build was stopped at its start. */
    static final class InvalidParameter extends CauseOfInterruption {
        private static final long serialVersionUID = 1L;
        private final String problem;

        InvalidParameter(String problem) {
            this.problem = problem;
        }

        @Override
        public String getShortDescription() {
            return problem;
        }
    }
}
