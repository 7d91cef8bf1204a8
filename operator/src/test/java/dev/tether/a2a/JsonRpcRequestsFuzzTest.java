package dev.tether.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link JsonRpcRequests#classify} under arbitrary bytes: it never throws; a legacy body becomes a JSON-RPC 2.0
 * envelope with a method, an id and a messageId, which itself classifies as forwarded (a fixed point); anything else
 * is forwarded as sent or named unparsable with a reason. Seeds in {@code JsonRpcRequestsFuzzTestInputs/classify/}.
 */
class JsonRpcRequestsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void classify(byte[] raw) throws IOException {
        AtomicInteger ids = new AtomicInteger();
        JsonRpcRequests.Body body = JsonRpcRequests.classify(raw, 0, raw.length, () -> "gen-" + ids.incrementAndGet());
        switch (body) {
            case JsonRpcRequests.Unparsable u -> assertThat(u.problem()).isNotBlank();
            case JsonRpcRequests.Forward f -> {
                assertThat(ids.get()).as("nothing invented for a body passed as sent").isZero();
                assertThat(f.id()).isNotNull();
            }
            case JsonRpcRequests.Legacy legacy -> {
                JsonNode envelope = JsonResponses.MAPPER.readTree(legacy.envelope());
                assertThat(envelope.path("jsonrpc").asText()).isEqualTo("2.0");
                assertThat(envelope.path("method").isTextual()).isTrue();
                assertThat(envelope.path("method").asText()).isEqualTo(legacy.method());
                assertThat(envelope.has("id")).isTrue();
                JsonNode message = envelope.path("params").path("message");
                if (message.isObject()) {
                    assertThat(message.path("messageId").asText()).isNotBlank();
                }
                byte[] again = legacy.envelope();
                assertThat(JsonRpcRequests.classify(again, 0, again.length, () -> "again")).as("the envelope is forwarded as it is")
                        .isInstanceOf(JsonRpcRequests.Forward.class);
            }
        }
    }
}
