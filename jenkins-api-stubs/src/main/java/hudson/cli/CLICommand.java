package hudson.cli;

import hudson.ExtensionPoint;

/** A command of the Jenkins CLI (e.g. {@code build -p NAME=VALUE}). Declared: the type parameters receive it as. */
public abstract class CLICommand implements ExtensionPoint, Cloneable {

    protected CLICommand() {
    }

    public abstract String getShortDescription();

    protected abstract int run() throws Exception;
}
