package net.sf.json;

/** Base of json-lib's values. */
public abstract class AbstractJSON {
    protected AbstractJSON() {
    }
}
