package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.http.HttpError;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Proxy request normalisation under arbitrary bytes: {@link A2aRequestNormaliser#normalise} returns a
 * JSON-RPC 2.0 request object with a method, or rejects with an {@link HttpError} 400; never anything
 * else. Its output is a fixed point (normalising it again changes nothing), and an unchanged body is
 * the caller's bytes. Seeds in {@code A2aRequestNormaliserFuzzTestInputs/normalise/}.
 */
class A2aRequestNormaliserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void normalise(byte[] raw) throws IOException {
        AtomicInteger ids = new AtomicInteger();
        A2aRequestNormaliser.Normalised out;
        try {
            out = A2aRequestNormaliser.normalise(raw.clone(), () -> "gen-" + ids.incrementAndGet());
        } catch (HttpError e) {
            assertThat(e.status()).as("rejection status").isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        JsonNode forwarded = A2aRequestNormaliser.MAPPER.readTree(out.body());
        assertThat(forwarded.isObject()).isTrue();
        assertThat(forwarded.path("jsonrpc").isTextual()).isTrue();
        assertThat(forwarded.path("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(forwarded.path("method").isTextual()).isTrue();
        assertThat(out.method()).isNotBlank().isEqualTo(forwarded.path("method").asText());
        assertThat(out.id()).isNotNull();
        JsonNode message = forwarded.path("params").path("message");
        if (message.isObject()) {
            assertThat(message.path("messageId").asText()).isNotBlank();
        }
        if (ids.get() == 0 && A2aRequestNormaliser.MAPPER.readTree(raw).has("jsonrpc")) {
            assertThat(out.body()).as("a body that needs no change is forwarded byte for byte").isEqualTo(raw);
        }
        A2aRequestNormaliser.Normalised again = A2aRequestNormaliser.normalise(out.body(), () -> "again");
        assertThat(Arrays.equals(again.body(), out.body())).as("normalised output is a fixed point").isTrue();
    }
}
