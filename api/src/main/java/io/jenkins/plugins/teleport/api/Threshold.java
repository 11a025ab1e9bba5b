package io.jenkins.plugins.teleport.api;

/**
 * How many approvals resolve a request to APPROVED and how many denials to DENIED (Teleport's access review
 * threshold). A review counts toward a threshold only when the threshold's {@code filter} (a predicate over the
 * reviewer and the request, such as {@code contains(reviewer.roles, "cab")}) matches it; an empty filter matches
 * every review.
 */
public record Threshold(String name, String filter, int approve, int deny) {

    /** The threshold used where a role names none: one approval approves, one denial denies. */
    public static final Threshold DEFAULT = new Threshold("default", "", 1, 1);

    public Threshold {
        name = name == null || name.isBlank() ? "default" : name;
        filter = filter == null ? "" : filter.strip();
        if (approve < 1 || deny < 1) {
            throw new IllegalArgumentException("threshold '" + name + "': approve and deny must be at least 1");
        }
    }

    /** A threshold without a filter: every review counts toward it. */
    public Threshold(String name, int approve, int deny) {
        this(name, "", approve, deny);
    }
}
