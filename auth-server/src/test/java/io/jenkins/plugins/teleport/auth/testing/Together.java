package io.jenkins.plugins.teleport.auth.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs calls at the same moment (all released by one latch) and returns their results in order: for race tests. */
public final class Together {

    private Together() {}

    public static <T> List<T> run(ExecutorService pool, List<Callable<T>> work) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> w : work) {
            futures.add(pool.submit(() -> {
                go.await();
                return w.call();
            }));
        }
        go.countDown();
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
    }
}
