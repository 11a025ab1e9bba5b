package org.jenkinsci.plugins.workflow.steps;

import hudson.EnvVars;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Adds variables to the environment of a step's body. */
public abstract class EnvironmentExpander implements Serializable {
    private static final long serialVersionUID = 1L;

    public EnvironmentExpander() {
    }

    public abstract void expand(EnvVars env) throws IOException, InterruptedException;

    public Set<String> getSensitiveVariables() {
        return Collections.emptySet();
    }

    public static EnvironmentExpander constant(Map<String, String> env) {
        Map<String, String> copy = Map.copyOf(env);
        return new EnvironmentExpander() {
            private static final long serialVersionUID = 1L;

            @Override
            public void expand(EnvVars vars) {
                vars.putAll(copy);
            }
        };
    }

    /** The original expander (if any) followed by the subsequent one; sensitive variables of both. */
    public static EnvironmentExpander merge(EnvironmentExpander original, EnvironmentExpander subsequent) {
        if (original == null) {
            return subsequent;
        }
        return new EnvironmentExpander() {
            private static final long serialVersionUID = 1L;

            @Override
            public void expand(EnvVars env) throws IOException, InterruptedException {
                original.expand(env);
                subsequent.expand(env);
            }

            @Override
            public Set<String> getSensitiveVariables() {
                Set<String> all = new HashSet<>(original.getSensitiveVariables());
                all.addAll(subsequent.getSensitiveVariables());
                return all;
            }
        };
    }
}
