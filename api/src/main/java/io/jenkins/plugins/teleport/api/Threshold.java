package io.jenkins.plugins.teleport.api;

/** How many approvals resolve a request to APPROVED and how many denials to DENIED (Teleport's access request threshold). */
public record Threshold(String name, int approve, int deny) {

    /** The threshold used where a role names none: one approval approves, one denial denies. */
    public static final Threshold DEFAULT = new Threshold("default", 1, 1);

    public Threshold {
        name = name == null || name.isBlank() ? "default" : name;
        if (approve < 1 || deny < 1) {
            throw new IllegalArgumentException("threshold '" + name + "': approve and deny must be at least 1");
        }
    }
}
