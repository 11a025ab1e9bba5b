package hudson.model;

import hudson.security.ACL;

/** A job: the stand-in knows its name. */
public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> implements Item {
    private final String fullName;

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

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
