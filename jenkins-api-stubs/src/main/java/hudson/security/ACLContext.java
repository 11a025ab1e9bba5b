package hudson.security;

/** Restores the previous authentication when closed. */
public class ACLContext implements AutoCloseable {
    private final Runnable restore;

    ACLContext(Runnable restore) {
        this.restore = restore;
    }

    @Override
    public void close() {
        restore.run();
    }
}
