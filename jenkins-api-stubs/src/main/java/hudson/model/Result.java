package hudson.model;

import java.io.Serializable;

/** The outcome of a build. */
public final class Result implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Result SUCCESS = new Result("SUCCESS");
    public static final Result UNSTABLE = new Result("UNSTABLE");
    public static final Result FAILURE = new Result("FAILURE");
    public static final Result NOT_BUILT = new Result("NOT_BUILT");
    public static final Result ABORTED = new Result("ABORTED");

    private final String name;

    private Result(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }

    private Object readResolve() {
        for (Result r : new Result[] {SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED}) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        return this;
    }
}
