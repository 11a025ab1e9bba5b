package hudson.model;

/** Metadata and form handling for a {@link Describable} type. The stand-in does not persist anything. */
public abstract class Descriptor<T extends Describable<T>> {

    public final transient Class<? extends T> clazz;

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
