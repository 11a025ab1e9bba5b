package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The client certificate of one call, turned into a caller on first use (so unauthenticated endpoints never look
 * at certificates), and admitted only where its kind of identity may act: a request-bound identity only for
 * its own request.
 */
public final class Caller {

    private final Optional<X509Certificate> certificate;
    private final Authenticator authenticator;
    private final String method;
    private final String path;
    private ClientIdentity authenticated;

    public Caller(Optional<X509Certificate> certificate, Authenticator authenticator, String method, String path) {
        this.certificate = certificate;
        this.authenticator = authenticator;
        this.method = method;
        this.path = path;
    }

    /**
     * The authenticated caller; a request-bound identity is admitted only when {@code ownRequest} is one of its
     * requests (else {@code access_denied}, audited).
     */
    public ClientIdentity resolve(Optional<String> ownRequest) {
        return authenticator.admit(authenticated(certificate), ownRequest, method, path);
    }

    /** The authenticated caller, a request-bound identity admitted for the request it is bound to. */
    public ClientIdentity resolveForOwnRequest() {
        ClientIdentity who = authenticated(certificate);
        return authenticator.admit(who, who.requestIds().stream().findFirst(), method, path);
    }

    private ClientIdentity authenticated(Optional<X509Certificate> cert) {
        if (authenticated == null) {
            authenticated = authenticator.authenticate(cert.orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                    "this call needs a client certificate issued by this cluster: use an identity file (tctl --identity)")));
        }
        return authenticated;
    }

    /** The client certificate the call presented, if any (checked by TLS; see {@link #resolve} for the rest). */
    public Optional<X509Certificate> certificate() {
        return certificate;
    }

    /** Whether the call presented a client certificate at all. */
    public boolean presented() {
        return certificate.isPresent();
    }

    /** The caller if it has been authenticated during the call, for the access log. */
    public Optional<ClientIdentity> authenticated() {
        return Optional.ofNullable(authenticated);
    }
}
