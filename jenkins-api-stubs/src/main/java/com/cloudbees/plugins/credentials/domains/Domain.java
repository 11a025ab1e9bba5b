package com.cloudbees.plugins.credentials.domains;

import java.io.Serializable;

/** A credentials domain; the stand-in has only the global one. */
public class Domain implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Domain GLOBAL = new Domain();

    public static Domain global() {
        return GLOBAL;
    }

    public boolean isGlobal() {
        return this == GLOBAL;
    }
}
