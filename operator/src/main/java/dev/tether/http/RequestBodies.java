package dev.tether.http;

import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reads request bodies with a hard size cap, so no caller can make Tether buffer without bound. */
public final class RequestBodies {
    private RequestBodies() {
    }

    /** The body, or an {@link HttpError} 413 when it is (or declares itself) larger than {@code maxBytes}. */
    public static byte[] readBounded(Request request, int maxBytes) throws IOException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return body;
        }
    }

    private static HttpError tooLarge(int maxBytes) {
        return new HttpError(413, "request body exceeds the limit of " + maxBytes + " bytes");
    }
}
