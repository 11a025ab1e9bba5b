package hudson;

import java.io.IOException;

/** Fails a build with only its message in the log (no stack trace). */
public class AbortException extends IOException {
    private static final long serialVersionUID = 1L;

    public AbortException() {
    }

    public AbortException(String message) {
        super(message);
    }
}
