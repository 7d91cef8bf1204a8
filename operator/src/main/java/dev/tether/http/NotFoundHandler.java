package dev.tether.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Answers any path no route claims with a JSON 404 rather than Jetty's HTML page. */
final class NotFoundHandler extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        JsonResponses.error(response, callback, 404, "no such endpoint: " + request.getMethod() + " " + request.getHttpURI().getCanonicalPath());
        return true;
    }
}
