package hudson.model;

import hudson.security.ACL;
import hudson.security.AccessControlled;
import java.io.IOException;
import jenkins.model.RunAction2;

/** One build of a job. */
public abstract class Run<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> extends Actionable implements AccessControlled {
    protected final transient JobT project;
    public transient int number;
    private volatile Result result;

    /** Test-only: the builds made in this JVM, by externalizable ID, as Jenkins finds them on disk. */
    private static final java.util.Map<String, java.lang.ref.WeakReference<Run<?, ?>>> BUILDS = new java.util.concurrent.ConcurrentHashMap<>();
    private transient volatile java.nio.charset.Charset charset = java.nio.charset.StandardCharsets.UTF_8;

    private final transient java.util.List<ParameterValue> parameterValues = new java.util.concurrent.CopyOnWriteArrayList<>();
    private transient volatile Executor executor = new Executor();

    protected Run(JobT job) throws IOException {
        this.project = job;
    }

    /** The build with this {@link #getExternalizableId()}, or null when it is gone. */
    public static Run<?, ?> fromExternalizableId(String id) throws IllegalArgumentException {
        if (id == null || id.lastIndexOf('#') < 1) {
            throw new IllegalArgumentException("not a build ID: " + id);
        }
        var ref = BUILDS.get(id);
        return ref == null ? null : ref.get();
    }

    /** Test-only: makes this build findable by its ID (Jenkins finds every build it keeps). */
    public void registerForLookup() {
        BUILDS.put(getExternalizableId(), new java.lang.ref.WeakReference<>(this));
    }

    /** The charset the build's log is written in. */
    public java.nio.charset.Charset getCharset() {
        return charset;
    }

    /** Test-only: the log's charset (Jenkins takes it from the node the build runs on). */
    public void setCharsetForTest(java.nio.charset.Charset charset) {
        this.charset = charset;
    }

    /** The build's parameters (Jenkins keeps them in its ParametersAction). */
    public java.util.List<ParameterValue> getParameterValues() {
        return parameterValues;
    }

    /** Test-only: a parameter the build was started with. */
    public void addParameterValueForTest(ParameterValue value) {
        parameterValues.add(value);
    }

    /** The executor running the build, or null (the stand-in has one per build until a test removes it). */
    public Executor getExecutor() {
        return executor;
    }

    /** Test-only: the build is no longer on an executor (Jenkins' getExecutor() is then null). */
    public void removeExecutorForTest() {
        executor = null;
    }

    public JobT getParent() {
        return project;
    }

    public int getNumber() {
        return number;
    }

    public Result getResult() {
        return result;
    }

    public void setResult(Result r) {
        result = r;
    }

    public String getUrl() {
        return project.getUrl() + number + "/";
    }

    public String getExternalizableId() {
        return project.getFullName() + "#" + number;
    }

    public String getFullDisplayName() {
        return project.getFullName() + " #" + number;
    }

    public String getDisplayName() {
        return "#" + number;
    }

    @Override
    public void addAction(Action a) {
        super.addAction(a);
        if (a instanceof RunAction2 r) {
            r.onAttached(this);
        }
    }

    /** Persists the build record (the stand-in keeps it in memory). */
    public synchronized void save() throws IOException {
    }

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
