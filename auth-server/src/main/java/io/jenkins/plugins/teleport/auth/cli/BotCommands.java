package io.jenkins.plugins.teleport.auth.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.CaPin;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.CreateToken;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.ItemList;
import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Messages.Release;
import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.api.Messages.SignedCertificate;
import io.jenkins.plugins.teleport.api.Messages.TokenCreated;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The tctl commands about bots: bots and their join tokens, locks, and a bot's side of assuming a request. */
final class BotCommands {

    private BotCommands() {}

    @Command(name = "bots", mixinStandardHelpOptions = true, description = "Bots (machine identities).",
            subcommands = {Bots.Add.class, Bots.Assume.class, Bots.ReleaseRequest.class})
    static final class Bots {

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a bot and a single-use join token for it.")
        static final class Add extends ApiCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Option(names = "--roles", required = true, split = ",", paramLabel = "ROLE", description = "The bot's roles.")
            List<String> roles;

            @Option(names = "--token-ttl", defaultValue = "1h", description = "How long the join token is valid (default: ${DEFAULT-VALUE}).")
            String tokenTtl;

            @Override
            public Integer call() {
                AdminApi api = api();
                api.send("POST", "/v1/bots", Bot.of(name, roles), new TypeReference<JsonNode>() {});
                TokenCreated token = api.send("POST", "/v1/tokens",
                        new CreateToken(name, Optional.of(duration("--token-ttl", tokenTtl)), false), new TypeReference<>() {});
                out().println("bot '" + name + "' created with roles " + String.join(", ", roles));
                printToken(this, token);
                return 0;
            }
        }

        @Command(name = "assume", mixinStandardHelpOptions = true,
                description = {"A bot's side, for trying things by hand: join with a token, then get certificates bound to an "
                        + "approved access request. Keys are made here; files go to --out (0700, keys 0600).",
                        "Writes bot-identity.pem (for 'bots release'), id_ed25519, id_ed25519.pub, id_ed25519-cert.pub, "
                                + "tls.key, tls.crt and tls-ca.crt."})
        static final class Assume extends ApiCommand {
            @Option(names = "--bot", required = true, description = "The bot's name.")
            String bot;

            @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding the join token.")
            Path tokenFile;

            @Option(names = "--ca-pin", required = true, defaultValue = "${env:TELEPORT_CA_PIN}",
                    description = "The auth server's CA pin (sha256:…), as it prints at start (env TELEPORT_CA_PIN).")
            String caPin;

            @Option(names = "--request", required = true, paramLabel = "ID", description = "The approved access request.")
            String request;

            @Option(names = "--ttl", description = "Certificate lifetime (default 1h; capped by the request and roles).")
            String ttl;

            @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the files.")
            Path outDir;

