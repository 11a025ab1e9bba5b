package io.jenkins.plugins.teleport.auth.resources;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Integration;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.ReviewRule;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.join.JenkinsJoin;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.requests.ThresholdFilter;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Create, read, replace and delete of the plain resources (roles, users, bots), guarded by role rules. Every change
 * is audited in its own transaction ({@code role.created}, {@code user.update}, {@code bot.delete}, ... as Teleport
 * names them), with who made it.
 */
public final class ResourceService {

    /** Names of resources: letters, digits and {@code . _ @ -}, starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private final Store store;
    private final AuditLog audit;

    public ResourceService(Store store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
    }

    public List<? extends Resource> list(ClientIdentity caller, Kind kind) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.LIST);
            return tx.list(kind.type());
        });
    }

    public Resource get(ClientIdentity caller, Kind kind, String name) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.READ);
            return tx.get(kind.type(), name).orElseThrow(() -> notFound(kind, name));
        });
    }

    /** Creates a resource; {@code already_exists} if its name is taken. */
    public Resource create(ClientIdentity caller, Resource resource) {
        return store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, resource.kind(), Verb.CREATE);
            validate(tx, resource);
            Resource created = tx.create(resource.withMetadata(resource.metadata().withRevision(0)));
            recordChange(tx, caller, created, Change.CREATE);
            return created;
        });
    }

    /**
     * Creates or replaces a resource. With {@code metadata.revision} set, the replace happens only if the stored
     * revision is still that one (compare-and-swap); without it, the stored resource is replaced whatever its revision.
     */
    public Resource put(ClientIdentity caller, Resource resource) {
        return store.write(tx -> {
            Optional<? extends Resource> existing = tx.get(Kind.fromWireName(resource.kind()).orElseThrow().type(), resource.name());
            Access.require(Access.rolesOf(tx, caller), caller, resource.kind(), existing.isPresent() ? Verb.UPDATE : Verb.CREATE);
            validate(tx, resource);
            if (existing.isEmpty()) {
                if (resource.metadata().revision() != 0) {
                    throw notFound(Kind.fromWireName(resource.kind()).orElseThrow(), resource.name());
                }
                Resource created = tx.create(resource);
                recordChange(tx, caller, created, Change.CREATE);
                return created;
            }
            long revision = resource.metadata().revision() != 0 ? resource.metadata().revision() : existing.get().metadata().revision();
            Resource updated = tx.update(resource.withMetadata(resource.metadata().withRevision(revision)));
            recordChange(tx, caller, updated, Change.UPDATE);
            return updated;
        });
    }

    public void delete(ClientIdentity caller, Kind kind, String name) {
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.DELETE);
            Resource gone = tx.get(kind.type(), name).orElseThrow(() -> notFound(kind, name));
            tx.delete(kind.type(), name);
            if (kind == Kind.USER) {
                // A user made again with this name starts without the deleted one's password, authenticator or sessions.
                tx.webAccounts().forgetUser(name);
            }
            recordChange(tx, caller, gone, Change.DELETE);
            return null;
        });
    }

    private enum Change { CREATE, UPDATE, DELETE }

    private void recordChange(Tx tx, ClientIdentity caller, Resource resource, Change change) {
        AuditEventType type = switch (Kind.fromWireName(resource.kind()).orElseThrow()) {
            case ROLE -> change == Change.CREATE ? AuditEventType.ROLE_CREATED
                    : change == Change.UPDATE ? AuditEventType.ROLE_UPDATED : AuditEventType.ROLE_DELETED;
            case USER -> change == Change.CREATE ? AuditEventType.USER_CREATE
                    : change == Change.UPDATE ? AuditEventType.USER_UPDATE : AuditEventType.USER_DELETE;
            case BOT -> change == Change.CREATE ? AuditEventType.BOT_CREATE
                    : change == Change.UPDATE ? AuditEventType.BOT_UPDATE : AuditEventType.BOT_DELETE;
            case INTEGRATION -> change == Change.CREATE ? AuditEventType.INTEGRATION_CREATE
                    : change == Change.UPDATE ? AuditEventType.INTEGRATION_UPDATE : AuditEventType.INTEGRATION_DELETE;
            case TOKEN -> change == Change.DELETE ? AuditEventType.JOIN_TOKEN_DELETE : AuditEventType.JOIN_TOKEN_CREATE;
            case REVIEW_RULE -> change == Change.CREATE ? AuditEventType.REVIEW_RULE_CREATE
                    : change == Change.UPDATE ? AuditEventType.REVIEW_RULE_UPDATE : AuditEventType.REVIEW_RULE_DELETE;
            default -> throw new IllegalArgumentException("no audit event for changes of " + resource.kind());
        };
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", resource.kind());
        fields.put("name", resource.name());
        if (change != Change.DELETE) {
            fields.put("revision", resource.metadata().revision());
        }
        if (resource instanceof User u) {
            fields.put("roles", u.spec().roles());
        } else if (resource instanceof Bot b) {
            fields.put("roles", b.spec().roles());
        } else if (resource instanceof Integration i) {
            fields.put("role_arn", i.spec().awsOidc().roleArn());
        } else if (resource instanceof Token t) {
            fields.put("bot", t.spec().botName());
            fields.put("join_method", t.spec().joinMethod().wire());
        }
        audit.record(tx, type, caller.name(), Optional.empty(), fields);
    }

    /** Checks a resource before it is written: its name, kind, version, and that the roles it names exist. */
    public static void validate(Tx tx, Resource resource) {
        Kind kind = Kind.fromWireName(resource.kind()).orElseThrow(() -> bad("unknown kind '" + resource.kind() + "'"));
        if (!resource.version().equals(kind.version())) {
            throw bad(kind.wireName() + " '" + resource.name() + "' has version '" + resource.version()
                    + "': this server reads version " + kind.version());
        }
        if (!NAME.matcher(resource.name()).matches()) {
            throw bad("invalid name '" + resource.name() + "': use letters, digits and . _ @ - (at most 128), starting "
                    + "with a letter or digit");
        }
        if (resource instanceof Role role) {
            List<Optional<java.time.Duration>> durations = List.of(role.spec().options().maxSessionTtl(),
                    role.spec().allow().request().maxDuration(), role.spec().deny().request().maxDuration());
            if (durations.stream().flatMap(Optional::stream).anyMatch(d -> d.isNegative() || d.isZero())) {
                throw bad("role '" + role.name() + "': durations (max_duration, max_session_ttl) must be positive, e.g. 2h");
            }
            for (Role.Conditions side : List.of(role.spec().allow(), role.spec().deny())) {
                for (Threshold t : side.request().thresholds()) {
                    try {
                        ThresholdFilter.parse(t.filter());
                    } catch (ThresholdFilter.InvalidFilterException e) {
                        throw bad("role '" + role.name() + "': threshold '" + t.name() + "' filter " + e.getMessage()
                                + " (filters use contains(reviewer.roles, \"cab\"), equals(a, b), &&, ||, !, parentheses "
                                + "and \"strings\", over reviewer.roles, reviewer.name, request.roles, request.reason, request.bot)");
                    }
                }
            }
        }
        if (resource instanceof Integration integration) {
            validateIntegration(integration);
        }
        if (resource instanceof Token token) {
            validateJenkinsToken(tx, token);
        }
        if (resource instanceof ReviewRule rule) {
            validateReviewRule(rule);
        }
        List<String> roles = resource instanceof User u ? u.spec().roles()
                : resource instanceof Bot b ? b.spec().roles() : List.of();
        for (String role : roles) {
            if (tx.get(Role.class, role).isEmpty()) {
                throw bad(kind.wireName() + " '" + resource.name() + "' names role '" + role
                        + "', which does not exist: create the role first");
            }
        }
    }

    /** An IAM role ARN: {@code arn:<partition>:iam::<12-digit account>:role/<path and name>}. */
    static final Pattern ROLE_ARN = Pattern.compile("arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}");

    private static void validateIntegration(Integration integration) {
        if (!integration.subKind().equals(Integration.AWS_OIDC)) {
            throw bad("integration '" + integration.name() + "' has sub_kind '" + integration.subKind()
                    + "': this server supports aws-oidc");
        }
        String arn = integration.spec().awsOidc().roleArn();
        if (!ROLE_ARN.matcher(arn).matches()) {
            throw bad("integration '" + integration.name() + "': spec.aws_oidc.role_arn '" + arn + "' is not an IAM role ARN "
                    + "such as arn:aws:iam::123456789012:role/deploy");
        }
        String audience = integration.spec().awsOidc().audience();
        if (audience.length() > 256 || audience.chars().anyMatch(Character::isWhitespace)) {
            throw bad("integration '" + integration.name() + "': audience must be one word of at most 256 characters");
        }
    }

    /**
     * A token written as a resource is a {@code jenkins} one: its issuer, exactly one of {@code jwks_uri} and
     * {@code static_jwks}, and allow rules. Tokens with a secret are made by {@code POST /v1/tokens}, which shows the
     * secret once.
     */
    private static void validateJenkinsToken(Tx tx, Token token) {
        Token.Spec spec = token.spec();
        if (spec.joinMethod() != Token.JoinMethod.JENKINS) {
            throw bad("token '" + token.name() + "': spec.join_method is " + spec.joinMethod().wire() + ", but tokens with a "
                    + "secret are made with 'tctl tokens add' (POST /v1/tokens), which shows it once; written resources are "
                    + "jenkins tokens (spec.join_method: jenkins)");
        }
        if (spec.botName().isEmpty()) {
            throw bad("token '" + token.name() + "': name the bot that joins with it (spec.bot_name)");
        }
        if (tx.get(Bot.class, spec.botName()).isEmpty()) {
            throw bad("token '" + token.name() + "' is for bot '" + spec.botName() + "', which does not exist: create the bot first");
        }
        Token.Jenkins j = spec.jenkins().orElseThrow(() -> bad("token '" + token.name() + "': a jenkins token needs spec.jenkins"));
        if (!JenkinsJoin.isIssuerUrl(j.issuer())) {
            throw bad("token '" + token.name() + "': spec.jenkins.issuer must be the Jenkins URL the ID tokens name in iss, "
                    + "https (http only for localhost), e.g. https://jenkins.example.com/teleport-oidc");
        }
        if (j.jwksUri().isEmpty() == j.staticJwks().isEmpty()) {
            throw bad("token '" + token.name() + "': set exactly one of spec.jenkins.jwks_uri and spec.jenkins.static_jwks");
        }
        if (!j.jwksUri().isEmpty() && !JenkinsJoin.isIssuerUrl(j.jwksUri())) {
            throw bad("token '" + token.name() + "': spec.jenkins.jwks_uri must be an https URL (http only for localhost)");
        }
        if (!j.staticJwks().isEmpty()) {
            JenkinsJoin.parseStaticJwks(j.staticJwks()).orElseThrow(() ->
                    bad("token '" + token.name() + "': spec.jenkins.static_jwks is not a JWKS document with public keys"));
        }
        if (j.allow().isEmpty() || j.allow().stream().anyMatch(r -> r.job().isEmpty() && r.branch().isEmpty())) {
            throw bad("token '" + token.name() + "': spec.jenkins.allow needs at least one rule, each naming a job and/or a "
                    + "branch (globs), e.g. {job: \"deploy/*\", branch: main}");
        }
    }

    private static void validateReviewRule(ReviewRule rule) {
        if (rule.spec().roles().isEmpty()) {
            throw bad("review_rule '" + rule.name() + "': name the roles it applies to (spec.roles, globs)");
        }
        if (rule.spec().decision() == null) {
            throw bad("review_rule '" + rule.name() + "': spec.decision must be APPROVED or DENIED");
        }
        try {
            ThresholdFilter.parseCondition(rule.spec().condition());
        } catch (ThresholdFilter.InvalidFilterException e) {
            throw bad("review_rule '" + rule.name() + "': condition " + e.getMessage());
        }
        if (rule.spec().reason().length() > 4096) {
            throw bad("review_rule '" + rule.name() + "': reason is longer than 4096 characters");
        }
    }

    private static ApiException notFound(Kind kind, String name) {
        return new ApiException(ErrorCode.NOT_FOUND, kind.wireName() + " '" + name + "' does not exist");
    }

    private static ApiException bad(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }
}
