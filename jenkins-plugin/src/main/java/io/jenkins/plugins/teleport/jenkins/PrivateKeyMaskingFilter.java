package io.jenkins.plugins.teleport.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.console.LineTransformationOutputStream;
import hudson.model.Run;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Masks private keys in the build log: every line of a PEM or OpenSSH private key block, from its BEGIN line to its
 * END line, becomes {@code ****}. It masks by shape, not by value, so it needs no secret of its own and can be
 * saved with the build's program.
 */
public final class PrivateKeyMaskingFilter extends ConsoleLogFilter implements Serializable {
    private static final long serialVersionUID = 1L;

    static final String MASK = "****";
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+ )?PRIVATE KEY-----");
    private static final Pattern END = Pattern.compile("-----END ([A-Z0-9 ]+ )?PRIVATE KEY-----");

    @Override
    @SuppressWarnings("rawtypes")
    public OutputStream decorateLogger(Run build, OutputStream logger) {
        return new Masking(logger);
    }

    /** The line filter; a key block spans lines, so it remembers whether it is inside one. */
    static final class Masking extends LineTransformationOutputStream.Delegating {
        private boolean inside;

        Masking(OutputStream out) {
            super(out);
        }

        @Override
        protected void eol(byte[] b, int len) throws IOException {
            String line = new String(b, 0, len, StandardCharsets.UTF_8);
            var begin = BEGIN.matcher(line);
            if (!inside && begin.find()) {
                inside = true;
                String before = line.substring(0, begin.start());
                var endOnSameLine = END.matcher(line);
                if (endOnSameLine.find(begin.end())) {
                    inside = false;
                    out.write((before + MASK + line.substring(endOnSameLine.end())).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                out.write((before + MASK + eolOf(line)).getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (inside) {
                var end = END.matcher(line);
                if (end.find()) {
                    inside = false;
                    out.write((MASK + line.substring(end.end())).getBytes(StandardCharsets.UTF_8));
                } else {
                    out.write((MASK + eolOf(line)).getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            out.write(b, 0, len);
        }

        private static String eolOf(String line) {
            return line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
        }
    }
}
