package hudson.remoting;

import java.io.IOException;

/** A channel to the JVM where files and callables live. */
public interface VirtualChannel {
    <V, T extends Throwable> V call(Callable<V, T> callable) throws IOException, T, InterruptedException;

    void close() throws IOException;

    void join() throws InterruptedException;

    void join(long timeout) throws InterruptedException;
}
