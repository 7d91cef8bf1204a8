package dev.tether.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a server (bytes pass untouched, TLS included), which a test can
 * cut: {@link #outage()} drops every open connection and closes each new one at once until the
 * returned handle is closed. Clients configured with {@link #port()} then see the server go away and
 * come back on the same address, while the server itself, shared by other tests, keeps running.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    public TcpRelay(String host, int port) {
        target = new InetSocketAddress(host, port);
        try {
            listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("tcp-relay-accept").start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Cuts the relay until the returned handle is closed. */
    public AutoCloseable outage() {
        cut = true;
        open.forEach(TcpRelay::closeQuietly);
        return () -> cut = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket caller;
            try {
                caller = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(caller);
                continue;
            }
            try {
                Socket server = new Socket(target.getAddress(), target.getPort());
                open.add(caller);
                open.add(server);
                Thread.ofVirtual().start(() -> pipe(caller, server));
                Thread.ofVirtual().start(() -> pipe(server, caller));
            } catch (IOException e) {
                closeQuietly(caller);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away: the other follows
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        open.forEach(TcpRelay::closeQuietly);
    }
}
