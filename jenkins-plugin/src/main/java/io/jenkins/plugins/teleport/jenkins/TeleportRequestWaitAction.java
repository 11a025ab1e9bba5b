package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Run;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.RunAction2;

/**
 * On the build page while (and after) a block waits for the request it created: the request's ID, who may review it,
 * the command that approves it, its page on the auth server, and its state as it changes ("PENDING: cab: 1 of 2
 * approvals"). Holds only non-secret text, in types the build record's XML serialization handles.
 */
public class TeleportRequestWaitAction implements RunAction2 {

    private transient Run<?, ?> run;

    private final String requestId;
    private final String serverName;
    private final String bot;
    private final List<String> roles;
    private final String reason;
    private final String reviewers;
    private final String reviewCommand;
    private final String requestPage;
    private volatile String state;
    private final ArrayList<String> history = new ArrayList<>();

    TeleportRequestWaitAction(String requestId, String serverName, String bot, List<String> roles, String reason, String reviewers,
                              String reviewCommand, String requestPage, String state) {
        this.requestId = requestId;
        this.serverName = serverName;
        this.bot = bot;
        this.roles = new ArrayList<>(roles);
        this.reason = reason;
        this.reviewers = reviewers;
        this.reviewCommand = reviewCommand;
        this.requestPage = requestPage;
        this.state = state;
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
        return "symbol-hourglass";
    }

    @Override
    public String getDisplayName() {
        return "Teleport approval of " + requestId.substring(0, Math.min(8, requestId.length()));
    }

    @Override
    public String getUrlName() {
        return "teleport-approval-" + requestId;
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

    public List<String> getRoles() {
        return roles;
    }

    public String getReason() {
        return reason;
    }

    public String getReviewers() {
        return reviewers;
    }

    public String getReviewCommand() {
        return reviewCommand;
    }

    public String getRequestPage() {
        return requestPage;
    }

    /** The request's state now, e.g. {@code PENDING: cab: 1 of 2 approvals}. */
    public String getState() {
        return state;
    }

    /** Each state seen, with when it was seen. */
    public synchronized List<String> getHistory() {
        return List.copyOf(history);
    }

    synchronized void changed(String newState, String when) {
        state = newState;
        history.add(when + "  " + newState);
    }
}
