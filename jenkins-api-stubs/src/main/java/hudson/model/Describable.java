package hudson.model;

import jenkins.model.Jenkins;

/** An object with a {@link Descriptor}. */
public interface Describable<T extends Describable<T>> {
    @SuppressWarnings("unchecked")
    default Descriptor<T> getDescriptor() {
        return Jenkins.get().getDescriptorOrDie(getClass());
    }
}
