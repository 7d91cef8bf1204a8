package dev.tether.proxy.server;

import io.netty.handler.codec.http.HttpRequest;

/** Chooses the handler of a request from its head alone; throws {@link dev.tether.http.HttpError} to refuse it. */
public interface Router {
    RequestHandler route(HttpRequest head);
}
