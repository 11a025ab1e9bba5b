package org.kohsuke.stapler;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import net.sf.json.JSONObject;

/**
 * The request Stapler hands to Jenkins (Jakarta servlet API). Declared: the binding members the plugin uses.
 * {@code io.jenkins.plugins.teleport.stubs.FormSubmission} gives one that binds as Stapler does.
 */
public interface StaplerRequest2 extends HttpServletRequest {

    /** Binds {@code src}'s keys, and only those, to {@code bean}'s properties. */
    void bindJSON(Object bean, JSONObject src);

    /** A new instance of {@code type} from its {@link DataBoundConstructor} and setters. */
    <T> T bindJSON(Class<T> type, JSONObject src);

    JSONObject getSubmittedForm() throws ServletException;
}
