package hudson.model;

/** Something attached to a model object and shown in the UI. */
public interface Action extends ModelObject {
    String getIconFileName();

    @Override
    String getDisplayName();

    String getUrlName();
}
