package dev.tether.http;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

/**
 * Jackson set up for servers that run every request on a new virtual thread. Jackson's default buffer
 * pool is per thread, so with a thread per request nothing was ever reused and its buffers were a tenth
 * of the proxy's allocation; these factories share one pool across threads.
 */
public final class JsonFactories {
    private JsonFactories() {
    }

    /** A factory builder with the shared pool; each mapper adds its own settings. */
    public static JsonFactoryBuilder pooled() {
        return new JsonFactoryBuilder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
    }
}
