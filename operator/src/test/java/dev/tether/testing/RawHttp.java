package dev.tether.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/1.1 written by hand over a socket, for requests no well-behaved client would send: wrong
 * Content-Length, broken chunking, duplicate or oversized headers, bodies that stop half way. Every
 * request says {@code Connection: close}, so an answer is whatever arrives before the server closes.
 */
public final class RawHttp {
    private String method = "POST";
    private String target;
    private String version = "HTTP/1.1";
    private final List<String> headers = new ArrayList<>();
    private byte[] body = new byte[0];
    private boolean autoLength = true;
    private boolean halfClose;
    private boolean host = true;

    private RawHttp(String target) {
        this.target = target;
    }

    /** A POST of {@code json} with {@code Content-Type: application/json} and, when given, a bearer token. */
    public static RawHttp postJson(String target, String token, byte[] json) {
        RawHttp r = new RawHttp(target).header("Content-Type: application/json").body(json);
        return token == null ? r : r.header("Authorization: Bearer " + token);
    }

    public static RawHttp postJson(String target, String token, String json) {
        return postJson(target, token, json.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttp method(String value) {
        method = value;
        return this;
    }

    public RawHttp version(String value) {
        version = value;
        return this;
    }

    public RawHttp target(String value) {
        target = value;
        return this;
    }

    /** Adds a header line exactly as given (no validation: that is the point). */
    public RawHttp header(String line) {
        headers.add(line);
        return this;
    }

    /** Removes every header whose line starts with {@code name:} (case-insensitive). */
    public RawHttp without(String name) {
        headers.removeIf(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1));
        return this;
    }

    public RawHttp body(byte[] value) {
        body = value;
        return this;
    }

    /** No Content-Length is added: the caller supplies its own framing headers (or none). */
    public RawHttp manualLength() {
        autoLength = false;
        return this;
    }

    /** Shuts the socket's output after sending, so the server sees the body end early instead of waiting. */
    public RawHttp halfClose() {
        halfClose = true;
        return this;
    }

    /** Leaves out the Host header HTTP/1.1 requires. */
    public RawHttp noHost() {
        host = false;
        return this;
    }

    public byte[] bytes() {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(' ').append(version).append("\r\n");
        head.append(host ? "Host: 127.0.0.1\r\n" : "").append("Connection: close\r\n");
        headers.forEach(h -> head.append(h).append("\r\n"));
        if (autoLength) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Sends and returns the status code of the answer, or -1 when the server closed without one. */
    public int send(int port, Duration timeout) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes());
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // The server may answer and close before reading everything (413, 431): read what it said.
            }
            return status(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int status(InputStream in) throws IOException {
        byte[] answer;
        try {
            answer = in.readNBytes(1 << 20);
        } catch (java.net.SocketException e) {
            return -1; // reset before any answer
        }
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.")) {
            return -1;
        }
        return Integer.parseInt(text.substring(9, 12));
    }
}
