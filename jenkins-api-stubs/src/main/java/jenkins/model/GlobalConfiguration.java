package jenkins.model;

import hudson.ExtensionList;
import hudson.ExtensionPoint;
import hudson.model.Describable;
import hudson.model.Descriptor;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.StaplerRequest2;

/** A global configuration page section; it is its own descriptor. */
public abstract class GlobalConfiguration extends Descriptor<GlobalConfiguration> implements ExtensionPoint, Describable<GlobalConfiguration> {

    protected GlobalConfiguration() {
        super();
    }

    @Override
    public final Descriptor<GlobalConfiguration> getDescriptor() {
        return this;
    }

    public GlobalConfigurationCategory getCategory() {
        return GlobalConfigurationCategory.get(GlobalConfigurationCategory.Unclassified.class);
    }

    /**
     * As Jenkins: binds the submitted keys, and only those (Stapler's {@code bindJSON(this, json)}). A list emptied in
     * the form is not submitted at all, so it stays as it was unless an override clears it first.
     */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        req.bindJSON(this, json);
        return true;
    }

    public static ExtensionList<GlobalConfiguration> all() {
        return ExtensionList.lookup(GlobalConfiguration.class);
    }
}
