package hudson.model;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * Metadata and form handling for a {@link Describable} type. The stand-in does not persist anything; it enforces
 * the form rules Jenkins applies when it renders a page: an {@code f:select} needs a public {@code doFill<Field>Items}
 * ({@link #calcFillSettings}), and a field's help is {@code help-<field>.html} next to the views of the described
 * class or one of its superclasses, unless redirected ({@link #getHelpFile(String)}).
 */
public abstract class Descriptor<T extends Describable<T>> {

    public final transient Class<? extends T> clazz;

    private final transient Map<String, Object[]> helpRedirect = new ConcurrentHashMap<>();

    protected Descriptor(Class<? extends T> clazz) {
        this.clazz = clazz;
    }

    /** Infers the described type: the class this descriptor is nested in (or itself, for global configuration). */
    @SuppressWarnings("unchecked")
    protected Descriptor() {
        Class<?> enclosing = getClass().getEnclosingClass();
        this.clazz = (Class<? extends T>) (enclosing != null ? enclosing : getClass());
    }

    public String getDisplayName() {
        return clazz.getSimpleName();
    }

    public String getId() {
        return clazz.getName();
    }

    public synchronized void save() {
    }

    /** Where this descriptor's form methods are reached, relative to a {@code DescriptorByNameOwner}. */
    public String getDescriptorUrl() {
        return "descriptorByName/" + getId();
    }

    /**
     * A new instance from a submitted form, as Jenkins makes one for a descriptor that does not override this
     * ({@code Descriptor.newInstanceImpl}): Stapler binds {@code formData} to the described class, its
     * {@code @DataBoundConstructor} then its {@code @DataBoundSetter}s. The Snippet Generator makes a step from its form
     * this way (workflow-cps' {@code Snippetizer.doGenerateSnippet}).
     */
    public T newInstance(StaplerRequest2 req, JSONObject formData) throws FormException {
        if (req == null) {
            try {
                return clazz.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new LinkageError("Failed to instantiate " + clazz, e);
            }
        }
        return req.bindJSON(clazz, formData);
    }

    /** Invoked when the global configuration page is submitted; {@code json} is this descriptor's part of the form. */
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        return true;
    }

    /**
     * What an {@code f:select} for {@code field} needs, as Jenkins computes it at render time: the URL of the public
     * {@code doFill<Field>Items} method. Without that method the page fails to render with this exception.
     */
    public void calcFillSettings(String field, Map<String, Object> attributes) {
        String capitalized = field == null || field.isEmpty() ? field : Character.toTitleCase(field.charAt(0)) + field.substring(1);
        String methodName = "doFill" + capitalized + "Items";
        Method method = Arrays.stream(getClass().getMethods()).filter(m -> m.getName().equals(methodName)).findFirst().orElse(null);
        if (method == null) {
            throw new IllegalStateException(String.format("%s doesn't have the %s method for filling a drop-down list", getClass(), methodName));
        }
        // As Jenkins: the browser sends, with each fill request, the fields named by the method's @QueryParameters
        // (fillDependsOn), found near the select in the form; the others reach the method as null.
        List<String> depends = new ArrayList<>();
        for (java.lang.reflect.Parameter p : method.getParameters()) {
            org.kohsuke.stapler.QueryParameter qp = p.getAnnotation(org.kohsuke.stapler.QueryParameter.class);
            if (qp != null) {
                depends.add(qp.value().isEmpty() ? p.getName() : qp.value());
            }
        }
        if (!depends.isEmpty()) {
            attributes.put("fillDependsOn", String.join(" ", depends));
        }
        attributes.put("fillUrl", getDescriptorUrl() + "/fill" + capitalized + "Items");
    }

    /** The help page of the whole describable, if there is one. */
    public String getHelpFile() {
        return getHelpFile(null);
    }

    /**
     * The help page of {@code fieldName}: a redirect, else {@code help-<field>.html} (or {@code help.html}) beside the
     * views of the described class or a superclass; null when there is none.
     */
    public String getHelpFile(String fieldName) {
        Object[] redirect = helpRedirect.get(String.valueOf(fieldName));
        if (redirect != null) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Descriptor<?> owner = Jenkins.get().getDescriptor((Class) redirect[0]);
            return owner == null ? null : owner.getHelpFile((String) redirect[1]);
        }
        String suffix = fieldName == null ? "" : "-" + fieldName;
        for (Class<?> c = clazz; c != null && c != Object.class; c = c.getSuperclass()) {
            String resource = c.getName().replace('.', '/').replace('$', '/') + "/help" + suffix + ".html";
            if (c.getClassLoader() != null && c.getClassLoader().getResource(resource) != null) {
                return "/descriptor/" + getId() + "/help" + (fieldName == null ? "" : "/" + fieldName);
            }
        }
        return null;
    }

    /** The help of {@code fieldName} is that of {@code fieldNameToRedirectTo} of {@code owner}'s descriptor. */
    @SuppressWarnings("rawtypes")
    protected void addHelpFileRedirect(String fieldName, Class<? extends Describable> owner, String fieldNameToRedirectTo) {
        helpRedirect.put(String.valueOf(fieldName), new Object[] {owner, fieldNameToRedirectTo});
    }

    public synchronized void load() {
    }

    /** A form submission that cannot be accepted. */
    public static final class FormException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String formField;

        public FormException(String message, String formField) {
            super(message);
            this.formField = formField;
        }

        public String getFormField() {
            return formField;
        }
    }
}
