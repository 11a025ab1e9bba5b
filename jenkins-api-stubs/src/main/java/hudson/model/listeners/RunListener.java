package hudson.model.listeners;

import hudson.ExtensionPoint;
import hudson.model.Run;
import hudson.model.TaskListener;

/** Told about builds as they start and end; found as an extension. */
public abstract class RunListener<R extends Run> implements ExtensionPoint {

    public final Class<R> targetType;

    protected RunListener(Class<R> targetType) {
        this.targetType = targetType;
    }

    @SuppressWarnings("unchecked")
    protected RunListener() {
        this.targetType = (Class<R>) (Class<?>) Run.class;
    }

    public void onInitialize(R r) {
    }

    public void onStarted(R r, TaskListener listener) {
    }

    public void onCompleted(R r, TaskListener listener) {
    }

    public void onFinalized(R r) {
    }
}
