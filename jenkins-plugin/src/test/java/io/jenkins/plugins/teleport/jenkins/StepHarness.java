package io.jenkins.plugins.teleport.jenkins;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.console.ConsoleLogFilter;
import hudson.model.AbstractProject;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.Callable;
import hudson.remoting.ChannelClosedException;
import hudson.remoting.VirtualChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.steps.BodyExecution;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/** Drives a step's execution the way Pipeline does: context, body invoker, callback, completion, and save/restore. */
final class StepHarness {

    private StepHarness() {}

    /** A job and a build of it. */
    static final class TestJob extends AbstractProject<TestJob, TestRun> {
        TestJob(String name) {
            super(name);
        }
    }

    /** A build. */
    static final class TestRun extends Run<TestJob, TestRun> {
        TestRun(TestJob job, int number) throws IOException {
            super(job);
            this.number = number;
        }
    }

    /** The build log, kept in memory. */
    static final class Log implements TaskListener {
        private static final long serialVersionUID = 1L;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final transient PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        @Override
        public PrintStream getLogger() {
            return stream;
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * An agent channel: callables are serialized and deserialized (as remoting would send them) and run in this JVM;
     * once {@link #disconnect()} is called, every call fails as when the agent has gone.
     */
    static final class AgentChannel implements VirtualChannel {
        private volatile boolean connected = true;

        void disconnect() {
            connected = false;
        }

        @Override
        public <V, T extends Throwable> V call(Callable<V, T> callable) throws IOException, T {
            if (!connected) {
                throw new ChannelClosedException("channel to the agent is closed", null);
            }
            @SuppressWarnings("unchecked")
            Callable<V, T> sent = (Callable<V, T>) roundTrip(callable);
            return sent.call();
        }

        @Override
        public void close() {
            connected = false;
        }

        @Override
        public void join() {
        }

        @Override
        public void join(long timeout) {
        }
    }

    /** Serializes and deserializes an object (as the agent channel and the build's program storage do). */
    static Object roundTrip(Object o) throws IOException {
        return readBack(serialize(o));
    }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes) {
            {
                enableReplaceObject(true);
            }

            @Override
            protected Object replaceObject(Object obj) {
                // A step context is saved as a reference by Pipeline, not as its contents.
                return obj instanceof TestContext c ? new ContextReference(c.id) : obj;
            }
        }) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static Object readBack(byte[] bytes) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            {
                enableResolveObject(true);
            }

            @Override
            protected Object resolveObject(Object obj) {
                return obj instanceof ContextReference r ? TestContext.CONTEXTS.get(r.id) : obj;
            }
        }) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
    }

    record ContextReference(int id) implements java.io.Serializable {}

    /** A step context: the objects a step may ask for, the body it starts, and how it ends. */
    static final class TestContext extends StepContext {
        private static final long serialVersionUID = 1L;
        static final Map<Integer, TestContext> CONTEXTS = new java.util.concurrent.ConcurrentHashMap<>();
        private static int next;

        final int id;
        final transient Map<Class<?>, Object> objects = new HashMap<>();
        final transient CountDownLatch done = new CountDownLatch(1);
        final transient CountDownLatch bodyStarted = new CountDownLatch(1);
        transient volatile Object result;
        transient volatile Throwable failure;
        transient volatile Invoker invoker;

        TestContext() {
            synchronized (TestContext.class) {
                id = ++next;
            }
            CONTEXTS.put(id, this);
        }

        <T> TestContext with(Class<T> type, T value) {
            objects.put(type, value);
            return this;
        }

        @Override
        public <T> T get(Class<T> key) throws IOException {
            Object o = objects.get(key);
            if (o instanceof IOException e) {
                throw e;
            }
            return key.cast(o);
        }

        @Override
        public void onSuccess(Object r) {
            result = r;
            done.countDown();
        }

        @Override
        public void onFailure(Throwable t) {
            failure = t;
            done.countDown();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public ListenableFuture<Void> saveState() {
            return Futures.immediateFuture(null);
        }

        @Override
        public void setResult(Result r) {
        }

        @Override
        public BodyInvoker newBodyInvoker() {
            invoker = new Invoker(this);
            return invoker;
        }

        @Override
        public boolean hasBody() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }

        @Override
        public int hashCode() {
            return id;
        }

        void awaitBody() throws InterruptedException {
            if (!bodyStarted.await(60, TimeUnit.SECONDS) && done.getCount() > 0) {
                throw new AssertionError("the body did not start");
            }
        }

        void awaitDone() throws InterruptedException {
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the step did not complete");
            }
        }

        /** The body's environment, as a shell step inside it would see it. */
        EnvVars bodyEnvironment() throws IOException, InterruptedException {
            EnvVars env = new EnvVars();
            for (Object o : invoker.contexts) {
                if (o instanceof EnvironmentExpander e) {
                    e.expand(env);
                }
            }
            return env;
        }

        /** What the body's log filter makes of {@code text}. */
        String filtered(String text) throws IOException, InterruptedException {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutputStream out = sink;
            for (Object o : invoker.contexts) {
                if (o instanceof ConsoleLogFilter f) {
                    out = f.decorateLogger((Run<?, ?>) null, out);
                }
            }
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.close();
            return sink.toString(StandardCharsets.UTF_8);
        }
    }

    /** The body invoker: records contexts and the callback; the test plays the body. */
    static final class Invoker extends BodyInvoker {
        final TestContext context;
        final List<Object> contexts = new ArrayList<>();
        BodyExecutionCallback callback;

        Invoker(TestContext context) {
            this.context = context;
        }

        @Override
        public BodyInvoker withContext(Object override) {
            contexts.add(override);
            return this;
        }

        @Override
        public BodyInvoker withDisplayName(String name) {
            return this;
        }

        @Override
        public BodyInvoker withCallback(BodyExecutionCallback c) {
            callback = c;
            return this;
        }

        @Override
        public BodyExecution start() {
            context.bodyStarted.countDown();
            return new BodyExecution() {
                private static final long serialVersionUID = 1L;

                @Override
                public Collection<StepExecution> getCurrentExecutions() {
                    return List.of();
                }

                @Override
                public boolean cancel(boolean mayInterruptIfRunning) {
                    return false;
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }

                @Override
                public boolean isDone() {
                    return false;
                }

                @Override
                public Object get() {
                    return null;
                }

                @Override
                public Object get(long timeout, TimeUnit unit) {
                    return null;
                }
            };
        }
    }

    /** A workspace on the simulated agent. */
    static FilePath workspace(AgentChannel channel, java.nio.file.Path dir) {
        return new FilePath(channel, dir.toString());
    }
}
