package jenkins;

import jenkins.agents.ControllerToAgentFileCallable;

/** Base of file callables that run on agents. */
public abstract class MasterToSlaveFileCallable<T> implements ControllerToAgentFileCallable<T> {
    private static final long serialVersionUID = 1L;
}
