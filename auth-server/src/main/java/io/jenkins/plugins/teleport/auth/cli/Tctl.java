package io.jenkins.plugins.teleport.auth.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateInvite;
import io.jenkins.plugins.teleport.api.Messages.Invite;
import io.jenkins.plugins.teleport.api.Messages.ItemList;
import io.jenkins.plugins.teleport.api.Messages.SignedCertificate;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Messages.UserCertRequest;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code tctl}: the admin CLI. It talks to the auth server's API with an identity file, so reviewers and
 * administrators can use it from their own machines.
 */
@Command(name = "tctl", mixinStandardHelpOptions = true, versionProvider = Tctl.Version.class,
        description = "Administer the auth server: resources, users, access requests, audit log.",
        subcommands = {Tctl.Create.class, Tctl.Get.class, Tctl.Remove.class, Tctl.Users.class, Tctl.Auth.class, Tctl.Requests.class,
                BotCommands.Bots.class, BotCommands.Tokens.class, BotCommands.Locks.class, Tctl.Audit.class},
        footer = {"", "Exit codes: 0 done; 1 the server refused (its message says why); 2 bad usage; "
                + "3 the server could not be reached; 4 a local file is missing or invalid."})
public final class Tctl {

    /** Exit code: the server refused the call. */
    public static final int REFUSED = 1;
    /** Exit code: the server could not be reached (network or TLS). */
    public static final int UNREACHABLE = 3;
    /** Exit code: a local file is missing or invalid. */
    public static final int LOCAL = 4;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it with their own output streams. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Tctl());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof ApiException api) {
                err.println("error: " + api.getMessage() + " [" + api.code().code() + "]");
                return REFUSED;
            }
            if (e instanceof AdminApi.Unreachable) {
                err.println("error: " + e.getMessage());
                return UNREACHABLE;
            }
            if (e instanceof ApiCommand.LocalProblem || e instanceof IOException) {
                err.println("error: " + e.getMessage());
                return LOCAL;
            }
            throw e;
        });
        return cl;
    }

    /** Reads the version from the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tctl " + io.jenkins.plugins.teleport.auth.AuthServer.VERSION};
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the resources (role, user, bot, integration, jenkins token) in a YAML file; several may be "
                    + "separated by '---'.")
    static final class Create extends ApiCommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML resource file.")
        Path file;

        @Option(names = "--force", description = "Replace resources that exist instead of refusing.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            List<Resource> resources = readResources(file);
            AdminApi api = api();
            for (Resource r : resources) {
                Kind kind = Kind.fromWireName(r.kind()).orElseThrow();
                if (kind == Kind.TOKEN) {
                    // Tokens in files are jenkins ones (no secret): written in place, whether new or not.
                    api.send("PUT", "/v1/tokens/" + r.name(), r, new TypeReference<JsonNode>() {});
                    out().println("token '" + r.name() + "' created or replaced");
                    continue;
                }
                if (force) {
                    api.send("PUT", "/v1/" + kind.collection() + "/" + r.name(), r, new TypeReference<JsonNode>() {});
                } else {
                    api.send("POST", "/v1/" + kind.collection(), r, new TypeReference<JsonNode>() {});
                }
                out().println(r.kind() + " '" + r.name() + "' " + (force ? "created or replaced" : "created"));
            }
            return 0;
        }

        static List<Resource> readResources(Path file) throws IOException {
            if (!Files.isReadable(file)) {
                throw new ApiCommand.LocalProblem("resource file " + file + " not found");
            }
            List<Resource> out = new ArrayList<>();
            try (MappingIterator<JsonNode> docs = Json.yaml().readerFor(JsonNode.class).readValues(file.toFile())) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    if (doc == null || doc.isNull() || doc.isEmpty()) {
                        continue;
                    }
                    String kindName = doc.path("kind").asText();
                    Kind kind = Kind.fromWireName(kindName).filter(k -> k != Kind.ACCESS_REQUEST && k != Kind.LOCK).orElseThrow(() ->
                            new ApiCommand.LocalProblem(file + ": kind '" + kindName + "' cannot be created from a file; "
                                    + "use role, user, bot, integration or token (jenkins join method)"));
                    try {
                        out.add(Json.mapper().treeToValue(doc, kind.type()));
                    } catch (IOException e) {
                        throw new ApiCommand.LocalProblem(file + ": invalid " + kindName + ": " + e.getMessage());
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ApiCommand.LocalProblem(file + " is not valid YAML: " + e.getOriginalMessage());
            }
            return out;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show resources: roles, users, bots, or one of them.")
    static final class Get extends ApiCommand {
        @Parameters(index = "0", paramLabel = "KIND", description = "role, user or bot (plurals work too).")
        String kindName;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            Kind kind = plainKind(kindName);
            AdminApi api = api();
            if (name != null) {
                JsonNode one = api.get("/v1/" + kind.collection() + "/" + name, new TypeReference<>() {});
                if (!printStructured(one)) {
                    format = Format.yaml;
                    printStructured(one);
                }
                return 0;
            }
            ItemList<JsonNode> all = api.get("/v1/" + kind.collection(), new TypeReference<>() {});
            if (!printStructured(all.items())) {
                Table t = new Table("NAME", "ROLES / DESCRIPTION");
                for (JsonNode r : all.items()) {
                    JsonNode roles = r.path("spec").path("roles");
                    t.row(r.path("metadata").path("name").asText(),
                            roles.isArray() ? join(roles) : r.path("metadata").path("description").asText(""));
                }
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a role, user or bot.")
    static final class Remove extends ApiCommand {
        @Parameters(index = "0", paramLabel = "KIND")
        String kindName;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            Kind kind = plainKind(kindName);
            api().send("DELETE", "/v1/" + kind.collection() + "/" + name, null, null);
            out().println(kind.wireName() + " '" + name + "' deleted");
            return 0;
        }
    }

    @Command(name = "users", mixinStandardHelpOptions = true, description = "Manage users.",
            subcommands = {Users.Add.class, Users.Reset.class, Users.LockUser.class})
    static final class Users {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = {"Create a user and print a one-time invite link (valid 1h by default) where the person sets a "
                        + "password and enrols an authenticator app for the web pages.",
                        "With --out, also write an identity file for tctl (key made here; only the public key is sent)."})
        static final class Add extends IdentityCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--roles", required = true, split = ",", paramLabel = "ROLE", description = "Roles, comma-separated.")
            List<String> roles;

            @Option(names = "--invite-ttl", paramLabel = "DURATION",
                    description = "How long the invite link works (default 1h, at most 48h).")
            String inviteTtl;

            @Override
            public Integer call() throws IOException {
                AdminApi api = api();
                Optional<Duration> linkTtl = Optional.ofNullable(inviteTtl).map(d -> duration("--invite-ttl", d));
                api.send("POST", "/v1/users", User.of(name, roles), new TypeReference<JsonNode>() {});
                Invite invite = api.send("POST", "/v1/users/" + name + "/invites", new CreateInvite(false, linkTtl),
                        new TypeReference<>() {});
                out().println("User \"" + name + "\" has been created with roles " + String.join(", ", roles)
                        + " but requires a password. Share this URL with the user to complete user setup, link is valid until "
                        + invite.expires() + ":");
                out().println(invite.url());
                out().println();
                out().println("The person opens it in a browser, sets a password and scans the QR code with an authenticator app.");
                if (outFile != null) {
                    sign(api, name);
                }
                return 0;
            }
        }

        @Command(name = "reset", mixinStandardHelpOptions = true,
                description = "Remove a user's password, authenticator and web sessions, and print a one-time link (valid 8h by "
                        + "default) to set new ones.")
        static final class Reset extends ApiCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--ttl", paramLabel = "DURATION", description = "How long the link works (default 8h, at most 24h).")
            String ttl;

            @Override
            public Integer call() {
                Invite invite = api().send("POST", "/v1/users/" + name + "/invites",
                        new CreateInvite(true, Optional.ofNullable(ttl).map(d -> duration("--ttl", d))), new TypeReference<>() {});
                out().println("User \"" + name + "\" has been reset: their password, authenticator and web sessions are gone. "
                        + "Share this URL with the user to set new ones, link is valid until " + invite.expires() + ":");
                out().println(invite.url());
                return 0;
            }
        }

        @Command(name = "lock", mixinStandardHelpOptions = true,
                description = {"Lock a user: their web sessions end at once and every call with their identities is refused "
                        + "(a lock with target user, as 'locks add --user').", "Undo with 'tctl locks rm NAME'."})
        static final class LockUser extends ApiCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--message", defaultValue = "", description = "Why (shown to the user and in the audit log).")
            String message;

            @Option(names = "--ttl", paramLabel = "DURATION", description = "Lift the lock by itself after this long (default: never).")
            String ttl;

            @Override
            public Integer call() {
                Lock created = BotCommands.Locks.Add.create(this, new Lock.Target("", name, "", ""), message, ttl);
                out().println("user '" + name + "' locked by lock " + created.name() + ": their web sessions have ended and "
                        + "their identities are refused" + created.spec().expires().map(t -> " until " + t).orElse("")
                        + "; undo with 'tctl locks rm " + created.name() + "'");
                return 0;
            }
        }
    }

    @Command(name = "auth", mixinStandardHelpOptions = true, description = "Identities and what relying parties trust.",
            subcommands = {Auth.Sign.class, Auth.Export.class, Auth.Rotate.class})
    static final class Auth {
        @Command(name = "export", mixinStandardHelpOptions = true,
                description = "Write what relying parties need: the SSH user CA keys (sshd TrustedUserCAKeys), the TLS CA, "
                        + "the OpenSSH KRL (sshd RevokedKeys) or the X.509 CRL (PEM).")
        static final class Export extends ApiCommand {
            /** What to export. */
            enum Type { user_ca, tls_ca, krl, crl }

            @Option(names = "--type", required = true, description = "${COMPLETION-CANDIDATES}")
            Type type;

            @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write here (default: standard output).")
            Path outFile;

            @Override
            public Integer call() throws IOException {
                AdminApi api = api();
                byte[] bytes = switch (type) {
                    case user_ca -> api.getBytes("/v1/ca/ssh");
                    case tls_ca -> Pem.encode(IdentityFile.read(identity).caCertificates().get(0)).getBytes(StandardCharsets.UTF_8);
                    case krl -> api.getBytes("/v1/revocations/krl");
                    case crl -> api.getBytes("/v1/revocations/crl?format=pem");
                };
                if (outFile == null) {
                    System.out.write(bytes);
                    System.out.flush();
                } else {
                    Path tmp = Files.createTempFile(outFile.toAbsolutePath().getParent(), ".export", ".tmp");
                    Files.write(tmp, bytes);
                    Files.move(tmp, outFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    out().println(type.name().replace('_', '-') + " written to " + outFile);
                }
                return 0;
            }
        }

        @Command(name = "rotate", mixinStandardHelpOptions = true,
                description = "Rotate a signing key. --type oidc: a new key signs OIDC tokens from now on; the old one stays "
                        + "in the JWKS until the tokens it signed have expired (1h).")
        static final class Rotate extends ApiCommand {
            /** What can be rotated. */
            enum Type { oidc }

            @Option(names = "--type", required = true, description = "${COMPLETION-CANDIDATES}")
            Type type;

            @Override
            public Integer call() {
                JsonNode result = api().send("POST", "/v1/authorities/oidc/rotate", java.util.Map.of(), new TypeReference<>() {});
                out().println("oidc signing key rotated: new key " + result.path("active_key").asText() + "; published keys "
                        + result.path("published_keys"));
                return 0;
            }
        }

        @Command(name = "sign", mixinStandardHelpOptions = true,
                description = "Write an identity file for an existing user (key made here; only the public key is sent).")
        static final class Sign extends IdentityCommand {
            @Option(names = "--user", required = true, description = "The user.")
            String user;

            @Override
            public Integer call() throws IOException {
                sign(api(), user);
                return 0;
            }
        }
    }

    /** Makes a key pair here, has the server sign it for a user, and writes the identity file. */
    abstract static class IdentityCommand extends ApiCommand {
        @Option(names = "--ttl", defaultValue = "12h", description = "Identity lifetime (default: ${DEFAULT-VALUE}; at most 7 days).")
        String ttl;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Where to write the identity (default: ./USER.pem).")
        Path outFile;

        void sign(AdminApi api, String user) throws IOException {
            KeyPair key = CertificateAuthority.newKeyPair();
            SignedCertificate cert = api.send("POST", "/v1/users/" + user + "/certs",
                    new UserCertRequest(Pem.encode(key.getPublic()), Optional.of(duration("--ttl", ttl))), new TypeReference<>() {});
            Path target = outFile != null ? outFile : Path.of(user + ".pem");
            new IdentityFile(key.getPrivate(), Pem.certificates(cert.certificate()).get(0),
                    Pem.certificates(String.join("", cert.caCertificates()))).write(target);
            out().println("identity of user '" + user + "' written to " + target + " (valid until " + cert.expires() + ")");
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true, description = "Access requests on behalf of bots.",
            subcommands = {Requests.CreateRequest.class, Requests.Review.class, Requests.Cancel.class, Requests.List.class,
                    Requests.GetRequest.class})
    static final class Requests {

        @Command(name = "create", mixinStandardHelpOptions = true, description = "Ask for roles on behalf of a bot.")
        static final class CreateRequest extends ApiCommand {
            @Option(names = "--bot", required = true, description = "The bot that will assume the request.")
            String bot;

            @Option(names = "--roles", required = true, split = ",", paramLabel = "ROLE", description = "Roles, comma-separated.")
            java.util.List<String> roles;

            @Option(names = "--reason", defaultValue = "", description = "Why (a change ID, a ticket).")
            String reason;

            @Option(names = "--max-duration", paramLabel = "DURATION",
                    description = "How long the access lasts from now, e.g. 2h (default 1h; capped by the roles and at 14 days).")
            String maxDuration;

            @Option(names = "--pending-ttl", paramLabel = "DURATION",
                    description = "How long the request waits for reviews (default and cap: 7 days, never past the access end).")
            String pendingTtl;

            @Option(names = "--one-shot", description = "The request can be assumed by one run only: its first release consumes it.")
            boolean oneShot;

            @Option(names = "--jenkins-job", paramLabel = "JOB",
                    description = "Only bot identities that joined through Jenkins for this job (full name, glob *) may assume it.")
            String jenkinsJob;

            @Option(names = "--jenkins-branch", paramLabel = "BRANCH",
                    description = "Only bot identities that joined through Jenkins for this branch (glob *) may assume it.")
            String jenkinsBranch;

            @Option(names = {"-q", "--quiet"}, description = "Print only the request ID.")
            boolean quiet;

            @Override
            public Integer call() {
                CreateAccessRequest ask = new CreateAccessRequest(bot, roles, reason,
                        Optional.ofNullable(maxDuration).map(d -> duration("--max-duration", d)),
                        Optional.ofNullable(pendingTtl).map(d -> duration("--pending-ttl", d)), oneShot, jenkinsJob, jenkinsBranch);
                AccessRequest r = api().send("POST", "/v1/access-requests", ask, new TypeReference<>() {});
                if (quiet) {
                    out().println(r.id());
                } else if (!printStructured(r)) {
                    out().println(r.id());
                    out().println("access request for bot '" + r.spec().user() + "' (roles " + String.join(", ", r.spec().roles())
                            + ") is " + r.status().map(s -> s.state() + ": " + s.progress()).orElse(r.spec().state().name()));
                    out().println("access would end at " + r.spec().maxDuration() + "; reviews accepted until " + r.spec().expires());
                    if (!r.spec().jenkinsJob().isEmpty() || !r.spec().jenkinsBranch().isEmpty()) {
                        out().println("only for Jenkins builds of job " + (r.spec().jenkinsJob().isEmpty() ? "*" : r.spec().jenkinsJob())
                                + ", branch " + (r.spec().jenkinsBranch().isEmpty() ? "*" : r.spec().jenkinsBranch()));
                    }
                }
                return 0;
            }
        }

        @Command(name = "review", mixinStandardHelpOptions = true, description = "Approve or deny a request.")
        static final class Review extends ApiCommand {
            @Parameters(paramLabel = "ID")
            String id;

            @ArgGroup(exclusive = true, multiplicity = "1")
            Verdict verdict;

            static final class Verdict {
                @Option(names = "--approve", required = true)
                boolean approve;

                @Option(names = "--deny", required = true)
                boolean deny;
            }

            @Option(names = "--reason", defaultValue = "", description = "Why.")
            String reason;

            @Override
            public Integer call() {
                ReviewVerdict v = verdict.approve ? ReviewVerdict.APPROVED : ReviewVerdict.DENIED;
                AccessRequest r = api().send("POST", "/v1/access-requests/" + id + "/reviews", new SubmitReview(v, reason),
                        new TypeReference<>() {});
                if (!printStructured(r)) {
                    out().println("review submitted; request " + r.id() + " is "
                            + r.status().map(s -> s.state() + " (" + s.progress() + ")").orElse(r.spec().state().name()));
                }
                return 0;
            }
        }

        @Command(name = "cancel", mixinStandardHelpOptions = true,
                description = "Withdraw a request you asked for (it becomes CANCELLED and its certificates are revoked).")
        static final class Cancel extends ApiCommand {
            @Parameters(paramLabel = "ID")
            String id;

            @Option(names = "--reason", defaultValue = "", description = "Why.")
            String reason;

            @Override
            public Integer call() {
                AccessRequest r = api().send("POST", "/v1/access-requests/" + id + "/cancel",
                        new io.jenkins.plugins.teleport.api.Messages.CancelAccessRequest(reason), new TypeReference<>() {});
                if (!printStructured(r)) {
                    out().println("request " + r.id() + " is " + r.status().map(st -> st.state() + " (" + st.progress() + ")")
                            .orElse(r.spec().state().name()));
                }
                return 0;
            }
        }

        @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the access requests you may see.")
        static final class List extends ApiCommand {
            @Option(names = "--bot", description = "Only requests for this bot.")
            String bot;

            @Option(names = "--state", description = "Only requests in this state: PENDING, APPROVED, DENIED, CONSUMED, CANCELLED, EXPIRED.")
            String state;

            @Override
            public Integer call() {
                StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
                if (bot != null) {
                    q.add("bot=" + URLEncoder.encode(bot, StandardCharsets.UTF_8));
                }
                if (state != null) {
                    q.add("state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
                }
                ItemList<AccessRequest> all = api().get("/v1/access-requests" + q, new TypeReference<>() {});
                if (!printStructured(all.items())) {
                    Table t = new Table("ID", "BOT", "ROLES", "REQUESTED BY", "STATE", "PROGRESS", "CREATED");
                    for (AccessRequest r : all.items()) {
                        t.row(r.id(), r.spec().user(), String.join(",", r.spec().roles()), r.spec().requestedBy(),
                                r.status().map(s -> s.state().name()).orElse(""), r.status().map(s -> s.progress()).orElse(""),
                                r.spec().created().toString());
                    }
                    t.print(out());
                }
                return 0;
            }
        }

        @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one access request.")
        static final class GetRequest extends ApiCommand {
            @Parameters(paramLabel = "ID")
            String id;

            @Override
            public Integer call() {
                AccessRequest r = api().get("/v1/access-requests/" + id, new TypeReference<>() {});
                if (!printStructured(r)) {
                    format = Format.yaml;
                    printStructured(r);
                }
                return 0;
            }
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Read the audit log.", subcommands = Audit.Ls.class)
    static final class Audit {
        @Command(name = "ls", mixinStandardHelpOptions = true,
                description = "Print audit events as JSON lines, oldest first.")
        static final class Ls extends ApiCommand {
            @Option(names = "--request", paramLabel = "ID", description = "Only the events of this access request.")
            String request;

            @Option(names = "--from", paramLabel = "TIME", description = "From this RFC 3339 time (inclusive).")
            String from;

            @Option(names = "--to", paramLabel = "TIME", description = "Up to this RFC 3339 time (exclusive).")
            String to;

            @Option(names = "--limit", defaultValue = "500", description = "At most this many events (default: ${DEFAULT-VALUE}).")
            int limit;

            @Override
            public Integer call() throws IOException {
                StringJoiner q = new StringJoiner("&", "?", "");
                q.add("limit=" + limit);
                Optional.ofNullable(request).ifPresent(v -> q.add("request_id=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
                Optional.ofNullable(from).ifPresent(v -> q.add("from=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
                Optional.ofNullable(to).ifPresent(v -> q.add("to=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
                ItemList<AuditEvent> events = api().get("/v1/audit/events" + q, new TypeReference<>() {});
                if (!printStructured(events.items())) {
                    for (AuditEvent e : events.items()) {
                        out().println(Json.mapper().writeValueAsString(e));
                    }
                }
                return 0;
            }
        }
    }

    static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(",", items);
    }

    /** A plain text table with aligned columns. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void print(PrintWriter out) {
            int[] width = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    line.append(i == r.length - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
                }
                out.println(line.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
