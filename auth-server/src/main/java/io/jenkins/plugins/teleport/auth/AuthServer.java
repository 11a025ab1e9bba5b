package io.jenkins.plugins.teleport.auth;

import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.CertificateIssuer;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.ca.RevocationLists;
import io.jenkins.plugins.teleport.auth.ca.SshCertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Tls;
import io.jenkins.plugins.teleport.auth.ca.UserCertificates;
import io.jenkins.plugins.teleport.auth.http.ApiMetrics;
import io.jenkins.plugins.teleport.auth.http.ApiServer;
import io.jenkins.plugins.teleport.auth.http.Pages;
import io.jenkins.plugins.teleport.auth.http.Route;
import io.jenkins.plugins.teleport.auth.http.Routes;
import io.jenkins.plugins.teleport.auth.join.JenkinsJoin;
import io.jenkins.plugins.teleport.auth.join.JoinService;
import io.jenkins.plugins.teleport.auth.join.TokenJoin;
import io.jenkins.plugins.teleport.auth.join.TokenService;
import io.jenkins.plugins.teleport.auth.locks.LockService;
import io.jenkins.plugins.teleport.auth.oidc.OidcIdentityProvider;
import io.jenkins.plugins.teleport.auth.oidc.OidcSigningKeys;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestService;
import io.jenkins.plugins.teleport.auth.requests.RequestWatch;
import io.jenkins.plugins.teleport.auth.resources.ResourceService;
import io.jenkins.plugins.teleport.auth.store.JdbcStore;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx.StoredAuthority;
import io.jenkins.plugins.teleport.auth.web.Invites;
import io.jenkins.plugins.teleport.auth.web.SignIn;
import io.jenkins.plugins.teleport.auth.web.WebPages;
import io.jenkins.plugins.teleport.auth.web.WebSessions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** The auth server, wired by hand: store, CA, services and the HTTPS API. */
public final class AuthServer implements AutoCloseable {

    /** This server's version, from the jar manifest ("dev" when run from classes). */
    public static final String VERSION = versionFromManifest();

    private final ServerConfig config;
    private final Store store;
    private final CertificateAuthority ca;
    private final ApiServer api;
    private final Clock clock;
    private final RequestWatch watch;

    private AuthServer(ServerConfig config, Store store, CertificateAuthority ca, ApiServer api, Clock clock, RequestWatch watch) {
        this.config = config;
        this.store = store;
        this.ca = ca;
        this.api = api;
        this.clock = clock;
        this.watch = watch;
    }

