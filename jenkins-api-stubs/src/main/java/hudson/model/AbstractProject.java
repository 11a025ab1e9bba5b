package hudson.model;

/** A freestyle-style project. */
public abstract class AbstractProject<P extends AbstractProject<P, R>, R extends Run<P, R>> extends Job<P, R> {
    protected AbstractProject(String fullName) {
        super(fullName);
    }
}
