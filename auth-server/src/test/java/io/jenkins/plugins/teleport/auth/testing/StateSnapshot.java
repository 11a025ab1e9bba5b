package io.jenkins.plugins.teleport.auth.testing;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.SshCertificateAuthority;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything a call could change in the store, as text: every resource of every kind (with its revision), the number
 * of audit events, the CA rows and the counts of live certificates. Two equal snapshots mean nothing was written.
 */
public record StateSnapshot(List<String> resources, int auditEvents, List<String> authorities, String liveCertificates) {

    public static StateSnapshot of(Store store) {
        return store.read(tx -> {
            List<String> resources = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                for (var r : tx.list(kind.type())) {
                    try {
                        resources.add(Json.mapper().writeValueAsString(r));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            List<String> authorities = new ArrayList<>();
            for (String name : List.of(CertificateAuthority.NAME, SshCertificateAuthority.NAME)) {
                tx.authority(name).ifPresent(a -> authorities.add(name + "=" + a.publicPart() + a.privateKey()));
            }
            int events = tx.events(Optional.empty(), Optional.empty(), Optional.empty(), Integer.MAX_VALUE).size();
            // Counted from the epoch, every certificate recorded and not revoked: an issuance or a revocation changes it.
            return new StateSnapshot(resources, events, authorities, tx.liveCertificateCounts(Instant.EPOCH).toString());
        });
    }
}
