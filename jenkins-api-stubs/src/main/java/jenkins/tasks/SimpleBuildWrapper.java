package jenkins.tasks;

import hudson.EnvVars;
import hudson.FilePath;
import hudson.Launcher;
import hudson.console.ConsoleLogFilter;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.BuildWrapper;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/** A build wrapper that sets environment variables and cleans up with a {@link Disposer}. */
public abstract class SimpleBuildWrapper extends BuildWrapper {

    public SimpleBuildWrapper() {
    }

    public boolean requiresWorkspace() {
        return true;
    }

    public void setUp(Context context, Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener,
                      EnvVars initialEnvironment) throws IOException, InterruptedException {
        throw new AbstractMethodError("override setUp");
    }

    public ConsoleLogFilter createLoggerDecorator(Run<?, ?> build) {
        return null;
    }

    /** What setUp hands back: variables, and what to do at the end. */
    public static final class Context {
        private final Map<String, String> env = new HashMap<>();
        private Disposer disposer;

        @Deprecated
        public Context() {
        }

        public void env(String key, String value) {
            if (env.putIfAbsent(key, value) != null) {
                throw new IllegalStateException("variable " + key + " set twice");
            }
        }

        public Map<String, String> getEnv() {
            return env;
        }

        public Disposer getDisposer() {
            return disposer;
        }

        public void setDisposer(Disposer disposer) {
            if (this.disposer != null) {
                throw new IllegalStateException("disposer already set");
            }
            this.disposer = disposer;
        }
    }

    /** Runs when the wrapped build ends, however it ends. */
    public abstract static class Disposer implements Serializable {
        private static final long serialVersionUID = 1L;

        public void tearDown(Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener)
                throws IOException, InterruptedException {
            throw new AbstractMethodError("override tearDown");
        }
    }
}
