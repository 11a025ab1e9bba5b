package hudson;

/** Marker for extension points. */
public interface ExtensionPoint {
}
