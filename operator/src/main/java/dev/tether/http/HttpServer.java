package dev.tether.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * The Jetty 12 server every role uses: one port, routes by path spec, every request on its own
 * virtual thread (no pool cap that would silently queue thousands of silent dispatches), and a
 * graceful stop that refuses new requests first and lets in-flight ones finish within the grace.
 */
public final class HttpServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private HttpServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** The bound port (useful with port 0 in tests and the dev role). */
    public int port() {
        return connector.getLocalPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops accepting, waits up to the grace for in-flight requests, then closes. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("HTTP server on port " + port() + " did not stop cleanly", e);
        }
    }

    public static final class Builder {
        private final String host;
        private final int port;
        private final Map<String, Handler> routes = new LinkedHashMap<>();
        private Duration grace = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private int acceptQueueSize;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** Adds a route; specs are Jetty path specs: {@code /registry/heartbeat}, {@code /workspaces/*}, {@code ^regex$}. */
        public Builder route(String pathSpec, Handler handler) {
            routes.put(pathSpec, handler);
            return this;
        }

        /** How long a stop waits for in-flight requests. */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        /** How long a connection may sit with no bytes in either direction (slow clients, idle keep-alive). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * The listen backlog. 0 leaves the JDK default (50), which drops connections when thousands of
         * callers connect at once; the operator raises it for heartbeat bursts.
         */
        public Builder acceptQueueSize(int acceptQueueSize) {
            this.acceptQueueSize = acceptQueueSize;
            return this;
        }

        public HttpServer start() {
            VirtualThreadPool threads = new VirtualThreadPool();
            threads.setName("tether-http");
            // Jetty 12.1 caps a VirtualThreadPool at 200 concurrent tasks by default, which would queue the
            // 201st silent dispatch behind the others; 0 removes the cap (connections stay bounded by the OS).
            threads.setMaxConcurrentTasks(0);
            Server server = new Server(threads);
            HttpConfiguration config = new HttpConfiguration();
            config.setSendServerVersion(false);
            config.setSendDateHeader(false);
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
            connector.setHost(host);
            connector.setPort(port);
            connector.setIdleTimeout(idleTimeout.toMillis());
            connector.setAcceptQueueSize(acceptQueueSize);
            server.addConnector(connector);

            PathMappingsHandler mappings = new PathMappingsHandler();
            routes.forEach((spec, handler) -> mappings.addMapping(PathSpec.from(spec), handler));
            mappings.addMapping(PathSpec.from("/"), new NotFoundHandler());
            GracefulHandler graceful = new GracefulHandler(mappings);
            // During a stop, idle keep-alive connections close at once; busy ones still get the grace.
            graceful.setShutdownIdleTimeout(100);
            server.setHandler(graceful);
            server.setStopTimeout(grace.toMillis());
            server.setStopAtShutdown(false);
            try {
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start HTTP server on " + host + ":" + port + ": " + e.getMessage(), e);
            }
            return new HttpServer(server, connector);
        }
    }
}
