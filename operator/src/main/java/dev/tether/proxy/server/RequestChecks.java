package dev.tether.proxy.server;

import dev.tether.http.HttpError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * What a request head must be before anything reads it, beyond what the HTTP decoder already refuses (bad request
 * lines, header syntax, conflicting Content-Lengths): framing with one meaning for every intermediary, one Host, one
 * Content-Type, a version this server speaks. Pure.
 */
final class RequestChecks {
    private RequestChecks() {
    }

    /** The refusal {@code request} gets, or null when it may be read. */
    static HttpError refusal(HttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            return decoderFailure(decoded.cause());
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return new HttpError(505, "HTTP version " + version.text() + " is not supported; use HTTP/1.1");
        }
        List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!codings.isEmpty()) {
            // Chunked is the only transfer coding understood, and only from HTTP/1.1 callers: other codings would hand on
            // bytes the caller says are transformed, and chunked HTTP/1.0 is framed differently by different intermediaries.
            String joined = String.join(",", codings).trim();
            if (!joined.equalsIgnoreCase("chunked")) {
                return new HttpError(501, "Transfer-Encoding " + joined + " is not supported; send chunked or a Content-Length");
            }
            if (version.minorVersion() == 0) {
                return new HttpError(400, "Transfer-Encoding is not defined for HTTP/1.0; send a Content-Length");
            }
        }
        if (request.headers().getAll(HttpHeaderNames.CONTENT_TYPE).size() > 1) {
            return new HttpError(400, "more than one Content-Type header; send exactly one");
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || version.minorVersion() == 1 && hosts.isEmpty()) {
            return new HttpError(400, "an HTTP/1.1 request needs exactly one Host header");
        }
        return null;
    }

    /** What a failure of the decoder (head or body) means for the caller. */
    static HttpError decoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new HttpError(414, "the request line (or a chunk line) is longer than the proxy accepts");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new HttpError(431, "the request headers are larger than the proxy accepts");
        }
        return new HttpError(400, "the request is not valid HTTP/1.1: " + (cause == null ? "malformed" : cause.getMessage()));
    }
}
