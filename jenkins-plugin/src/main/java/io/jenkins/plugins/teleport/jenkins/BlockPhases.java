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

    static <T> T time(Phase phase, Work<T> work) throws IOException, InterruptedException {
        Listener l = listener;
        if (l == null) {
            return work.run();
        }
        long start = System.nanoTime();
        try {
            return work.run();
        } finally {
            l.took(phase, System.nanoTime() - start);
        }
    }
}
