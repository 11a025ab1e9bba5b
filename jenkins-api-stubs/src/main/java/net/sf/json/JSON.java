package net.sf.json;

import java.io.Serializable;

/** A JSON value of json-lib (the library Jenkins forms are submitted in). */
public interface JSON extends Serializable {
    boolean isArray();

    boolean isEmpty();

    int size();
}
