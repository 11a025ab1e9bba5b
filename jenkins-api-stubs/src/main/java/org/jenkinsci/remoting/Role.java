package org.jenkinsci.remoting;

/** A side of a channel. */
public final class Role {
    private final String name;

    public Role(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}
