package io.jenkins.plugins.teleport.auth.cli;

import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.Bootstrap;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.store.PrivateFiles;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code teleport-auth}: runs the auth server ({@code start}, {@code dev}) and makes the first admin identity ({@code bootstrap}). */
@Command(name = "teleport-auth", mixinStandardHelpOptions = true, versionProvider = Tctl.Version.class,
        description = "The auth server for request-scoped CI credentials.",
        subcommands = {AuthServerCommand.Start.class, AuthServerCommand.Dev.class, AuthServerCommand.BootstrapAdmin.class,
                AuthServerCommand.NewEncryptionKey.class},
        footer = {"", "Exit codes: 0 stopped cleanly; 1 failed to start or run; 2 bad usage."})
public final class AuthServerCommand {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new AuthServerCommand());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return 1;
        });
        int code = cl.execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Options shared by every command that opens the server's configuration. */
    static final class ConfigOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML configuration file (see docs/operations.md).")
        Path config;

        @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to serve the API on (config listen_addr).")
        String listen;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the SQLite store lives (config data_dir).")
        Path dataDir;

        @Option(names = "--cluster-name", description = "The cluster's name (config cluster_name).")
        String clusterName;

        @Option(names = "--postgres-url", paramLabel = "JDBC_URL", description = "Use PostgreSQL, e.g. jdbc:postgresql://db/teleport.")
        String postgresUrl;

        @Option(names = "--postgres-user", description = "PostgreSQL user.")
        String postgresUser;

        @Option(names = "--postgres-password-file", paramLabel = "FILE", description = "File holding the PostgreSQL password.")
        Path postgresPasswordFile;

        @Option(names = "--ca-key-file", paramLabel = "FILE",
                description = "File holding the key that encrypts the CA private keys in the store (config ca_key_encryption.key.file).")
        Path caKeyFile;

        @Option(names = "--ca-key-env", paramLabel = "NAME",
                description = "Environment variable holding that key instead (config ca_key_encryption.key.env).")
        String caKeyEnv;

        ServerConfig resolve(ServerConfig base) throws IOException {
            ServerConfig c = config != null ? ServerConfig.read(config) : base;
            if (listen != null) {
                c = c.withListenAddr(listen);
            }
            if (dataDir != null) {
                c = c.withDataDir(dataDir);
            }
            if (clusterName != null) {
                c = c.withClusterName(clusterName);
            }
            if (postgresUrl != null) {
                c = c.withStorage(new ServerConfig.Storage("postgres", null, postgresUrl, postgresUser, postgresPasswordFile));
            }
            if (caKeyFile != null || caKeyEnv != null) {
                c = c.withCaKeyEncryption(new ServerConfig.CaKeyEncryption(new ServerConfig.KeySource(caKeyFile, caKeyEnv),
                        c.caKeyEncryption().previous()));
            }
            return c;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Run the auth server until stopped (SIGTERM/Ctrl-C).")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = options.resolve(ServerConfig.defaults());
            try (AuthServer server = AuthServer.start(config, Clock.systemUTC())) {
                PrintWriter out = spec.commandLine().getOut();
                printStarted(out, server);
                out.println("make the first admin identity on this machine with: teleport-auth bootstrap "
                        + (options.config != null ? "--config " + options.config + " " : "") + "--out admin.pem");
                out.flush();
                waitForShutdown();
            }
            return 0;
        }
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = "Run a local development server: SQLite under .dev-auth/, a fresh admin identity, next steps printed.")
    static final class Dev implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--listen", defaultValue = "127.0.0.1:3025", description = "Address (default: ${DEFAULT-VALUE}).")
        String listen;

        @Option(names = "--data-dir", defaultValue = ".dev-auth", description = "State and admin identity (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            PrivateFiles.directory(dataDir);
            Path key = CaKeyEncryption.ensureKeyFile(dataDir.resolve("ca-encryption.key"));
            ServerConfig config = ServerConfig.defaults().withClusterName("dev").withListenAddr(listen).withDataDir(dataDir)
                    .withCaKeyEncryption(new ServerConfig.CaKeyEncryption(ServerConfig.KeySource.ofFile(key), null));
            try (AuthServer server = AuthServer.start(config, Clock.systemUTC())) {
                Path identity = dataDir.resolve("admin.pem");
                Bootstrap.adminIdentity(server.store(), server.ca(), server.clock(), "admin", Duration.ofHours(12)).write(identity);
                PrivateFiles.writeString(dataDir.resolve("ca-pin"), server.ca().pin() + "\n");
                PrintWriter out = spec.commandLine().getOut();
                printStarted(out, server);
                out.println("admin identity: " + identity + " (valid 12h; tctl uses it by default from this directory)");
                out.println("CA pin also in: " + dataDir.resolve("ca-pin") + " (bots check it before trusting the server)");
                out.println("CA keys encrypted in the store with: " + key + " (a development key; keep production keys apart from the data)");
                out.println();
                out.println("next steps, in another terminal in this directory:");
                out.println("  bin/tctl create -f examples/walkthrough.yaml      # roles, people and the bot");
                out.println("  bin/tctl get roles");
                out.println("  bin/tctl users reset bob                           # a link where bob sets a password for the web pages");
                out.println("  the README's walkthrough continues from there (the change board's part in the browser too)");
                out.println();
                out.println("press Ctrl-C to stop; state stays in " + dataDir + " (delete it to start over)");
                out.flush();
                waitForShutdown();
            }
            return 0;
        }
    }

    @Command(name = "bootstrap", mixinStandardHelpOptions = true,
            description = "Write an admin identity, working directly on the server's store (run on the auth server's machine).")
    static final class BootstrapAdmin implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOptions options;

        @Option(names = "--user", defaultValue = "admin", description = "Administrator's user name (default: ${DEFAULT-VALUE}).")
        String user;

        @Option(names = "--ttl", defaultValue = "12h", description = "Identity lifetime (default: ${DEFAULT-VALUE}).")
        String ttl;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where to write the identity.")
        Path out;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = options.resolve(ServerConfig.defaults());
            CaKeyEncryption keys = CaKeyEncryption.load(config.caKeyEncryption(), System::getenv);
            try (Store store = AuthServer.openStore(config, Clock.systemUTC())) {
                CertificateAuthority ca = AuthServer.loadOrCreateAuthority(store, config.clusterName(), Clock.systemUTC(), keys);
                IdentityFile identity = Bootstrap.adminIdentity(store, ca, Clock.systemUTC(), user, GoDuration.parse(ttl));
                identity.write(out);
                spec.commandLine().getOut().println("admin identity for user '" + user + "' written to " + out
                        + " (valid until " + identity.certificate().getNotAfter().toInstant() + ")");
            }
            return 0;
        }
    }

    @Command(name = "new-encryption-key", mixinStandardHelpOptions = true,
            description = {"Write a new key for encrypting the CA private keys in the store (32 random bytes, base64; file 0600).",
                    "Name it in the configuration as ca_key_encryption.key.file, or put its text in an environment variable",
                    "named by ca_key_encryption.key.env. Rotation: docs/operations.md."})
    static final class NewEncryptionKey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where to write the key (must not exist).")
        Path out;

        @Override
        public Integer call() {
            if (Files.exists(out)) {
                throw new IllegalArgumentException(out + " exists: a key is never overwritten (it may be the only way to "
                        + "decrypt a store or its backups); choose another file");
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                PrivateFiles.directory(parent);
            }
            CaKeyEncryption.ensureKeyFile(out);
            spec.commandLine().getOut().println("new CA encryption key written to " + out
                    + " (keep it apart from the store's backups: with both, the CA keys can be read)");
            return 0;
        }
    }

    private static void printStarted(PrintWriter out, AuthServer server) {
        out.println("auth server for cluster '" + server.config().clusterName() + "' listening on " + server.url());
        out.println("  CA pin: " + server.ca().pin());
        out.println("  store:  " + server.store().describe());
        if (server.config().web().enabled()) {
            out.println("  web:    " + server.url() + "/web/ (people sign in with the links 'tctl users add' and 'tctl users reset' print)");
        }
    }

    private static void waitForShutdown() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                main.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        stop.await();
    }
}
