package io.jenkins.plugins.teleport.auth.cli;

import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every admin command that talks to the API shares: where the server is, who is calling, how to print. */
abstract class ApiCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { text, json, yaml }

    @Spec
    CommandSpec spec;

    @Option(names = "--auth-server", paramLabel = "URL",
            defaultValue = "${env:TELEPORT_AUTH_SERVER:-https://127.0.0.1:3025}",
            description = "Auth server address (env TELEPORT_AUTH_SERVER; default: ${DEFAULT-VALUE}).")
    URI authServer;

    @Option(names = {"-i", "--identity"}, paramLabel = "FILE",
            defaultValue = "${env:TELEPORT_IDENTITY_FILE:-.dev-auth/admin.pem}",
            description = "Identity file: key, certificate and CA (env TELEPORT_IDENTITY_FILE; default: ${DEFAULT-VALUE}, "
                    + "which the dev server writes).")
    Path identity;

    @Option(names = "--format", defaultValue = "text", description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    AdminApi api() {
        if (!Files.isReadable(identity)) {
            throw new LocalProblem("identity file " + identity.toAbsolutePath() + " not found: pass --identity FILE "
                    + "(made by 'users add' or by 'teleport-auth dev'/'bootstrap')");
        }
        try {
            return new AdminApi(authServer, IdentityFile.read(identity));
        } catch (IOException | IllegalArgumentException e) {
            throw new LocalProblem("cannot read identity file " + identity + ": " + e.getMessage());
        }
    }

    /** A resource kind the generic commands handle (role, user, bot); anything else is a usage error. */
    Kind plainKind(String name) {
        return Kind.fromUserInput(name).filter(k -> k != Kind.ACCESS_REQUEST).orElseThrow(() ->
                new ParameterException(spec.commandLine(),
                        "unknown kind '" + name + "': use role, user or bot (requests have their own command)"));
    }

    /** A duration option such as 2h; a malformed one is a usage error naming the option. */
    Duration duration(String option, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints a value as JSON or YAML when asked; returns false in text mode so the caller prints its own text. */
    boolean printStructured(Object value) {
        try {
            switch (format) {
                case json -> out().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
                case yaml -> out().print(Json.yaml().writeValueAsString(value));
                default -> {
                    return false;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out().flush();
        return true;
    }

    /** A problem on this machine (a missing or unreadable file), not the server's refusal. */
    static final class LocalProblem extends RuntimeException {
        LocalProblem(String message) {
            super(message);
        }
    }
}
