package io.jenkins.plugins.teleport.auth.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS connection driven byte by byte, for tests of the transport itself: keep-alive, pipelining, partial and
 * malformed requests, stalls. Requests are written as given; answers are read as HTTP/1.1 with a Content-Length.
 */
public final class RawHttps implements AutoCloseable {

    /** An answer: status, headers (lower-case names) and body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public boolean closes() {
            return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
        }
    }

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String host;

    private RawHttps(SSLSocket socket, String host) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.host = host;
    }

    /** Connects and completes the TLS handshake, failing after {@code timeoutMillis} of silence. */
    public static RawHttps open(SSLContext tls, InetSocketAddress address, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        plain.connect(address, timeoutMillis);
        plain.setSoTimeout(timeoutMillis);
        plain.setTcpNoDelay(true);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, address.getHostString(), address.getPort(), true);
        socket.startHandshake();
        return new RawHttps(socket, address.getHostString() + ":" + address.getPort());
    }

    /** A whole request: method, path, extra header lines and a body (with its Content-Length). */
    public String request(String method, String path, String headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                + (body.isEmpty() && method.equals("GET") ? "" : "Content-Length: " + bytes.length + "\r\n") + "\r\n" + body;
    }

    public RawHttps send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttps send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one answer; fails with an IOException if the connection ends or stays silent first. */
    public Answer read() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended before an answer (" + head.size() + " bytes of headers read)");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the connection ended inside the body");
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** Sends a request and reads its answer. */
    public Answer call(String method, String path, String headers, String body) throws IOException {
        return send(request(method, path, headers, body)).read();
    }

    /** True once the server has closed the connection (a read ends or fails); waits at most the socket timeout. */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** The decrypted streams, for tests that read or write on their own. */
    public InputStream input() {
        return in;
    }

    public OutputStream output() {
        return out;
    }

    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }
}
