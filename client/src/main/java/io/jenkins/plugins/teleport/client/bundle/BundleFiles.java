package io.jenkins.plugins.teleport.client.bundle;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a written bundle's files are, and the environment variables that point at them. */
public record BundleFiles(Path dir, String requestId, String bot, String validBefore) {

    public static final String SSH_KEY = "id_ed25519";
    public static final String SSH_PUBLIC_KEY = "id_ed25519.pub";
    public static final String SSH_CERT = "id_ed25519-cert.pub";
    public static final String SSH_CONFIG = "ssh_config";
    public static final String TLS_KEY = "tls.key";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_CA = "tls-ca.crt";
    public static final String IDENTITY = "identity";
    public static final String REQUEST_JSON = "request.json";

    public Path file(String name) {
        return dir.resolve(name);
    }

    /**
     * The variables a command inside the scope sees (the same names in the command-line runner and the Jenkins
     * step): paths only, never key material.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TELEPORT_IDENTITY_DIR", dir.toString());
        env.put("TELEPORT_IDENTITY_FILE", file(IDENTITY).toString());
        env.put("TELEPORT_SSH_CONFIG", file(SSH_CONFIG).toString());
        env.put("TELEPORT_SSH_KEY", file(SSH_KEY).toString());
        env.put("TELEPORT_SSH_CERT", file(SSH_CERT).toString());
        env.put("TELEPORT_TLS_KEY", file(TLS_KEY).toString());
        env.put("TELEPORT_TLS_CERT", file(TLS_CERT).toString());
        env.put("TELEPORT_TLS_CA", file(TLS_CA).toString());
        env.put("TELEPORT_ACCESS_REQUEST_ID", requestId);
        env.put("TELEPORT_BOT", bot);
        env.put("TELEPORT_CERT_VALID_BEFORE", validBefore);
        return env;
    }
}
