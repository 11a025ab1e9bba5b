package io.jenkins.plugins.teleport.auth.ca;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who a client certificate names: a user (a person) or a bot (a machine identity), and whether the certificate is
 * request-bound: one issued for access requests ({@code requestIds}), which also carries Teleport's
 * DisallowReissue mark. A request-bound identity may only read and release its own requests; it never issues. A bot
 * identity from a {@code jenkins} join also names the Jenkins job and branch it joined for ({@code jenkins}).
 */
public record ClientIdentity(Type type, String name, List<String> requestIds, boolean disallowReissue, Optional<Jenkins> jenkins) {

    /** The build a bot joined for through Jenkins: the job's full name and the branch (empty when not multibranch). */
    public record Jenkins(String job, String branch) {}

    /** The two kinds of callers. */
    public enum Type {
        USER, BOT;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    public ClientIdentity {
        requestIds = List.copyOf(requestIds);
    }

    public static ClientIdentity user(String name) {
        return new ClientIdentity(Type.USER, name, List.of(), false, Optional.empty());
    }

    public static ClientIdentity bot(String name) {
        return new ClientIdentity(Type.BOT, name, List.of(), false, Optional.empty());
    }

    /** A bot that joined through Jenkins for one job and branch. */
    public static ClientIdentity jenkinsBot(String name, Jenkins build) {
        return new ClientIdentity(Type.BOT, name, List.of(), false, Optional.of(build));
    }

    /** Reads the identity from a client certificate this cluster's CA issued; empty if it names none. */
    public static Optional<ClientIdentity> of(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        Optional<String> cn = first(subject, BCStyle.CN);
        Optional<String> ou = first(subject, BCStyle.OU);
        if (cn.isEmpty() || ou.isEmpty()) {
            return Optional.empty();
        }
        List<String> requests = values(subject, CertificateAuthority.ACCESS_REQUESTS);
        boolean disallowReissue = !values(subject, CertificateAuthority.DISALLOW_REISSUE).isEmpty();
        Optional<Jenkins> jenkins = first(subject, CertificateAuthority.JENKINS_JOB)
                .map(job -> new Jenkins(job, first(subject, CertificateAuthority.JENKINS_BRANCH).orElse("")));
        return switch (ou.get()) {
            case "user" -> Optional.of(new ClientIdentity(Type.USER, cn.get(), requests, disallowReissue, Optional.empty()));
            case "bot" -> Optional.of(new ClientIdentity(Type.BOT, cn.get(), requests, disallowReissue, jenkins));
            default -> Optional.empty();
        };
    }

    /** The access request IDs a request-bound certificate carries (subject attributes of OID 1.3.9999.2.8). */
    public static List<String> requestIds(X509Certificate cert) {
        return values(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()), CertificateAuthority.ACCESS_REQUESTS);
    }

    /** Whether the certificate was issued for access requests: it may then read and release only those. */
    public boolean isRequestBound() {
        return disallowReissue || !requestIds.isEmpty();
    }

    /** The identity without its request binding: who it is, as the store names holders. */
    public ClientIdentity unbound() {
        return new ClientIdentity(type, name, List.of(), false, Optional.empty());
    }

    /** How issued certificates name their subject in the store: {@code user:alice}, {@code bot:jenkins-deploy}. */
    public String subject() {
        return type.wireName() + ":" + name;
    }

    private static Optional<String> first(X500Name name, ASN1ObjectIdentifier oid) {
        RDN[] rdns = name.getRDNs(oid);
        return rdns.length == 0 ? Optional.empty() : Optional.of(IETFUtils.valueToString(rdns[0].getFirst().getValue()));
    }

    private static List<String> values(X500Name name, ASN1ObjectIdentifier oid) {
        return Arrays.stream(name.getRDNs(oid)).map(rdn -> IETFUtils.valueToString(rdn.getFirst().getValue())).toList();
    }

    @Override
    public String toString() {
        return type.wireName() + " '" + name + "'" + (isRequestBound()
                ? " (request-bound to " + (requestIds.isEmpty() ? "no request" : String.join(", ", requestIds)) + ")" : "");
    }
}
