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

/** Who a client certificate names: a user (a person) or a bot (a machine identity). */
public record ClientIdentity(Type type, String name) {

    /** The two kinds of callers. */
    public enum Type {
        USER, BOT;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    public static ClientIdentity user(String name) {
        return new ClientIdentity(Type.USER, name);
    }

    public static ClientIdentity bot(String name) {
        return new ClientIdentity(Type.BOT, name);
    }

    /** Reads the identity from a client certificate this cluster's CA issued; empty if it names none. */
    public static Optional<ClientIdentity> of(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        Optional<String> cn = first(subject, BCStyle.CN);
        Optional<String> ou = first(subject, BCStyle.OU);
        if (cn.isEmpty() || ou.isEmpty()) {
            return Optional.empty();
        }
        return switch (ou.get()) {
            case "user" -> Optional.of(user(cn.get()));
            case "bot" -> Optional.of(bot(cn.get()));
            default -> Optional.empty();
        };
    }

    /** The access request IDs a request-bound certificate carries (subject attributes of OID 1.3.9999.2.8). */
    public static List<String> requestIds(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        return Arrays.stream(subject.getRDNs(new ASN1ObjectIdentifier(CertificateAuthority.ACCESS_REQUESTS_OID)))
                .map(rdn -> IETFUtils.valueToString(rdn.getFirst().getValue())).toList();
    }

    /** How issued certificates name their subject in the store: {@code user:alice}, {@code bot:jenkins-deploy}. */
    public String subject() {
        return type.wireName() + ":" + name;
    }

    private static Optional<String> first(X500Name name, ASN1ObjectIdentifier oid) {
        RDN[] rdns = name.getRDNs(oid);
        return rdns.length == 0 ? Optional.empty() : Optional.of(IETFUtils.valueToString(rdns[0].getFirst().getValue()));
    }

    @Override
    public String toString() {
        return type.wireName() + " '" + name + "'";
    }
}