    /** Opens the store (migrating it), loads or creates the CA, and starts serving the API. */
    public static AuthServer start(ServerConfig config, Clock clock) throws IOException {
        CaKeyEncryption keys = CaKeyEncryption.load(config.caKeyEncryption(), System::getenv);
        Store store = openStore(config, clock);
        try {
            CertificateAuthority ca = loadOrCreateAuthority(store, config.clusterName(), clock, keys);
            SshCertificateAuthority sshCa = loadOrCreateSshAuthority(store, config.clusterName(), keys);
            KeyPair tlsKey = CertificateAuthority.newKeyPair();
            X509Certificate serverCert = ca.issueServer(tlsKey.getPublic(), serverNames(config), Duration.ofDays(365), clock.instant());
            AuditLog audit = new AuditLog(store, clock);
            Ping ping = new Ping(config.clusterName(), VERSION, ca.pin());
            // The issuer is the configured public URL, or (when none is configured) this server's own URL, known once
            // it listens.
            AtomicReference<String> issuer = new AtomicReference<>(config.publicUrl());
            OidcIdentityProvider oidc = new OidcIdentityProvider(issuer::get, new OidcSigningKeys(store, keys, clock),
                    store, audit, clock);
            RequestWatch watch = new RequestWatch(store, RequestWatch.POLL_INTERVAL);
            Routes.Services services = new Routes.Services(ping, new ResourceService(store, audit),
                    new AccessRequestService(store, audit, watch, clock), audit, new UserCertificates(store, ca, audit, clock),
                    new TokenService(store, audit, clock),
                    new JoinService(store, ca, audit, clock, config.botIdentityTtl(),
                            List.of(new TokenJoin(), new JenkinsJoin(config.clusterName()))),
                    new LockService(store, audit, clock),
                    new CertificateIssuer(store, ca, sshCa, audit, watch, clock, config.maxCertificateTtl()),
                    new RevocationLists(store, ca, sshCa, clock), oidc);
            ApiMetrics metrics = new ApiMetrics().watch(store, clock);
            List<Route> routes = new ArrayList<>(Routes.all(services));
            routes.add(metrics.route());
            // The web pages (docs/web.md): their own handler beside the API's routes; the invite endpoint is the API's.
            AtomicReference<ApiServer> bound = new AtomicReference<>();
            WebSessions sessions = new WebSessions(store, clock, config.web().sessionTtl());
            Invites invites = new Invites(store, audit, clock, keys, config.clusterName(),
                    () -> publicUrl(config, bound.get().port()), sessions);
            routes.add(invites.route());
            Optional<Pages> pages = config.web().enabled()
                    ? Optional.of(new WebPages(config.clusterName(), store, clock, services.requests(), audit, sessions,
                    new SignIn(store, audit, clock, keys, sessions), invites))
                    : Optional.empty();
            ApiServer api = new ApiServer(new InetSocketAddress(config.host(), config.port()),
                    Tls.context(tlsKey.getPrivate(), List.of(serverCert, ca.certificate()), List.of(ca.certificate())),
                    routes, new Authenticator(store, audit, clock), config.http(), metrics, pages);
            bound.set(api);
            api.start();
            AuthServer server = new AuthServer(config, store, ca, api, clock, watch);
            if (issuer.get().isEmpty()) {
                issuer.set(server.url().toString());
            }
            return server;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The configured store: SQLite by default, PostgreSQL when {@code storage.type} is {@code postgres}. */
    public static Store openStore(ServerConfig config, Clock clock) throws IOException {
        ServerConfig.Storage s = config.storage();
        return switch (s.type()) {
            case "sqlite" -> JdbcStore.sqlite(config.sqlitePath(), clock);
            case "postgres" -> {
                if (s.url() == null) {
                    throw new IllegalArgumentException("storage.url is required for postgres, e.g. jdbc:postgresql://db:5432/teleport");
                }
                String password = s.passwordFile() == null ? "" : Files.readString(s.passwordFile()).strip();
                yield JdbcStore.postgres(s.url(), s.username(), password, clock);
            }
            default -> throw new IllegalArgumentException("storage.type must be sqlite or postgres, not '" + s.type() + "'");
        };
    }

    /**
     * The cluster's CA from the store, created on first start; its private key is kept encrypted by {@code keys}.
     * When several servers start together on one PostgreSQL, the first insert wins and every server uses that one.
     */
    public static CertificateAuthority loadOrCreateAuthority(Store store, String clusterName, Clock clock, CaKeyEncryption keys) {
        StoredAuthority stored = keys.loadOrCreate(store, CertificateAuthority.NAME, () -> {
            CertificateAuthority fresh = CertificateAuthority.generate(clusterName, clock);
            return new StoredAuthority(Pem.encode(fresh.certificate()), Pem.encode(fresh.privateKey()));
        });
        return new CertificateAuthority(Pem.certificates(stored.publicPart()).get(0), Pem.privateKey(stored.privateKey()));
    }

    /** The cluster's SSH user CA from the store, created on first start like the X.509 CA. */
    public static SshCertificateAuthority loadOrCreateSshAuthority(Store store, String clusterName, CaKeyEncryption keys) {
        return SshCertificateAuthority.fromStored(keys.loadOrCreate(store, SshCertificateAuthority.NAME,
                () -> SshCertificateAuthority.generate(clusterName).toStored()));
    }

    private static List<String> serverNames(ServerConfig config) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        for (String addr : config.publicAddrs()) {
            names.add(addr.contains(":") && !addr.contains("::") ? addr.substring(0, addr.lastIndexOf(':')) : addr);
        }
        String host = config.host();
        if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isEmpty()) {
            names.add(host);
        }
        return new ArrayList<>(names);
    }

    /**
     * Where people reach this server (invite links): {@code public_url} when set (the OIDC issuer, so one name for
     * both), else the first of {@code public_addrs} (with the listen port when it names none), else the listen address.
     */
    static String publicUrl(ServerConfig config, int port) {
        if (!config.publicUrl().isEmpty()) {
            return config.publicUrl().replaceAll("/+$", "");
        }
        if (config.publicAddrs().isEmpty()) {
            String host = config.host().equals("0.0.0.0") || config.host().isEmpty() ? "127.0.0.1" : config.host();
            return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
        String addr = config.publicAddrs().get(0);
        boolean hasPort = addr.startsWith("[") ? addr.matches("\\[.*\\]:\\d+") : addr.matches("[^:]+:\\d+");
        return "https://" + addr + (hasPort ? "" : ":" + port);
    }

    public URI url() {
        String host = config.host().equals("0.0.0.0") || config.host().isEmpty() ? "127.0.0.1" : config.host();
        return URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + api.port());
    }

    public int port() {
        return api.port();
    }

    /** How many callers are waiting for an access request to change (long polls). */
    public int waitingCallers() {
        return watch.waiting();
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Store store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        api.close();
        watch.close();
        store.close();
    }

    private static String versionFromManifest() {
        String v = AuthServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
