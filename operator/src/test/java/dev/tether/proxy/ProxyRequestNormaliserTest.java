package dev.tether.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.http.HttpError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request normaliser, a pure function: what the agent receives for what a caller posts. */
class ProxyRequestNormaliserTest {
    final AtomicInteger ids = new AtomicInteger();
    final Supplier<String> newId = () -> "id-" + ids.incrementAndGet();

    A2aRequestNormaliser.Normalised normalise(String body) {
        return A2aRequestNormaliser.normalise(body.getBytes(StandardCharsets.UTF_8), newId);
    }

    static JsonNode json(A2aRequestNormaliser.Normalised n) throws IOException {
        return A2aRequestNormaliser.MAPPER.readTree(n.body());
    }

    @Test
    void bareMethodAndParamsAreWrappedInAJsonRpcEnvelopeWithANewId() throws IOException {
        var n = normalise("{\"method\":\"tasks/get\",\"params\":{\"id\":\"t-1\"}}");

        JsonNode sent = json(n);
        assertThat(sent.toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"id-1\",\"method\":\"tasks/get\",\"params\":{\"id\":\"t-1\"}}");
        assertThat(n.id().asText()).isEqualTo("id-1");
        assertThat(n.method()).isEqualTo("tasks/get");
    }

    @Test
    void missingMessageIdIsAddedAndAnExistingOneKept() throws IOException {
        var added = normalise("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\"}}}");
        assertThat(json(added).at("/params/message/messageId").asText()).isEqualTo("id-1");
        assertThat(added.id().asInt()).isEqualTo(7);

        var kept = normalise("{\"method\":\"message/send\",\"params\":{\"message\":{\"messageId\":\"mine\"}}}");
        assertThat(json(kept).at("/params/message/messageId").asText()).isEqualTo("mine");
        assertThat(json(kept).get("id").asText()).isEqualTo("id-2");
    }

    @Test
    void aCompleteRequestIsForwardedByteForByte() {
        String body = "{ \"jsonrpc\": \"2.0\", \"id\": \"a\", \"method\": \"message/send\", \"params\": {\"message\": {\"messageId\": \"m\", \"n\": 1.10}} }";

        var n = normalise(body);

        assertThat(new String(n.body(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(ids.get()).isZero();
    }

    @Test
    void numbersSurviveWrappingExactly() {
        var n = normalise("{\"method\":\"m\",\"params\":{\"price\":1.10,\"big\":123456789012345678901234567890,\"e\":1e400}}");

        assertThat(new String(n.body(), StandardCharsets.UTF_8))
                .contains("\"price\":1.10", "\"big\":123456789012345678901234567890", "\"e\":1E+400");
    }

    @Test
    void bareRequestKeepsAnIdTheCallerGave() throws IOException {
        assertThat(json(normalise("{\"id\":\"caller-1\",\"method\":\"tasks/cancel\"}")).get("id").asText()).isEqualTo("caller-1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not JSON           | {"method":                      | not valid JSON
            trailing garbage   | {"method":"a"} x                | not valid JSON
            empty              | ''                              | empty
            a batch            | [{"method":"a"}]                | batches are not supported
            a string           | "hello"                         | must be a JSON object
            no method          | {"params":{}}                   | "method" must be a string
            numeric method     | {"jsonrpc":"2.0","method":5}    | "method" must be a string
            wrong version      | {"jsonrpc":"1.0","method":"a"}  | "jsonrpc" must be "2.0"
            """)
    void invalidBodiesAre400NamingTheProblem(String description, String body, String problem) {
        assertThatThrownBy(() -> normalise(body)).as(description)
                .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining(problem);
    }
}
