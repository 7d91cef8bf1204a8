package dev.tether.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reads request bodies with a hard size cap, so no caller can make Tether buffer without bound. */
public final class RequestBodies {
    private RequestBodies() {
    }

    /**
     * The body, or an {@link HttpError}: 413 when it is (or declares itself) larger than {@code maxBytes},
     * 408 when the caller stops sending before the body is complete (the connector's idle timeout), 400 when
     * the framing is broken (a body shorter than its Content-Length, bad chunking). Never a bare IOException,
     * which endpoints would turn into a 500.
     */
    public static byte[] readBounded(Request request, int maxBytes) throws IOException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            // A declared length is read into an array of that size; readNBytes(max) works through 16 KiB buffers.
            body = declared >= 0 ? readDeclared(in, (int) declared) : in.readNBytes(maxBytes + 1);
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpError h) {
                throw h;
            }
            throw unreadable(e);
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    private static byte[] readDeclared(InputStream in, int declared) throws IOException {
        byte[] body = new byte[declared];
        int read = in.readNBytes(body, 0, declared);
        if (read < declared) {
            throw new IOException("the body ended after " + read + " of its declared " + declared + " bytes");
        }
        return body; // HTTP framing ends the body at its declared length
    }

    /**
     * The body as a JSON tree, parsed from strict UTF-8 ({@link #utf8}). A body of printable-or-control
     * ASCII without NUL is already valid UTF-8 that Jackson cannot mistake for UTF-16 or UTF-32, so it is
     * parsed from the bytes without decoding it to a String first: the common case, and a tenth of a
     * proxied dispatch's cost.
     */
    public static JsonNode readJson(ObjectMapper mapper, byte[] body) throws IOException {
        return asciiWithoutNul(body) ? mapper.readTree(body) : mapper.readTree(utf8(body));
    }

    private static boolean asciiWithoutNul(byte[] body) {
        for (byte b : body) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body as text, or a 400 when it is not UTF-8 (RFC 8259 section 8.1): no UTF-16 or UTF-32 guessed from
     * byte patterns, no overlong forms, no encoded surrogates. A leading UTF-8 byte order mark is skipped, as
     * the byte parser did before (RFC 8259 allows either).
     */
    public static String utf8(byte[] body) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new HttpError(400, "request body is not UTF-8 (JSON must be UTF-8, RFC 8259): " + e.getMessage());
        }
    }

    private static HttpError unreadable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new HttpError(408, "the request body did not arrive in time; send it whole, without pauses");
            }
        }
        return new HttpError(400, "the request body is incomplete or badly framed (Content-Length or chunking): " + e.getMessage());
    }

    private static HttpError tooLarge(int maxBytes) {
        return new HttpError(413, "request body exceeds the limit of " + maxBytes + " bytes");
    }
}