            @Override
            public Integer call() throws IOException {
                if (!Files.isReadable(tokenFile)) {
                    throw new LocalProblem("token file " + tokenFile + " not found");
                }
                String token = Files.readString(tokenFile).strip();
                Files.createDirectories(outDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

                KeyPair identityKey = CertificateAuthority.newKeyPair();
                SignedCertificate joined = new AdminApi(authServer, pinned(caPin)).send("POST", "/v1/join",
                        new JoinRequest(Token.JoinMethod.TOKEN, token, bot, Pem.encode(identityKey.getPublic())),
                        new TypeReference<>() {});
                IdentityFile identity = new IdentityFile(identityKey.getPrivate(), Pem.certificates(joined.certificate()).get(0),
                        Pem.certificates(String.join("", joined.caCertificates())));
                identity.write(outDir.resolve("bot-identity.pem"));
                out().println("joined as bot '" + bot + "' (identity valid until " + joined.expires() + ")");

                KeyPair sshKey = ed25519();
                KeyPair tlsKey = CertificateAuthority.newKeyPair();
                IssuedCertificates certs = new AdminApi(authServer, identity).send("POST", "/v1/certs",
                        new IssueCertificates(request, PublicKeyEntry.toString(sshKey.getPublic()), Pem.encode(tlsKey.getPublic()),
                                Optional.ofNullable(ttl).map(t -> duration("--ttl", t)), Map.of("ci_system", "tctl")),
                        new TypeReference<>() {});
                write("id_ed25519", openSshPrivateKey(sshKey), "rw-------");
                write("id_ed25519.pub", PublicKeyEntry.toString(sshKey.getPublic()) + "\n", "rw-r--r--");
                write("id_ed25519-cert.pub", certs.sshCertificate() + "\n", "rw-r--r--");
                write("tls.key", Pem.encode(tlsKey.getPrivate()), "rw-------");
                write("tls.crt", certs.tlsCertificate(), "rw-r--r--");
                write("tls-ca.crt", String.join("", certs.tlsCaCertificates()), "rw-r--r--");
                out().println("certificates for access request " + certs.accessRequestId() + " written to " + outDir);
                out().println("  principals: " + String.join(", ", certs.principals()));
                out().println("  valid:      " + certs.validAfter() + " .. " + certs.validBefore());
                out().println("  serials:    ssh " + certs.sshSerial() + ", x509 " + certs.tlsSerial());
                out().println("inspect with: ssh-keygen -L -f " + outDir.resolve("id_ed25519-cert.pub"));
                out().println("give them back with: tctl bots release --identity " + outDir.resolve("bot-identity.pem")
                        + " --request " + certs.accessRequestId());
                return 0;
            }

            private void write(String name, String text, String mode) throws IOException {
                Path file = outDir.resolve(name);
                Files.deleteIfExists(file);
                // Created owner-only, so no one else can open it while it is being written.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, text, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            }

            private static KeyPair ed25519() {
                try {
                    return KeyPairGenerator.getInstance("Ed25519", new BouncyCastleProvider()).generateKeyPair();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }

            private static String openSshPrivateKey(KeyPair key) {
                try {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "tctl bots assume", null, out);
                    return out.toString(StandardCharsets.UTF_8);
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalStateException("cannot encode the SSH private key", e);
                }
            }
        }

        @Command(name = "release", mixinStandardHelpOptions = true,
                description = "A bot gives back its certificates for a request: they are revoked at once (pass the bot's identity with -i).")
        static final class ReleaseRequest extends ApiCommand {
            @Option(names = "--request", required = true, paramLabel = "ID")
            String request;

            @Override
            public Integer call() {
                Released released = api().send("POST", "/v1/access-requests/" + request + "/release", new Release(Map.of()),
                        new TypeReference<>() {});
                if (!printStructured(released)) {
                    out().println("released access request " + released.accessRequestId() + "; revoked: "
                            + (released.revokedSerials().isEmpty() ? "nothing" : String.join(", ", released.revokedSerials()))
                            + (released.consumed() ? "; the one-shot request is now consumed" : ""));
                }
                return 0;
            }
        }
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true, description = "Join tokens for bots.",
            subcommands = {Tokens.Add.class, Tokens.Ls.class, Tokens.Rm.class})
    static final class Tokens {

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Make a join token for a bot (shown once).")
        static final class Add extends ApiCommand {
            @Option(names = "--bot", required = true)
            String bot;

            @Option(names = "--ttl", defaultValue = "1h", description = "Validity (default: ${DEFAULT-VALUE}; at most 30 days).")
            String ttl;

            @Option(names = "--reusable", description = "Serve any number of joins until it expires (default: single use).")
            boolean reusable;

            @Option(names = {"-q", "--quiet"}, description = "Print only the token.")
            boolean quiet;

            @Override
            public Integer call() {
                TokenCreated token = api().send("POST", "/v1/tokens", new CreateToken(bot, Optional.of(duration("--ttl", ttl)), reusable),
                        new TypeReference<>() {});
                if (quiet) {
                    out().println(token.token());
                } else {
                    printToken(this, token);
                }
                return 0;
            }
        }

        @Command(name = "ls", mixinStandardHelpOptions = true, description = "List join tokens (their hashes, never the secrets).")
        static final class Ls extends ApiCommand {
            @Override
            public Integer call() {
                ItemList<Token> tokens = api().get("/v1/tokens", new TypeReference<>() {});
                if (!printStructured(tokens.items())) {
                    Tctl.Table t = new Tctl.Table("NAME (SHA-256 OF THE TOKEN)", "BOT", "METHOD", "REUSABLE", "EXPIRES");
                    tokens.items().forEach(k -> t.row(k.name(), k.spec().botName(), k.spec().joinMethod().wire(),
                            Boolean.toString(k.spec().reusable()), k.metadata().expires().map(Instant::toString).orElse("never")));
                    t.print(out());
                }
                return 0;
            }
        }

