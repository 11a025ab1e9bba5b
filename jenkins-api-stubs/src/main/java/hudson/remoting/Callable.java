package hudson.remoting;

import java.io.Serializable;
import org.jenkinsci.remoting.RoleSensitive;

/** Code sent over a channel. */
public interface Callable<V, T extends Throwable> extends Serializable, RoleSensitive {
    V call() throws T;
}
