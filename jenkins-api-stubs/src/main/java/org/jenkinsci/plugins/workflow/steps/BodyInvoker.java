package org.jenkinsci.plugins.workflow.steps;

import hudson.console.ConsoleLogFilter;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;

/** Starts a step's body with extra context (environment, log filter…) and a callback. */
public abstract class BodyInvoker {

    public abstract BodyInvoker withContext(Object override);

    public BodyInvoker withContexts(Object... overrides) {
        return withContexts(Arrays.asList(overrides));
    }

    public BodyInvoker withContexts(Collection<?> overrides) {
        BodyInvoker b = this;
        for (Object o : overrides) {
            b = b.withContext(o);
        }
        return b;
    }

    public abstract BodyInvoker withDisplayName(String name);

    public abstract BodyInvoker withCallback(BodyExecutionCallback callback);

    public abstract BodyExecution start();

    /** Chains a filter after the one already in force (if any). */
    public static ConsoleLogFilter mergeConsoleLogFilters(ConsoleLogFilter original, ConsoleLogFilter subsequent) {
        if (original == null) {
            return subsequent;
        }
        return new MergedFilter(original, subsequent);
    }

    private static final class MergedFilter extends ConsoleLogFilter implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ConsoleLogFilter original;
        private final ConsoleLogFilter subsequent;

        MergedFilter(ConsoleLogFilter original, ConsoleLogFilter subsequent) {
            this.original = original;
            this.subsequent = subsequent;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public OutputStream decorateLogger(Run build, OutputStream logger) throws IOException, InterruptedException {
            return subsequent.decorateLogger(build, original.decorateLogger(build, logger));
        }
    }
}
