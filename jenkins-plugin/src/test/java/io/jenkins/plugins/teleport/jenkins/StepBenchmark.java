package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.console.ConsoleLogFilter;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestContext;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * The plugin benchmark of docs/BENCHMARKS.md: drives {@code withTeleportAccessRequest} the way Pipeline does (through
 * the stubs) against a real auth server on a loopback port, and a withCredentials-like block (credentials lookup,
 * tracking, a secret variable, a masking filter, a tail call) in alternating rounds, and prints the medians of the
 * blocks' own cost and of each phase. The agent is simulated in this JVM (callables are serialized and run here), so
 * agent round trips cost no network time; Jenkins' own step machinery (CPS, program saves, build.xml) is absent.
 *
 * <p>Run: {@code bin/bench-plugin [rounds]}.
 */
public final class StepBenchmark {

    private StepBenchmark() {}

    public static void main(String[] args) throws Exception {
        try {
            measure(args);
        } finally {
            System.exit(0); // the auth server's threads would keep the JVM alive
        }
    }

    static void measure(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmup = Math.max(5, rounds / 4);
        Path dir = Files.createTempDirectory("step-bench");
        System.setProperty("jenkins.home", dir.resolve("jenkins-home").toString());
        System.out.printf("machine: %d cores, %s %s; %d rounds after %d warm-up rounds, alternating%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                rounds, warmup);
        Map<BlockPhases.Phase, List<Long>> phases = new EnumMap<>(BlockPhases.Phase.class);
        ConcurrentLinkedQueue<Object[]> seen = new ConcurrentLinkedQueue<>();
        try (PluginFixture fixture = new PluginFixture(dir)) {
            TestJob job = new TestJob("bench");
            AgentChannel agent = new AgentChannel();
            Path workspace = Files.createDirectories(dir.resolve("agent").resolve("workspace").resolve("bench"));
            List<long[]> block = new ArrayList<>();
            List<long[]> baseline = new ArrayList<>();
            for (int i = 0; i < warmup + rounds; i++) {
                boolean measured = i >= warmup;
                String id = fixture.request(2);
                baseline.add(drive(new BaselineExecutionFactory(), job, i, agent, workspace));
                BlockPhases.listen(measured ? (phase, nanos) -> seen.add(new Object[] {phase, nanos}) : null);
                block.add(drive(context -> new TeleportAccessRequestStep(id).start(context), job, i, agent, workspace));
                BlockPhases.listen(null);
                if (!measured) {
                    block.remove(block.size() - 1);
                    baseline.remove(baseline.size() - 1);
                }
            }
            for (Object[] s : seen) {
                phases.computeIfAbsent((BlockPhases.Phase) s[0], p -> new ArrayList<>()).add((Long) s[1]);
            }
            report("withCredentials-like block", baseline);
            report("withTeleportAccessRequest block", block);
            System.out.printf("added by withTeleportAccessRequest over the withCredentials-like block: %.1f ms (median of totals)%n",
                    (median(column(block, 2)) - median(column(baseline, 2))) / 1e6);
            System.out.println("phases of withTeleportAccessRequest (median, p90; overlapping phases each timed on their own):");
            for (var e : phases.entrySet()) {
                System.out.printf("  %-8s %7.2f ms  %7.2f ms%n", e.getKey().name().toLowerCase(), median(e.getValue()) / 1e6,
                        percentile(e.getValue(), 0.9) / 1e6);
            }
        }
    }

    interface ExecutionFactory {
        StepExecution start(StepContext context) throws Exception;
    }

    /** One block: start until the body starts, then the body's end until the step completes; nanos {open, close, total}. */
    static long[] drive(ExecutionFactory factory, TestJob job, int number, AgentChannel agent, Path workspace) throws Exception {
        TestRun run = new TestRun(job, number + 1);
        TestContext context = new TestContext().with(Run.class, run).with(TaskListener.class, new Log())
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
        long t0 = System.nanoTime();
        StepExecution execution = factory.start(context);
        execution.start();
        context.awaitBody();
        long t1 = System.nanoTime();
        if (context.invoker == null) {
            throw new IllegalStateException("the block failed: " + context.failure);
        }
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        long t2 = System.nanoTime();
        if (context.failure != null) {
            throw new IllegalStateException("the block failed at its end", context.failure);
        }
        return new long[] {t1 - t0, t2 - t1, t2 - t0};
    }

    static void report(String name, List<long[]> samples) {
        System.out.printf("%-34s open %6.2f ms, close %6.2f ms, total %6.2f ms (median); total p90 %6.2f ms%n", name,
                median(column(samples, 0)) / 1e6, median(column(samples, 1)) / 1e6, median(column(samples, 2)) / 1e6,
                percentile(column(samples, 2), 0.9) / 1e6);
    }

    static List<Long> column(List<long[]> samples, int i) {
        return samples.stream().map(s -> s[i]).toList();
    }

    static double median(List<Long> values) {
        return percentile(values, 0.5);
    }

    static double percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    /** What withCredentials([string(credentialsId: …, variable: …)]) does around its body, through the same stubs. */
    static final class BaselineExecutionFactory implements ExecutionFactory {
        @Override
        public StepExecution start(StepContext context) {
            return new BaselineExecution(context);
        }
    }

    static final class BaselineExecution extends GeneralNonBlockingStepExecution {
        private static final long serialVersionUID = 1L;

        BaselineExecution(StepContext context) {
            super(context);
        }

        @Override
        public boolean start() {
            run(() -> {
                StepContext c = getContext();
                Run<?, ?> run = c.get(Run.class);
                TeleportBotCredentials found = CredentialsProvider.findCredentialById(PluginFixture.CREDENTIALS_ID,
                        TeleportBotCredentials.class, run);
                CredentialsProvider.track(run, found);
                String secret = found.getToken().getPlainText();
                c.newBodyInvoker()
                        .withContexts(EnvironmentExpander.merge(c.get(EnvironmentExpander.class), new Secret(secret)),
                                BodyInvoker.mergeConsoleLogFilters(c.get(ConsoleLogFilter.class), new Mask(secret)))
                        .withCallback(new End())
                        .start();
            });
            return false;
        }

        private final class End extends TailCall {
            private static final long serialVersionUID = 1L;

            @Override
            protected void finished(StepContext context) {
            }
        }
    }

    static final class Secret extends EnvironmentExpander {
        private static final long serialVersionUID = 1L;
        private final String value;

        Secret(String value) {
            this.value = value;
        }

        @Override
        public void expand(EnvVars env) {
            env.put("SECRET", value);
        }

        @Override
        public Set<String> getSensitiveVariables() {
            return Set.of("SECRET");
        }
    }

    static final class Mask extends ConsoleLogFilter implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String value;

        Mask(String value) {
            this.value = value;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public OutputStream decorateLogger(Run build, OutputStream logger) {
            return logger;
        }
    }
}
