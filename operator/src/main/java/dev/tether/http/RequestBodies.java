package dev.tether.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads request bodies with a hard size cap, so no caller can make Tether buffer without bound: memory follows the
 * bytes that really arrived (never what a Content-Length declares), all bodies being read at once share one
 * {@link BodyBudget}, and a body must arrive whole within the connector's idle timeout of its start.
 */
public final class RequestBodies {
    /** What all bodies being read at once may hold together; a 512 MiB operator pod has about 380 MiB of heap. */
    static final long BUDGET_BYTES = 32L << 20;
    private static final BodyBudget BUDGET = new BodyBudget(BUDGET_BYTES);
    private static final int FIRST_BUFFER = 1024;

    private RequestBodies() {
    }

    /**
     * The body, or an {@link HttpError}: 413 when it is (or declares itself) larger than {@code maxBytes},
     * 408 when the caller stops sending before the body is complete (the connector's idle timeout) or trickles it
     * for longer than that timeout, 400 when the framing is broken (a body shorter than its Content-Length, bad
     * chunking), 503 when the bodies being read together fill the budget. Never a bare IOException, which
     * endpoints would turn into a 500.
     */
    public static byte[] readBounded(Request request, int maxBytes) throws IOException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        // A declared length ends the body there (HTTP framing); without one, one byte over the cap tells "too large".
        int limit = declared >= 0 ? (int) declared : maxBytes + 1;
        long deadline = System.nanoTime() + Duration.ofMillis(request.getConnectionMetaData().getConnector().getIdleTimeout()).toNanos();
        Gathered body = new Gathered();
        try (InputStream in = Content.Source.asInputStream(request)) {
            body.readFrom(in, limit, deadline);
        } catch (IOException | RuntimeException e) {
            if (e instanceof HttpError h) {
                throw h;
            }
            throw unreadable(e);
        } finally {
            BUDGET.give(body.taken);
        }
        if (declared >= 0 && body.count < declared) {
            throw unreadable(new IOException("the body ended after " + body.count + " of its declared " + declared + " bytes"));
        }
        if (body.count > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body.count == body.bytes.length ? body.bytes : Arrays.copyOf(body.bytes, body.count);
    }

    /** A body as it arrives: a buffer that doubles when full, each growth taken from the budget first. */
    private static final class Gathered {
        byte[] bytes = new byte[0];
        int count;
        long taken;

        void readFrom(InputStream in, int limit, long deadline) throws IOException {
            while (count < limit) {
                if (count == bytes.length) {
                    grow(Math.min(limit, Math.max(FIRST_BUFFER, bytes.length * 2)));
                }
                int n = in.read(bytes, count, bytes.length - count);
                if (n < 0) {
                    return;
                }
                count += n;
                if (count < limit && System.nanoTime() > deadline) {
                    throw new HttpError(408, "the request body did not arrive in time; send it whole, without pauses");
                }
            }
        }

        private void grow(int size) {
            if (!BUDGET.take(size - bytes.length)) {
                throw new HttpError(503, "too many request bodies are arriving at once; retry shortly", Map.of(),
                        Map.of("Retry-After", "1"));
            }
            taken += size - bytes.length;
            bytes = Arrays.copyOf(bytes, size);
        }
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
