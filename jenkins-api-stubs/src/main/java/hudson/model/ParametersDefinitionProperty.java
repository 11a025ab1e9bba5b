package hudson.model;

import java.util.ArrayList;
import java.util.List;
import jenkins.model.OptionalJobProperty;
import org.kohsuke.stapler.DataBoundConstructor;

/** "This project is parameterized": the job's parameter definitions ({@code parameters { }} in a Jenkinsfile). */
public class ParametersDefinitionProperty extends OptionalJobProperty<Job<?, ?>> implements Action {
    private final List<ParameterDefinition> parameterDefinitions;

    @DataBoundConstructor
    public ParametersDefinitionProperty(List<ParameterDefinition> parameterDefinitions) {
        this.parameterDefinitions = parameterDefinitions == null ? new ArrayList<>() : new ArrayList<>(parameterDefinitions);
    }

    public ParametersDefinitionProperty(ParameterDefinition... parameterDefinitions) {
        this(List.of(parameterDefinitions));
    }

    public List<ParameterDefinition> getParameterDefinitions() {
        return parameterDefinitions;
    }

    public List<String> getParameterDefinitionNames() {
        return parameterDefinitions.stream().map(ParameterDefinition::getName).toList();
    }

    /** The definition named {@code name}, or null. */
    public ParameterDefinition getParameterDefinition(String name) {
        return parameterDefinitions.stream().filter(d -> d.getName().equals(name)).findFirst().orElse(null);
    }

    @Override
    public String getDisplayName() {
        return null;
    }

    @Override
    public String getIconFileName() {
        return null;
    }

    @Override
    public String getUrlName() {
        return null;
    }
}
