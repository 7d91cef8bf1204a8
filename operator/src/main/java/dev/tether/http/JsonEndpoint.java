package dev.tether.http;

import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blocking JSON endpoint (it runs on a virtual thread): checks method and content type, then
 * {@link #serve}. An {@link HttpError} becomes its status and message; anything else a 500 that
 * is logged but whose details stay out of the response.
 */
public abstract class JsonEndpoint extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(JsonEndpoint.class);
    private final Set<String> methods;
    private final boolean requiresJsonBody;

    protected JsonEndpoint(Set<String> methods, boolean requiresJsonBody) {
        super(InvocationType.BLOCKING);
        this.methods = methods;
        this.requiresJsonBody = requiresJsonBody;
    }

    @Override
    public final boolean handle(Request request, Response response, Callback callback) {
        try {
            if (!methods.contains(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods));
                throw new HttpError(405, "method " + request.getMethod() + " not allowed; use " + String.join(" or ", methods));
            }
            requireUnambiguousFraming(request);
            if (request.getHeaders().getValuesList(HttpHeader.CONTENT_TYPE).size() > 1) {
                throw new HttpError(400, "more than one Content-Type header; send exactly one");
            }
            if (requiresJsonBody) {
                String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
                if (type == null || !"application/json".equalsIgnoreCase(MimeTypes.getContentTypeWithoutCharset(type).trim())) {
                    throw new HttpError(415, "Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'"));
                }
            }
            serve(request, response, callback);
        } catch (HttpError e) {
            JsonResponses.error(response, callback, e);
        } catch (Exception e) {
            LOG.atError().setCause(e).addKeyValue("path", request.getHttpURI().getCanonicalPath())
                    .log("request failed: {}", e.toString());
            JsonResponses.error(response, callback, 500, "internal error; see the Tether logs");
        }
        return true;
    }

    /**
     * Chunked is the only transfer coding understood, and only from HTTP/1.1 callers: Jetty would otherwise
     * de-chunk {@code gzip, chunked} and hand over bytes the caller says are compressed, and a chunked
     * HTTP/1.0 request is framed differently by different intermediaries (RFC 9112 section 6.1).
     */
    private static void requireUnambiguousFraming(Request request) {
        var codings = request.getHeaders().getCSV(HttpHeader.TRANSFER_ENCODING, false);
        if (codings.isEmpty()) {
            return;
        }
        if (codings.size() != 1 || !"chunked".equalsIgnoreCase(codings.getFirst().trim())) {
            throw new HttpError(501, "Transfer-Encoding " + String.join(", ", codings) + " is not supported; send chunked or a Content-Length");
        }
        if (request.getConnectionMetaData().getHttpVersion() == org.eclipse.jetty.http.HttpVersion.HTTP_1_0) {
            throw new HttpError(400, "Transfer-Encoding is not defined for HTTP/1.0; send a Content-Length");
        }
    }

    /** Handles the request; must complete the callback (normally via {@link JsonResponses}). */
    protected abstract void serve(Request request, Response response, Callback callback) throws Exception;
}
