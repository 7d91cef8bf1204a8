package dev.tether.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Source;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The proxy's side toward agents: one shared OkHttp client and connection pool for every upstream
 * call, synchronous calls on the caller's virtual thread (no dispatcher queue or cap), per-call
 * deadlines through {@code newBuilder()}. No read timeout: silence is the watchdog's to judge, since
 * heartbeats may keep a silent dispatch alive.
 */
final class AgentClient implements AutoCloseable {
    /** An agent answer larger than the proxy buffers; never truncated silently. */
    static final class ResponseTooLargeException extends IOException {
        ResponseTooLargeException(long limit) {
            super("the agent's response exceeds the proxy's limit of " + limit + " bytes");
        }
    }

    private final OkHttpClient client;

    AgentClient() {
        client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ofSeconds(60))
                .callTimeout(Duration.ZERO)
                .followRedirects(false)
                .followSslRedirects(false)
                // A dispatch is not idempotent: never send it twice because a pooled connection went stale.
                .retryOnConnectionFailure(false)
                .build();
    }

    /** A call with its own absolute deadline (none when zero), sharing the pool. */
    Call newCall(okhttp3.Request request, Duration deadline) {
        Call call = client.newCall(request);
        // Set on the call itself: a client per call (newBuilder) costs more than the rest of a fast dispatch.
        call.timeout().timeout(deadline.toNanos(), TimeUnit.NANOSECONDS);
        return call;
    }

    /** A request to {@code url} carrying the caller's end-to-end headers. */
    static okhttp3.Request.Builder forwarding(HttpUrl url, Request caller) {
        Set<String> hop = HeaderPolicy.connectionTokens(caller.getHeaders().getValuesList(HttpHeader.CONNECTION));
        Headers.Builder headers = new Headers.Builder();
        for (HttpField field : caller.getHeaders()) {
            if (HeaderPolicy.forwardUpstream(field.getName(), hop)) {
                headers.addUnsafeNonAscii(field.getName(), field.getValue() == null ? "" : field.getValue());
            }
        }
        return new okhttp3.Request.Builder().url(url).headers(headers.build());
    }

    /** The source with every byte the agent sends reported to {@code onBytes}. */
    static BufferedSource tracking(Source source, Runnable onBytes) {
        return okio.Okio.buffer(new ForwardingSource(source) {
            @Override
            public long read(Buffer sink, long byteCount) throws IOException {
                long n = super.read(sink, byteCount);
                if (n > 0) {
                    onBytes.run();
                }
                return n;
            }
        });
    }

    /** The whole body, or {@link ResponseTooLargeException} past {@code limit} bytes. */
    static byte[] readBounded(ResponseBody body, BufferedSource source, int limit) throws IOException {
        long declared = body.contentLength();
        if (declared > limit) {
            throw new ResponseTooLargeException(limit);
        }
        if (declared >= 0) {
            return source.readByteArray(declared); // EOFException when the agent sends less than it declared
        }
        Buffer out = new Buffer();
        while (source.read(out, 64 * 1024) != -1) {
            if (out.size() > limit) {
                throw new ResponseTooLargeException(limit);
            }
        }
        return out.readByteArray();
    }

    /** True when the agent could not be reached at all, as opposed to failing mid-answer. */
    static boolean unreachable(IOException e) {
        return e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoRouteToHostException
                || e instanceof SSLException || (e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect"));
    }

    /** The URL without credentials, for messages and logs. */
    static String redacted(HttpUrl url) {
        return url.newBuilder().username("").password("").query(null).build().toString();
    }

    @Override
    public void close() {
        client.connectionPool().evictAll();
    }
}
