package io.jenkins.plugins.teleport.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.console.LineTransformationOutputStream;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Masks private keys and tokens in the build log, by shape and by value: every line of a PEM or OpenSSH private key
 * block, from its BEGIN line to its END line, becomes {@code ****}; so does every occurrence of a line of the block's
 * own key files ({@link SecretLines}: digests only, so the filter holds no secret and can be saved with the build's
 * program); and so does anything shaped like a signed JWT (the block's AWS web identity tokens, refreshed on the agent
 * where the controller never sees them, so masked by shape).
 * Lines are read in the run's charset, taken when the block starts (Pipeline may pass no build here).
 */
public final class PrivateKeyMaskingFilter extends ConsoleLogFilter implements Serializable {
    private static final long serialVersionUID = 2L;

    static final String MASK = "****";
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----");
    private static final Pattern END = Pattern.compile("-----END ([A-Z0-9 ]+ )?PRIVATE KEY-----");
    /** A JWS in compact form: a base64url JSON header ({@code eyJ} is {@code {"}), a payload and a signature. */
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{16,}");

    /**
     * The secret lines of freestyle builds whose keys exist, by build ID: their log decorator is made before the keys,
     * so it reads them from here ({@link #keysMade}, {@link #keysGone}). In memory only, like the build itself.
     */
    private static final Map<String, SecretLines> LATER = new ConcurrentHashMap<>();

    private final SecretLines secrets;
    private final String charsetName;
    /** For a freestyle build: the build whose {@link #LATER} lines to use; null when {@link #secrets} are known. */
    private final String laterFor;

    PrivateKeyMaskingFilter(SecretLines secrets, Charset charset) {
        this(secrets, charset, null);
    }

    private PrivateKeyMaskingFilter(SecretLines secrets, Charset charset, String laterFor) {
        this.secrets = secrets;
        this.charsetName = charset.name();
        this.laterFor = laterFor;
    }

    /**
     * The freestyle log decorator, made before any key exists: by shape from the start, and by value from the moment
     * the build wrapper has made the keys ({@link #keysMade}) until its end ({@link #keysGone}).
     */
    static PrivateKeyMaskingFilter later(Run<?, ?> build, Charset charset) {
        return new PrivateKeyMaskingFilter(SecretLines.none(), charset, build.getExternalizableId());
    }

    /** The keys of {@code build}'s block exist: its {@link #later} filter masks their lines from now on. */
    static void keysMade(Run<?, ?> build, PrivateKeyMaskingFilter opened) {
        LATER.put(build.getExternalizableId(), opened.secrets);
    }

    /** The block of {@code build} has ended (its keys deleted, its certificates revoked). */
    static void keysGone(Run<?, ?> build) {
        LATER.remove(build.getExternalizableId());
    }

    /** How many freestyle builds have keys now (what {@link #LATER} holds). */
    static int buildsWithKeys() {
        return LATER.size();
    }

    private SecretLines secrets() {
        if (laterFor != null) {
            return LATER.getOrDefault(laterFor, SecretLines.none());
        }
        return secrets == null ? SecretLines.none() : secrets;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public OutputStream decorateLogger(Run build, OutputStream logger) {
        return new Masking(logger, this::secrets, Charset.forName(charsetName));
    }

    /** {@code text} as this filter would print it (for exception messages, which do not pass through the log stream). */
    String mask(String text) {
        StringBuilder out = new StringBuilder();
        Masking m = new Masking(OutputStream.nullOutputStream(), this::secrets, Charset.forName(charsetName));
        for (String line : text.split("(?<=\n)")) {
            out.append(m.maskLine(line));
        }
        return out.toString();
    }

    /** The line filter; a key block spans lines, so it remembers whether it is inside one. */
    static final class Masking extends LineTransformationOutputStream.Delegating {
        private final Supplier<SecretLines> source;
        private final Charset charset;
        private boolean inside;

        Masking(OutputStream out, Supplier<SecretLines> source, Charset charset) {
            super(out);
            this.source = source;
            this.charset = charset;
        }

        @Override
        protected void eol(byte[] b, int len) throws IOException {
            String line = new String(b, 0, len, charset);
            String masked = maskLine(line);
            if (masked.equals(line)) {
                out.write(b, 0, len);
            } else {
                out.write(masked.getBytes(charset));
            }
        }

        String maskLine(String line) {
            return JWT.matcher(maskKeys(line)).replaceAll(MASK);
        }

        private String maskKeys(String line) {
            SecretLines secrets = source.get();
            var begin = BEGIN.matcher(line);
            if (!inside && begin.find()) {
                inside = true;
                String before = secrets.mask(line.substring(0, begin.start()), MASK);
                var endOnSameLine = END.matcher(line);
                if (endOnSameLine.find(begin.end())) {
                    inside = false;
                    return before + MASK + secrets.mask(line.substring(endOnSameLine.end()), MASK);
                }
                return before + MASK + eolOf(line);
            }
            if (inside) {
                var end = END.matcher(line);
                if (end.find()) {
                    inside = false;
                    return MASK + secrets.mask(line.substring(end.end()), MASK);
                }
                return MASK + eolOf(line);
            }
            return secrets.mask(line, MASK);
        }

        private static String eolOf(String line) {
            return line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
        }
    }
}
