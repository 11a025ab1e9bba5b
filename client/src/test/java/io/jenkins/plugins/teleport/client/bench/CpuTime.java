package io.jenkins.plugins.teleport.client.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time as Linux accounts it ({@code /proc}): of a process (all its threads, GC and JIT included), of a process
 * and its children (a PostgreSQL server's backends), and of the whole machine. Values in nanoseconds.
 */
final class CpuTime {

    /** Clock ticks per second of {@code /proc}'s times (USER_HZ, 100 on Linux for every architecture in use). */
    private static final long TICKS_PER_SECOND = 100;
    private static final long NANOS_PER_TICK = 1_000_000_000L / TICKS_PER_SECOND;

    private CpuTime() {}

    /** User plus system time of process {@code pid} so far. */
    static long process(long pid) {
        String[] f = statFields(pid);
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }

    /** As {@link #process}, plus the live processes whose parent is {@code pid} (the backends of a postmaster). */
    static long processTree(long pid) {
        long total = process(pid);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String[] f = statFields(Long.parseLong(name));
                    if (Long.parseLong(f[1]) == pid) {
                        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
                    }
                } catch (IllegalStateException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return total;
    }

    /**
     * User plus system time so far of each live thread of process {@code pid}, summed by thread name without its
     * trailing number ("api-12" and "api-13" are "api-"; Linux keeps 15 characters of a name, "C2 CompilerThre"), so that a JVM's request
     * threads, JIT compilers and GC threads can be told apart.
     */
    static Map<String, Long> threads(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "").trim();
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK, Long::sum);
                } catch (IOException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("process " + pid + " is gone", e);
        }
        return out;
    }

    /** Busy (not idle, not waiting for I/O) CPU time of the whole machine, summed over its cores. */
    static long machineBusy() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * NANOS_PER_TICK;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }

    /** The load averages over 1, 5 and 15 minutes, as uptime prints them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name: [0] is the state (field 3), [11] utime (field 14). */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        } catch (IOException e) {
            throw new IllegalStateException("process " + pid + " is gone", e);
        }
    }
}
