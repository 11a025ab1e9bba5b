package io.jenkins.plugins.teleport.client.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The auth server under test in a JVM of its own ({@code BenchServer} of the auth server's test classes), so that its
 * CPU time is its own: started with the classpath the benchmark script computed, set up and seeded, and told over
 * its standard input to record a JFR profile or to stop.
 */
final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final JsonNode ready;

    private ServerProcess(Process process, BufferedReader out, Writer in, JsonNode ready) {
        this.process = process;
        this.out = out;
        this.in = in;
        this.ready = ready;
    }

    /**
     * Starts {@code BenchServer} for {@code store} ({@code sqlite} or {@code postgres}) with {@code requests} approved
     * requests and {@code seed} stored ones, with JFR's profiling events on from the start when {@code profiled};
     * its log goes to {@code dir/server.log}.
     */
    static ServerProcess start(String classpath, List<String> jvmOptions, Path dir, String store, int requests, long seed,
                               boolean profiled) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath, "io.jenkins.plugins.teleport.auth.bench.BenchServer", "--dir", dir.toString(),
                "--store", store, "--requests", Integer.toString(requests), "--seed", Long.toString(seed), "--profiled", Boolean.toString(profiled)));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolveSibling(dir.getFileName() + "-server.log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        for (String line = out.readLine(); ; line = out.readLine()) {
            if (line == null) {
                throw new IOException("the benchmark server exited before it was ready (exit " + waitFor(p) + "); see "
                        + dir.resolveSibling(dir.getFileName() + "-server.log"));
            }
            if (line.startsWith("READY ")) {
                return new ServerProcess(p, out, in, Json.mapper().readTree(line.substring(6)));
            }
        }
    }

    private static int waitFor(Process p) {
        try {
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    JsonNode ready() {
        return ready;
    }

    long pid() {
        return process.pid();
    }

    /** The server JVM's compile and GC time so far, in milliseconds. */
    JsonNode jvmStats() throws IOException {
        return Json.mapper().readTree(command("stats"));
    }

    /** The PostgreSQL server's postmaster, when the store is PostgreSQL. */
    Optional<Long> postmasterPid() {
        return ready.has("postmaster_pid") ? Optional.of(ready.path("postmaster_pid").asLong()) : Optional.empty();
    }

    /** Sends one command line and waits for the server to acknowledge it; returns what followed the acknowledgement. */
    String command(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        for (String answer = out.readLine(); answer != null; answer = out.readLine()) {
            if (answer.equals("OK " + line)) {
                return "";
            }
            if (answer.startsWith("OK " + line + " ")) {
                return answer.substring(line.length() + 4);
            }
        }
        throw new IOException("the benchmark server exited while running '" + line + "'");
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
