package io.jenkins.plugins.teleport.client.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The load generator's HTTP/1.1 client: one TLS connection kept alive across calls (reopened only when the server
 * closes it), the request's bytes built once, and the answer read in full (status, headers, body) but not parsed
 * beyond that, so that the generator's own CPU per call stays small next to the server's.
 */
final class KeepAliveHttps implements Closeable {

    /** An answer: the status and the body's bytes. */
    record Answer(int status, byte[] body) {}

    private final SSLContext tls;
    private final String host;
    private final int port;
    private SSLSocket socket;
    private InputStream in;
    private OutputStream out;
    private long connections;

    KeepAliveHttps(SSLContext tls, String host, int port) {
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    /** The bytes of a POST with a JSON body. */
    byte[] post(String path, byte[] json) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + json.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(json, 0, all, h.length, json.length);
        return all;
    }

    /** Sends a request built by {@link #post} and reads its answer. */
    Answer send(byte[] request) throws IOException {
        if (socket == null) {
            open();
        }
        out.write(request);
        out.flush();
        int status = -1;
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = line(); !line.isEmpty(); line = line()) {
            if (status < 0) {
                status = Integer.parseInt(line.split(" ", 3)[1]);
                continue;
            }
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        byte[] body = chunked ? chunkedBody() : in.readNBytes((int) Math.max(0, length));
        if (!chunked && body.length != length) {
            throw new EOFException("the connection closed inside an answer's body");
        }
        if (close) {
            close();
        }
        return new Answer(status, body);
    }

    /** How many connections were opened (1 when keep-alive held throughout). */
    long connections() {
        return connections;
    }

    private void open() throws IOException {
        socket = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
        connections++;
    }

    private byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
            body.write(in.readNBytes(size));
            line();
        }
        while (!line().isEmpty()) {
            // trailers
        }
        return body.toByteArray();
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
            socket = null;
        }
    }
}
