package hudson.util;

import java.io.IOException;

/** The answer of a form field check. */
public abstract class FormValidation extends IOException {
    private static final long serialVersionUID = 1L;

    /** How a check came out. */
    public enum Kind {
        OK, WARNING, ERROR
    }

    public final Kind kind;

    private FormValidation(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static FormValidation ok() {
        return ok(null);
    }

    public static FormValidation ok(String message) {
        return new FormValidation(Kind.OK, message) { };
    }

    public static FormValidation warning(String message) {
        return new FormValidation(Kind.WARNING, message) { };
    }

    public static FormValidation error(String message) {
        return new FormValidation(Kind.ERROR, message) { };
    }

    public static FormValidation error(Throwable e, String message) {
        return new FormValidation(Kind.ERROR, message + ": " + e.getMessage()) { };
    }
}
