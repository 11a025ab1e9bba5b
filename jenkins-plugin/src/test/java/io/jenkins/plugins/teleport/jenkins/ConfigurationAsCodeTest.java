package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import hudson.util.Secret;
import io.jenkins.plugins.teleport.api.Json;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * Configuration as Code binds YAML to {@code @DataBoundConstructor} parameters (by name, hence -parameters) and
 * {@code @DataBoundSetter}s under each descriptor's {@code @Symbol}. This test binds the README's JCasC example the
 * same way, reads it back through the getters, and compares: the documented YAML round-trips.
 */
class ConfigurationAsCodeTest {

    static final String README_YAML = """
            security:
              teleportAccessRequest:
                servers:
                  - name: prod
                    url: https://auth.example.com:3025
                    caPin: sha256:5f3c1e0a9d8b7c6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa9988
                    credentialsId: jenkins-deploy-bot
                    defaultTtl: 30m
                    maxTtl: 2h
            credentials:
              system:
                domainCredentials:
                  - credentials:
                      - teleportBot:
                          scope: GLOBAL
                          id: jenkins-deploy-bot
                          description: Jenkins deploy bot
                          botName: jenkins-deploy
                          token: "secret-join-token"
                      - teleportBot:
                          scope: GLOBAL
                          id: jenkins-deploy-oidc
                          description: Jenkins deploy bot, no secret
                          botName: jenkins-deploy
                          joinMethod: jenkins
                          tokenName: jenkins-prod
            """;

    @Test
    void theReadmeExampleBindsAndRoundTrips() throws Exception {
        Map<String, Object> root = Json.yaml().readValue(README_YAML, Map.class);
        Map<String, Object> global = applyGlobal(root);
        assertEquals(global, export(TeleportGlobalConfiguration.get(), List.of("servers")), "the global configuration round-trips");

        List<?> domains = (List<?>) child(child(root, "credentials"), "system").get("domainCredentials");
        List<?> credentialsList = (List<?>) cast(domains.get(0)).get("credentials");
        Map<String, Object> bot = child(cast(credentialsList.get(0)), symbolOf(TeleportBotCredentials.DescriptorImpl.class));
        TeleportBotCredentials credentials = bind(TeleportBotCredentials.class, bot);
        assertEquals("jenkins-deploy", credentials.getBotName());
        assertEquals("secret-join-token", credentials.getToken().getPlainText());
        assertEquals(CredentialsScope.GLOBAL, credentials.getScope());
        assertEquals("jenkins-deploy-bot", credentials.getId());
        assertEquals("Jenkins deploy bot", credentials.getDescription());
        assertEquals(TeleportBotCredentials.JoinMethod.TOKEN, credentials.joinMethod(), "token unless said otherwise");

        Map<String, Object> noSecret = child(cast(credentialsList.get(1)), symbolOf(TeleportBotCredentials.DescriptorImpl.class));
        TeleportBotCredentials jenkins = bind(TeleportBotCredentials.class, noSecret);
        assertEquals(TeleportBotCredentials.JoinMethod.JENKINS, jenkins.joinMethod());
        assertEquals("jenkins", jenkins.getJoinMethod());
        assertEquals("jenkins-prod", jenkins.getTokenName());
        assertEquals("", jenkins.getToken().getPlainText(), "no secret at all");
    }

    /** Applies the {@code security.teleportAccessRequest} part of a JCasC document to the one global configuration. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> applyGlobal(Object root) throws Exception {
        Map<String, Object> global = child(child((Map<String, Object>) root, "security"), symbolOf(TeleportGlobalConfiguration.class));
        List<TeleportServer> servers = new ArrayList<>();
        for (Object entry : (List<?>) global.get("servers")) {
            servers.add(bind(TeleportServer.class, cast(entry)));
        }
        TeleportGlobalConfiguration.get().setServers(servers);
        return global;
    }

    @Test
    void theSymbolsAreTheDocumentedNames() {
        assertEquals("teleportAccessRequest", symbolOf(TeleportGlobalConfiguration.class));
        assertEquals("teleportBot", symbolOf(TeleportBotCredentials.DescriptorImpl.class));
        assertEquals("withTeleportAccessRequest", new TeleportAccessRequestStep.DescriptorImpl().getFunctionName());
    }

    @Test
    void constructorParameterNamesAreInTheClassFiles() {
        for (Class<?> type : List.of(TeleportServer.class, TeleportBotCredentials.class, TeleportAccessRequestStep.class,
                TeleportAccessRequestBuildWrapper.class)) {
            Constructor<?> c = dataBoundConstructor(type);
            assertTrue(Arrays.stream(c.getParameters()).allMatch(Parameter::isNamePresent), type + " compiled with -parameters");
        }
    }

    static String symbolOf(Class<?> type) {
        Symbol symbol = type.getAnnotation(Symbol.class);
        assertNotNull(symbol, type + " has @Symbol");
        return symbol.value()[0];
    }

    /** Binds a YAML map the way Configuration as Code does: constructor parameters by name, then setters. */
    static <T> T bind(Class<T> type, Map<String, Object> values) throws Exception {
        Constructor<?> c = dataBoundConstructor(type);
        Object[] args = new Object[c.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            Parameter p = c.getParameters()[i];
            args[i] = convert(p.getType(), values.get(p.getName()));
        }
        T instance = type.cast(c.newInstance(args));
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(DataBoundSetter.class)) {
                String property = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                if (values.containsKey(property)) {
                    m.invoke(instance, convert(m.getParameterTypes()[0], values.get(property)));
                }
            }
        }
        return instance;
    }

    /** Reads properties back through their getters, as an export would. */
    static Map<String, Object> export(Object o, List<String> properties) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String property : properties) {
            Object value = o.getClass().getMethod("get" + Character.toUpperCase(property.charAt(0)) + property.substring(1)).invoke(o);
            if (value instanceof List<?> list) {
                List<Object> items = new ArrayList<>();
                for (Object item : list) {
                    items.add(export(item, List.of("name", "url", "caPin", "credentialsId", "defaultTtl", "maxTtl")));
                }
                value = items;
            }
            out.put(property, value);
        }
        return out;
    }

    private static Constructor<?> dataBoundConstructor(Class<?> type) {
        return Arrays.stream(type.getConstructors()).filter(x -> x.isAnnotationPresent(DataBoundConstructor.class)).findFirst()
                .orElseThrow(() -> new AssertionError(type + " has no @DataBoundConstructor"));
    }

    private static Object convert(Class<?> type, Object value) {
        if (value == null) {
            return null;
        }
        if (type == Secret.class) {
            return Secret.fromString(value.toString());
        }
        if (type == CredentialsScope.class) {
            return CredentialsScope.valueOf(value.toString());
        }
        return value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> child(Map<String, Object> map, String key) {
        return cast(map.get(key));
    }
}
