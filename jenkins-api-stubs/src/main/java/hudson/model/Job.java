package hudson.model;

import hudson.security.ACL;

/** A job: the stand-in knows its name. */
public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> implements Item {
    private final String fullName;
    private final java.util.List<JobProperty<? super JobT>> properties = new java.util.concurrent.CopyOnWriteArrayList<>();

    protected Job(String fullName) {
        this.fullName = fullName;
    }

    @Override
    public String getFullName() {
        return fullName;
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
