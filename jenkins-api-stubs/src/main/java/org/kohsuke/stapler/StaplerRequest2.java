package org.kohsuke.stapler;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import net.sf.json.JSONObject;

/**
 * The request Stapler hands to Jenkins (Jakarta servlet API). Declared: the binding and path members the plugin uses.
 * {@code io.jenkins.plugins.teleport.stubs.FormSubmission} gives one that binds as Stapler does.
 */
public interface StaplerRequest2 extends HttpServletRequest {

    /**
     * The part of the URL not yet dispatched, decoded: in an object's {@code doDynamic}, the path below the object with
     * its leading slash ({@code /.well-known/openid-configuration} for {@code <root>/teleport-oidc/.well-known/...}).
     */
    String getRestOfPath();

    /** As {@link #getRestOfPath()}, but not URL-decoded (so {@code %2F} stays as it is). */
    String getOriginalRestOfPath();

    /** Binds {@code src}'s keys, and only those, to {@code bean}'s properties. */
    void bindJSON(Object bean, JSONObject src);

    /** A new instance of {@code type} from its {@link DataBoundConstructor} and setters. */
    <T> T bindJSON(Class<T> type, JSONObject src);

    JSONObject getSubmittedForm() throws ServletException;
}