        @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a join token.")
        static final class Rm extends ApiCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                api().send("DELETE", "/v1/tokens/" + name, null, null);
                out().println("token " + name + " deleted");
                return 0;
            }
        }
    }

    @Command(name = "locks", mixinStandardHelpOptions = true, description = "Locks: refuse certificates and API calls at once.",
            subcommands = {Locks.Add.class, Locks.Ls.class, Locks.Rm.class})
    static final class Locks {

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Lock an access request, a bot, a user or a certificate.")
        static final class Add extends ApiCommand {
            @ArgGroup(exclusive = true, multiplicity = "1")
            Target target;

            static final class Target {
                @Option(names = "--request", paramLabel = "ID", required = true)
                String request;

                @Option(names = "--bot", paramLabel = "NAME", required = true)
                String bot;

                @Option(names = "--user", paramLabel = "NAME", required = true)
                String user;

                @Option(names = "--serial", paramLabel = "SERIAL", required = true,
                        description = "A certificate serial: X.509 in hex, SSH in decimal.")
                String serial;
            }

            @Option(names = "--message", defaultValue = "", description = "Why (shown to whoever is refused).")
            String message;

            @Option(names = "--ttl", description = "Lift the lock after this long (default: until removed).")
            String ttl;

            @Override
            public Integer call() {
                Lock created = create(this, new Lock.Target(target.request, target.user, target.bot, target.serial), message, ttl);
                out().println("lock " + created.name() + " created" + created.spec().expires().map(t -> " until " + t).orElse(""));
                return 0;
            }

            /** Creates a lock on {@code target}, lifted after {@code ttl} when one is given (also {@code users lock}). */
            static Lock create(ApiCommand command, Lock.Target target, String message, String ttl) {
                Optional<Instant> expires = Optional.ofNullable(ttl).map(t -> Instant.now().plus(command.duration("--ttl", t)));
                Lock lock = new Lock(null, null, Metadata.named(""), new Lock.Spec(target, message, expires, null));
                return command.api().send("POST", "/v1/locks", lock, new TypeReference<>() {});
            }
        }

        @Command(name = "ls", mixinStandardHelpOptions = true, description = "List locks.")
        static final class Ls extends ApiCommand {
            @Override
            public Integer call() {
                ItemList<Lock> locks = api().get("/v1/locks", new TypeReference<>() {});
                if (!printStructured(locks.items())) {
                    Tctl.Table t = new Tctl.Table("NAME", "TARGET", "MESSAGE", "EXPIRES", "CREATED BY");
                    locks.items().forEach(l -> t.row(l.name(), describe(l.spec().target()), l.spec().message(),
                            l.spec().expires().map(Instant::toString).orElse("never"), l.spec().createdBy()));
                    t.print(out());
                }
                return 0;
            }

            private static String describe(Lock.Target t) {
                StringBuilder s = new StringBuilder();
                if (!t.accessRequest().isEmpty()) {
                    s.append("access_request=").append(t.accessRequest()).append(' ');
                }
                if (!t.bot().isEmpty()) {
                    s.append("bot=").append(t.bot()).append(' ');
                }
                if (!t.user().isEmpty()) {
                    s.append("user=").append(t.user()).append(' ');
                }
                if (!t.serial().isEmpty()) {
                    s.append("serial=").append(t.serial());
                }
                return s.toString().strip();
            }
        }

        @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a lock.")
        static final class Rm extends ApiCommand {
            @Parameters(paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                api().send("DELETE", "/v1/locks/" + name, null, null);
                out().println("lock " + name + " removed");
                return 0;
            }
        }
    }

    /** TLS that trusts the server only under the CA with this pin (a bot has no identity yet when it joins). */
    static SSLContext pinned(String pin) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {CaPin.trustManager(pin)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static void printToken(ApiCommand cmd, TokenCreated token) {
        cmd.out().println("join token for bot '" + token.botName() + "' (" + (token.reusable() ? "reusable" : "single use")
                + ", valid until " + token.expires() + "); it is shown only now:");
        cmd.out().println(token.token());
    }
}
