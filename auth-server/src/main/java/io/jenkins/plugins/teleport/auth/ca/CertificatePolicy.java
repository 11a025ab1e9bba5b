package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/** The one place that decides what a request-bound certificate says: its lifetime, its SSH principals and permissions. */
public final class CertificatePolicy {

    /** The lifetime asked for when a client names none. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** Certificates are valid from this long before issuance, for clock skew. */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    private CertificatePolicy() {}

    /**
     * When the certificate stops being valid: the earliest of the requested lifetime, the end of the request's
     * access, the roles' {@code max_session_ttl}, and the server's cap.
     */
    public static Instant notAfter(Instant now, Optional<Duration> requested, Instant accessEnds, List<Role> roles,
                                   Duration serverCap) {
        Duration ttl = requested.orElse(DEFAULT_TTL);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ttl must be positive, e.g. 30m");
        }
        Instant end = min(now.plus(ttl), min(accessEnds, now.plus(serverCap)));
        for (Role role : roles) {
            Optional<Duration> max = role.spec().options().maxSessionTtl();
            if (max.isPresent()) {
                end = min(end, now.plus(max.get()));
            }
        }
        return end;
    }

    /**
     * The SSH principals: the logins the roles allow, less those any denies. With none, a principal that matches
     * no account, because OpenSSH reads an empty principal list as "any user".
     */
    public static List<String> principals(List<Role> roles) {
        TreeSet<String> logins = new TreeSet<>();
        roles.forEach(r -> logins.addAll(r.spec().allow().logins()));
        roles.forEach(r -> r.spec().deny().logins().forEach(logins::remove));
        return logins.isEmpty() ? List.of("-teleport-nologin-" + UUID.randomUUID()) : List.copyOf(logins);
    }

    /**
     * The {@code permit-*} extensions of a request-bound SSH certificate, from the requested roles' options as
     * Teleport's {@code RoleSet.CanForwardAgents}, {@code CanPortForward} and {@code PermitX11Forwarding} decide them
     * (any requested role that sets an option grants it): {@code permit-pty} always (Teleport's user certificates
     * always carry it), agent, port and X11 forwarding only when a role grants them. Teleport lets port forwarding
     * default to on; here it defaults to off (docs/resources.md says why). {@code permit-user-rc} is never granted.
     */
    public static Map<String, String> permits(List<Role> requestedRoles) {
        Map<String, String> out = new TreeMap<>();
        out.put("permit-pty", "");
        if (requestedRoles.stream().anyMatch(r -> r.spec().options().forwardAgent())) {
            out.put("permit-agent-forwarding", "");
        }
        if (requestedRoles.stream().anyMatch(r -> r.spec().options().portForwarding())) {
            out.put("permit-port-forwarding", "");
        }
        if (requestedRoles.stream().anyMatch(r -> r.spec().options().permitX11Forwarding())) {
            out.put("permit-X11-forwarding", "");
        }
        return out;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
