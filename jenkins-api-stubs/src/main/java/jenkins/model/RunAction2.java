package jenkins.model;

import hudson.model.Action;
import hudson.model.Run;

/** An action told about the run it belongs to. */
public interface RunAction2 extends Action {
    void onAttached(Run<?, ?> r);

    void onLoad(Run<?, ?> r);
}
