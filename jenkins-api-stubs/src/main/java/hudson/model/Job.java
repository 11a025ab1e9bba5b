package hudson.model;

import hudson.EnvVars;
import hudson.security.ACL;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A job: the stand-in knows its name, and what environment contributors add for it (as branch-api's
 * {@code BranchNameContributor} adds {@code BRANCH_NAME} for a branch job of a multibranch project).
 */
public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> implements Item {
    private final String fullName;
    private final List<JobProperty<? super JobT>> properties = new CopyOnWriteArrayList<>();
    private final Map<String, String> contributed = new TreeMap<>();

    protected Job(String fullName) {
        this.fullName = fullName;
    }

    @Override
    public String getFullName() {
        return fullName;
    }

    /**
     * The job's own environment, outside any build, as Jenkins makes it: the node's (none for {@code null}),
     * {@code JOB_NAME}, {@code JOB_BASE_NAME}, an empty {@code CLASSPATH}, then what each environment contributor adds
     * for the job. Build parameters are not in it: they belong to a build ({@code Run.getEnvironment}).
     */
    public EnvVars getEnvironment(Node node, TaskListener listener) throws IOException, InterruptedException {
        EnvVars env = new EnvVars();
        env.put("JOB_NAME", fullName);
        env.put("JOB_BASE_NAME", fullName.substring(fullName.lastIndexOf('/') + 1));
        env.put("CLASSPATH", "");
        env.putAll(contributed);
        return env;
    }

    /** Test-only: what an environment contributor adds for this job (e.g. {@code BRANCH_NAME} of a multibranch branch). */
    public void contributeForTest(String name, String value) {
        contributed.put(name, value);
    }

    @Override
    public String getDisplayName() {
        return fullName;
    }

    @Override
    public String getUrl() {
        return "job/" + fullName.replace("/", "/job/") + "/";
    }

    public void addProperty(JobProperty<? super JobT> jobProp) throws java.io.IOException {
        properties.add(jobProp);
    }

    /** The property of {@code clazz}, or null. */
    public <T extends JobProperty> T getProperty(Class<T> clazz) {
        for (JobProperty<?> p : properties) {
            if (clazz.isInstance(p)) {
                return clazz.cast(p);
            }
        }
        return null;
    }

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
