package hudson.model;

import java.io.PrintStream;
import java.io.PrintWriter;
import org.jenkinsci.remoting.SerializableOnlyOverRemoting;

/** Where a build's log goes. */
public interface TaskListener extends SerializableOnlyOverRemoting {

    /** A listener that discards everything (as Jenkins' {@code NullTaskListener}). */
    TaskListener NULL = () -> new PrintStream(java.io.OutputStream.nullOutputStream());

    PrintStream getLogger();

    default PrintWriter error(String msg) {
        getLogger().println("ERROR: " + msg);
        return new PrintWriter(getLogger(), true);
    }
}
