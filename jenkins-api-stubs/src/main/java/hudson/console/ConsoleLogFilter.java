package hudson.console;

import hudson.ExtensionPoint;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;

/** Decorates a build's log stream. Filters used in Pipeline blocks must also be Serializable and accept a null build. */
public abstract class ConsoleLogFilter implements ExtensionPoint {

    @SuppressWarnings("rawtypes")
    public OutputStream decorateLogger(Run build, OutputStream logger) throws IOException, InterruptedException {
        return logger;
    }
}
