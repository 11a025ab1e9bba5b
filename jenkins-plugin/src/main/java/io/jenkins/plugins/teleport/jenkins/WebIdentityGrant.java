package io.jenkins.plugins.teleport.jenkins;

import io.jenkins.plugins.teleport.client.oidc.AwsWebIdentity;
import java.io.Serializable;
import java.time.Instant;

/**
 * What the agent answers once it wrote a web identity token: which role and session it is for, its ID and when it
 * expires. Never the token itself, which stays in its file on the agent. A plugin class with named fields (the agent
 * channel's class filter refuses library types).
 */
final class WebIdentityGrant implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String integration;
    private final String roleArn;
    private final String roleSessionName;
    private final String tokenId;
    private final String fetchedAt;
    private final String expires;

    WebIdentityGrant(AwsWebIdentity.Grant g) {
        this.integration = g.integration();
        this.roleArn = g.roleArn();
        this.roleSessionName = g.roleSessionName();
        this.tokenId = g.tokenId();
        this.fetchedAt = g.fetchedAt().toString();
        this.expires = g.expires().toString();
    }

    AwsWebIdentity.Grant grant() {
        return new AwsWebIdentity.Grant(integration, roleArn, roleSessionName, tokenId, Instant.parse(fetchedAt), Instant.parse(expires));
    }
}
