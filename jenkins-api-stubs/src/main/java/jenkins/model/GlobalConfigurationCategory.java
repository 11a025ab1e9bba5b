package jenkins.model;

import hudson.ExtensionPoint;
import hudson.model.ModelObject;

/** The section of the "Manage Jenkins" pages a global configuration belongs to. */
public abstract class GlobalConfigurationCategory implements ExtensionPoint, ModelObject {

    public abstract String getShortDescription();

    /** The registered instance of a category. */
    public static <T extends GlobalConfigurationCategory> T get(Class<T> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Settings of general interest. */
    public static class Unclassified extends GlobalConfigurationCategory {
        @Override
        public String getShortDescription() {
            return "Uncategorized settings";
        }

        @Override
        public String getDisplayName() {
            return "Uncategorized";
        }
    }

    /** Security settings. */
    public static class Security extends GlobalConfigurationCategory {
        @Override
        public String getShortDescription() {
            return "Security related settings";
        }

        @Override
        public String getDisplayName() {
            return "Security";
        }
    }
}
