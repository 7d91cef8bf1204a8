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

    /** Handles the request; must complete the callback (normally via {@link JsonResponses}). */
    protected abstract void serve(Request request, Response response, Callback callback) throws Exception;
}
