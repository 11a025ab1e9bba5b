package io.jenkins.plugins.teleport.jenkins;

import java.io.IOException;

/**
 * Where a block's time goes, phase by phase, for the plugin benchmark (docs/BENCHMARKS.md). Nothing is recorded
 * unless a listener is set; phases that overlap (the request check runs while the agent makes the keys) are timed
 * each on its own, so their sum can exceed the block's wall time.
 */
final class BlockPhases {

    /** The phases of a block, in the order they start. */
    enum Phase { CHECK, KEYS, ISSUE, WRITE, DELETE, RELEASE, SAVE }

    /** Receives each phase's duration. */
    @FunctionalInterface
    interface Listener {
        void took(Phase phase, long nanos);

        default void starting(Phase phase) {
        }
    }

    /** Work that a phase times. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException, InterruptedException;
    }

    private static volatile Listener listener;

    private BlockPhases() {}

    static void listen(Listener l) {
        listener = l;
    }

    /** Records a phase timed elsewhere (one that ran on another thread). */
    static void record(Phase phase, long nanos) {
        Listener l = listener;
        if (l != null) {
            l.took(phase, nanos);
        }
    }

    /** Tells the listener that a phase starts (tests use it to stop a block in the middle of one). */
    static void starting(Phase phase) {
        Listener l = listener;
        if (l != null) {
            l.starting(phase);
        }
    }

    static <T> T time(Phase phase, Work<T> work) throws IOException, InterruptedException {
        Listener l = listener;
        if (l == null) {
            return work.run();
        }
        l.starting(phase);
        long start = System.nanoTime();
        try {
            return work.run();
        } finally {
            l.took(phase, System.nanoTime() - start);
        }
    }
}
