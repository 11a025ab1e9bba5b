package hudson.remoting;

import java.io.IOException;

/** The channel to an agent is closed (the agent went away). */
public class ChannelClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
