package hudson.model;

import hudson.security.ACL;
import hudson.security.AccessControlled;
import java.io.IOException;
import jenkins.model.RunAction2;

/** One build of a job. */
public abstract class Run<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> extends Actionable implements AccessControlled {
    protected final transient JobT project;
    public transient int number;
    private volatile Result result;

    protected Run(JobT job) throws IOException {
        this.project = job;
    }

    public JobT getParent() {
        return project;
    }

    public int getNumber() {
        return number;
    }

    public Result getResult() {
        return result;
    }

    public void setResult(Result r) {
        result = r;
    }

    public String getUrl() {
        return project.getUrl() + number + "/";
    }

    public String getExternalizableId() {
        return project.getFullName() + "#" + number;
    }

    public String getFullDisplayName() {
        return project.getFullName() + " #" + number;
    }

    public String getDisplayName() {
        return "#" + number;
    }

    @Override
    public void addAction(Action a) {
        super.addAction(a);
        if (a instanceof RunAction2 r) {
            r.onAttached(this);
        }
    }

    /** Persists the build record (the stand-in keeps it in memory). */
    public synchronized void save() throws IOException {
    }

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
