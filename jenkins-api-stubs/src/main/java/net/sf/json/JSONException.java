package net.sf.json;

/** A JSON value is missing or of the wrong kind. */
public class JSONException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JSONException(String message) {
        super(message);
    }
}
