package io.jenkins.plugins.teleport.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.console.LineTransformationOutputStream;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.regex.Pattern;

/**
 * Masks private keys in the build log, by shape and by value: every line of a PEM or OpenSSH private key block, from
 * its BEGIN line to its END line, becomes {@code ****}; and so does every occurrence of a line of the block's own key
 * files ({@link SecretLines}: digests only, so the filter holds no secret and can be saved with the build's program).
 * Lines are read in the run's charset, taken when the block starts (Pipeline may pass no build here).
 */
public final class PrivateKeyMaskingFilter extends ConsoleLogFilter implements Serializable {
    private static final long serialVersionUID = 2L;

    static final String MASK = "****";
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----");
    private static final Pattern END = Pattern.compile("-----END ([A-Z0-9 ]+ )?PRIVATE KEY-----");

    private final SecretLines secrets;
    private final String charsetName;

    PrivateKeyMaskingFilter(SecretLines secrets, Charset charset) {
        this.secrets = secrets;
        this.charsetName = charset.name();
    }

    /** Masking by shape only (the freestyle log decorator, made before any key exists). */
    PrivateKeyMaskingFilter(Charset charset) {
        this(SecretLines.none(), charset);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public OutputStream decorateLogger(Run build, OutputStream logger) {
        return new Masking(logger, secrets == null ? SecretLines.none() : secrets, Charset.forName(charsetName));
    }

    /** {@code text} as this filter would print it (for exception messages, which do not pass through the log stream). */
    String mask(String text) {
        StringBuilder out = new StringBuilder();
        Masking m = new Masking(OutputStream.nullOutputStream(), secrets == null ? SecretLines.none() : secrets,
                Charset.forName(charsetName));
        for (String line : text.split("(?<=\n)")) {
            out.append(m.maskLine(line));
        }
        return out.toString();
    }

    /** The line filter; a key block spans lines, so it remembers whether it is inside one. */
    static final class Masking extends LineTransformationOutputStream.Delegating {
        private final SecretLines secrets;
        private final Charset charset;
        private boolean inside;

        Masking(OutputStream out, SecretLines secrets, Charset charset) {
            super(out);
            this.secrets = secrets;
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
