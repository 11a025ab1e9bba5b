package hudson.model;

/** Something with a display name. */
public interface ModelObject {
    String getDisplayName();
}
