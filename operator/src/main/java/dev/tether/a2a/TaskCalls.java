package dev.tether.a2a;

import java.util.Set;

/**
 * Which A2A calls start a task and so take one of the workspace's {@code maxConcurrentTasks} slots: sending a message,
 * streamed or not, on either transport and in either method naming (A2A 0.3 and 1.0). Reading, cancelling or
 * resubscribing to a task, cards and push-notification settings take none: a cancel must never wait behind the task it
 * cancels.
 */
public final class TaskCalls {
    private static final Set<String> JSONRPC_METHODS = Set.of("message/send", "message/stream", "SendMessage", "SendStreamingMessage");
    private static final Set<String> REST_ROUTES = Set.of("/v1/message:send", "/v1/message:stream", "/message:send", "/message:stream");

    private TaskCalls() {
    }

    /** A JSON-RPC call by its {@code method} (null when the body was not JSON-RPC: the agent will refuse it). */
    public static boolean jsonRpc(String method) {
        return method != null && JSONRPC_METHODS.contains(method);
    }

    /** An HTTP+JSON call by its method and route below the REST base, as sent (query included). */
    public static boolean rest(String httpMethod, String route) {
        int q = route.indexOf('?');
        return httpMethod.equals("POST") && REST_ROUTES.contains(q < 0 ? route : route.substring(0, q));
    }
}
