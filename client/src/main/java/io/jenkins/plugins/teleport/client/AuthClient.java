package io.jenkins.plugins.teleport.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.CaPin;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.ErrorResponse;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.CancelAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Messages.ItemList;
import io.jenkins.plugins.teleport.api.Messages.OidcToken;
import io.jenkins.plugins.teleport.api.Messages.OidcTokenRequest;
import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.api.Messages.Release;
import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.api.Messages.SignedCertificate;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The auth server's API, for bots: ping (checking the CA pin before anything else), join (with a secret token or a
 * Jenkins build's ID token), read a request, issue request-bound certificates, web identity tokens, release. One connection pool per server; bounded timeouts; idempotent
 * calls are retried with backoff on transient failures, others never.
 */
public final class AuthClient {

    /** Timeouts and retries. */
    public record Settings(Duration connectTimeout, Duration callTimeout, int attempts, Duration firstBackoff) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), Duration.ofSeconds(30), 4, Duration.ofMillis(250));
    }

    private static final MediaType JSON = MediaType.get("application/json");
    // Lenient on answers: a newer server may add fields this client does not know.
    private static final ObjectReader READER = Answers.reader();

    private final HttpUrl base;
    private final String caPin;
    private final OkHttpClient http;
    private final Settings settings;

    private AuthClient(HttpUrl base, String caPin, OkHttpClient http, Settings settings) {
        this.base = base;
        this.caPin = caPin;
        this.http = http;
        this.settings = settings;
    }

    /** A client of {@code server} that trusts only a CA with pin {@code caPin}. Nothing is sent until the first call. */
    public static AuthClient create(URI server, String caPin, Settings settings) {
        if (caPin == null || !CaPin.FORMAT.matcher(caPin).matches()) {
            throw new TeleportException("the CA pin must look like sha256:<64 hex digits>, as the auth server prints it at start");
        }
        HttpUrl base = HttpUrl.get(server);
        if (!base.isHttps()) {
            throw new TeleportException("the auth server address must be https://, not " + server);
        }
        X509TrustManager trust = CaPin.trustManager(caPin);
        OkHttpClient http = new OkHttpClient.Builder()
                .sslSocketFactory(tls(null, trust).getSocketFactory(), trust)
                .connectTimeout(settings.connectTimeout())
                .callTimeout(settings.callTimeout())
                .retryOnConnectionFailure(false)
                .build();
        return new AuthClient(base, caPin, http, settings);
    }

    public static AuthClient create(URI server, String caPin) {
        return create(server, caPin, Settings.DEFAULT);
    }

    /** The same server and pool, calling as {@code identity} (mutual TLS). */
    public AuthClient as(BotIdentity identity) {
        X509TrustManager trust = CaPin.trustManager(caPin);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            X509Certificate[] chain = java.util.stream.Stream.concat(java.util.stream.Stream.of(identity.certificate()),
                    identity.caCertificates().stream()).toArray(X509Certificate[]::new);
            keys.setKeyEntry("bot", identity.key(), new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            OkHttpClient withIdentity = http.newBuilder()
                    .sslSocketFactory(tls(kmf.getKeyManagers(), trust).getSocketFactory(), trust).build();
            return new AuthClient(base, caPin, withIdentity, settings);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot use the bot identity for TLS", e);
        }
    }

    public URI server() {
        return base.uri();
    }

    /** Who the server is; refuses (without sending anything else) if its CA is not the pinned one. */
    public Ping ping() {
        Ping ping = retrying(() -> call("GET", url("v1", "ping"), null, Ping.class));
        if (!caPin.equals(ping.caPin())) {
            throw new TeleportException.CaPinMismatchException("the server says its CA pin is " + ping.caPin()
                    + " but the configured pin is " + caPin, null);
        }
        return ping;
    }

    /** Joins as {@code bot} with a join token; the identity's key is made here and never leaves this process. */
    public BotIdentity join(String bot, String token) {
        return join(bot, key -> new JoinRequest(Token.JoinMethod.TOKEN, token, bot, Keys.publicKeyPem(key.getPublic())));
    }

    /**
     * Joins as {@code bot} through Jenkins (join method {@code jenkins}, no secret): {@code tokenName} names the token
     * resource that trusts the controller, {@code idToken} is the build's ID token the controller signed (it joins once).
     */
    public BotIdentity joinWithIdToken(String bot, String tokenName, String idToken) {
        return join(bot, key -> new JoinRequest(Token.JoinMethod.JENKINS, tokenName, bot, Keys.publicKeyPem(key.getPublic()), idToken));
    }

    private BotIdentity join(String bot, java.util.function.Function<KeyPair, JoinRequest> ask) {
        KeyPair key = Keys.p256();
        SignedCertificate signed = call("POST", url("v1", "join"), ask.apply(key), SignedCertificate.class);
        List<X509Certificate> cas = Keys.certificates(String.join("", signed.caCertificates()));
        return new BotIdentity(bot, key.getPrivate(), Keys.certificates(signed.certificate()).get(0), cas);
    }

    public AccessRequest accessRequest(RequestId id) {
        return retrying(() -> call("GET", url("v1", "access-requests", id.value()), null, AccessRequest.class));
    }

    /** Issues request-bound certificates; not retried (a retry could issue twice). */
    public IssuedCertificates issue(IssueCertificates ask) {
        return call("POST", url("v1", "certs"), ask, IssuedCertificates.class);
    }

    /**
     * A web identity token (a JWT for AWS STS) for {@code integration}; the caller must be a request-bound identity
     * ({@link #as} with the certificate issued for the request). Retried on transient failures: a second token is
     * harmless (each is audited with its own ID).
     */
    public OidcToken oidcToken(String integration) {
        return retrying(() -> call("POST", url("v1", "oidc", "token"), new OidcTokenRequest(integration, java.util.Optional.empty()),
                OidcToken.class));
    }

    /** Gives the request's certificates back; retried on transient failures (releasing twice is harmless). */
    public Released release(RequestId id, Map<String, String> usage) {
        return retrying(() -> call("POST", url("v1", "access-requests", id.value(), "release"), new Release(usage), Released.class));
    }

    // ---- requests a bot makes for itself (create, wait, cancel) and lists ------------------------------------------

    /** The longest a server holds a long poll ({@code wait} is capped at 60 s there). */
    public static final Duration LONGEST_WAIT = Duration.ofSeconds(60);

    /** Creates an access request (as the bot: for itself); not retried (a retry could create two). */
    public AccessRequest createAccessRequest(CreateAccessRequest ask) {
        return call("POST", url("v1", "access-requests"), ask, AccessRequest.class);
    }

    /** Withdraws a request (CANCELLED, its certificates revoked); retried on transient failures. */
    public AccessRequest cancel(RequestId id, String reason) {
        return retrying(() -> call("POST", url("v1", "access-requests", id.value(), "cancel"), new CancelAccessRequest(reason),
                AccessRequest.class));
    }

    /**
     * The long poll: the request as soon as its revision is above {@code afterRevision}, or as it is once {@code wait}
     * (at most {@link #LONGEST_WAIT}) is over. The call's timeouts are stretched by the wait, on the same pool.
     */
    public AccessRequest watch(RequestId id, long afterRevision, Duration wait) {
        Duration bounded = wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.isNegative() ? Duration.ZERO : wait;
        long seconds = Math.max(1, (bounded.toMillis() + 999) / 1000);
        HttpUrl watchUrl = url("v1", "access-requests", id.value()).newBuilder()
                .addQueryParameter("wait", seconds + "s")
                .addQueryParameter("after_revision", Long.toString(afterRevision)).build();
        OkHttpClient patient = http.newBuilder()
                .readTimeout(Duration.ofSeconds(seconds).plus(settings.callTimeout()))
                .callTimeout(Duration.ofSeconds(seconds).plus(settings.callTimeout())).build();
        return retrying(() -> call(patient, "GET", watchUrl, null, AccessRequest.class));
    }

    /** The requests this caller may see for {@code bot} in {@code state} (the server computes EXPIRED), newest first. */
    public List<AccessRequest> accessRequests(String bot, RequestState state) {
        HttpUrl listUrl = url("v1", "access-requests").newBuilder().addQueryParameter("bot", bot)
                .addQueryParameter("state", state.name()).build();
        JavaType listType = READER.getTypeFactory().constructParametricType(ItemList.class, AccessRequest.class);
        ItemList<AccessRequest> list = retrying(() -> call(http, "GET", listUrl, null, listType));
        return list.items();
    }

    /** An endpoint's URL, each segment encoded as one path segment (a checked ID holds no dot segments). */
    HttpUrl url(String... segments) {
        HttpUrl.Builder url = base.newBuilder().encodedPath("/");
        for (String segment : segments) {
            url.addPathSegment(segment);
        }
        return url.build();
    }

    private <T> T retrying(Supplier<T> call) {
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (TeleportException e) {
                boolean transientFailure = e instanceof TeleportException.UnreachableException
                        || (e instanceof AuthServerException a && a.code() == ErrorCode.UNAVAILABLE);
                if (!transientFailure || attempt >= settings.attempts()) {
                    throw e;
                }
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TeleportException.UnreachableException("interrupted while retrying a call to " + base, e);
            }
            backoff = backoff.multipliedBy(2);
        }
    }

    private <T> T call(String method, HttpUrl url, Object body, Class<T> type) {
        return call(http, method, url, body, type);
    }

    private <T> T call(OkHttpClient http, String method, HttpUrl url, Object body, Class<T> type) {
        return call(http, method, url, body, READER.getTypeFactory().constructType(type));
    }

    private <T> T call(OkHttpClient http, String method, HttpUrl url, Object body, JavaType type) {
        Request.Builder request = new Request.Builder().url(url);
        try {
            request.method(method, body == null ? null : RequestBody.create(Json.mapper().writeValueAsBytes(body), JSON));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (Response response = http.newCall(request.build()).execute()) {
            byte[] bytes = response.body() == null ? new byte[0] : response.body().bytes();
            if (!response.isSuccessful()) {
                ErrorResponse error;
                try {
                    error = READER.readValue(bytes, ErrorResponse.class);
                } catch (IOException notJson) {
                    error = null;
                }
                throw AuthServerException.fromAnswer(response.code(), error == null ? null : error.code(),
                        error == null ? null : error.message(), url.toString());
            }
            return READER.forType(type).readValue(bytes);
        } catch (SSLHandshakeException e) {
            if (String.valueOf(rootMessage(e)).contains(CaPin.MISMATCH)) {
                throw new TeleportException.CaPinMismatchException(rootMessage(e), e);
            }
            throw new TeleportException.UnreachableException("TLS handshake with " + base + " failed: " + rootMessage(e)
                    + " (is the identity expired or from another cluster?)", e);
        } catch (IOException e) {
            throw new TeleportException.UnreachableException("cannot reach the auth server at " + base + ": " + e.getMessage()
                    + " (is it running and reachable from here?)", e);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static SSLContext tls(KeyManager[] keys, TrustManager trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, new TrustManager[] {trust}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
