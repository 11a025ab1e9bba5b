package hudson.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** An output stream that hands each line (with its end-of-line bytes) to {@link #eol}. */
public abstract class LineTransformationOutputStream extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    public LineTransformationOutputStream() {
    }

    protected abstract void eol(byte[] b, int len) throws IOException;

    @Override
    public void write(int b) throws IOException {
        buf.write(b);
        if (b == '\n') {
            flushLine();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public void close() throws IOException {
        forceEol();
    }

    public void forceEol() throws IOException {
        if (buf.size() > 0) {
            flushLine();
        }
    }

    private void flushLine() throws IOException {
        byte[] line = buf.toByteArray();
        buf.reset();
        eol(line, line.length);
    }

    /** A line transformer that writes to another stream. */
    public abstract static class Delegating extends LineTransformationOutputStream {
        protected final OutputStream out;

        protected Delegating(OutputStream out) {
            this.out = out;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            super.close();
            out.close();
        }
    }
}
