package dev.tether.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.http.JsonResponses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a body posted to a JSON-RPC endpoint is: forwarded as sent, wrapped (the legacy canvas shape), or not JSON. */
class JsonRpcRequestsTest {
    final AtomicInteger ids = new AtomicInteger();
    final Supplier<String> newId = () -> "id-" + ids.incrementAndGet();

    JsonRpcRequests.Body classify(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return JsonRpcRequests.classify(bytes, 0, bytes.length, newId);
    }

    JsonNode envelope(String body) throws IOException {
        return JsonResponses.MAPPER.readTree(((JsonRpcRequests.Legacy) classify(body)).envelope());
    }

    @Test
    void theLegacyShapeIsWrappedInAnEnvelopeWithANewIdAndAMessageId() throws IOException {
        JsonRpcRequests.Body body = classify("{\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\"}}}");

        assertThat(body).isInstanceOf(JsonRpcRequests.Legacy.class);
        JsonRpcRequests.Legacy legacy = (JsonRpcRequests.Legacy) body;
        assertThat(new String(legacy.envelope(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"jsonrpc\":\"2.0\",\"id\":\"id-1\",\"method\":\"message/send\",\"params\":{\"message\":{\"role\":\"user\",\"messageId\":\"id-2\"}}}");
        assertThat(legacy.method()).isEqualTo("message/send");
        assertThat(legacy.id()).isEqualTo("\"id-1\"");
    }

    @Test
    void aLegacyBodyKeepsItsOwnIdAndMessageIdAndItsNumbersExactly() throws IOException {
        assertThat(envelope("{\"id\":\"caller-1\",\"method\":\"tasks/cancel\"}").get("id").asText()).isEqualTo("caller-1");
        assertThat(envelope("{\"id\":7,\"method\":\"m\",\"params\":{\"message\":{\"messageId\":\"mine\"}}}").at("/params/message/messageId")
                .asText()).isEqualTo("mine");
        JsonRpcRequests.Legacy numbers = (JsonRpcRequests.Legacy) classify(
                "{\"method\":\"m\",\"params\":{\"price\":1.10,\"big\":123456789012345678901234567890,\"e\":1e400}}");
        assertThat(new String(numbers.envelope(), StandardCharsets.UTF_8))
                .contains("\"price\":1.10", "\"big\":123456789012345678901234567890", "\"e\":1E+400");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a complete envelope      | { "jsonrpc": "2.0", "id": "a", "method": "message/send", "params": {"message": {"n": 1.10}} }
            no messageId             | {"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"role":"user"}}}
            wrong version            | {"jsonrpc":"1.0","method":"a"}
            version a number         | {"jsonrpc":2,"method":"a"}
            no method                | {"jsonrpc":"2.0","id":1}
            numeric method           | {"jsonrpc":"2.0","method":5}
            neither jsonrpc nor method | {"params":{}}
            method an object         | {"method":{"name":"m"}}
            a batch                  | [{"jsonrpc":"2.0","id":1,"method":"a"}]
            a string                 | "hello"
            a number                 | 42
            a huge exponent          | {"jsonrpc":"2.0","id":1,"method":"m","params":[11E11111111111111111111111]}
            """)
    void everythingElseThatIsJsonPassesAsSentForTheAgentToJudge(String description, String body) {
        assertThat(classify(body)).as(description).isInstanceOf(JsonRpcRequests.Forward.class);
        assertThat(ids.get()).as("no id invented for " + description).isZero();
    }

    @Test
    void theIdOfAForwardedRequestIsKeptAsJsonForAFinalStreamEvent() {
        assertThat(classify("{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"method\":\"m\"}")).isEqualTo(new JsonRpcRequests.Forward("m", "\"req-1\""));
        assertThat(classify("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"m\"}")).isEqualTo(new JsonRpcRequests.Forward("m", "12"));
        assertThat(classify("{\"jsonrpc\":\"2.0\",\"method\":\"m\"}")).isEqualTo(new JsonRpcRequests.Forward("m", "null"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            cut                | {"method":                      | end-of-input
            trailing content   | {"method":"a"} x                | Unrecognized token 'x'
            two objects        | {"method":"a"}{"method":"a"}    | content after its JSON value
            empty              | ''                              | empty
            single quotes      | {'jsonrpc':'2.0'}               | Unexpected character
            NaN                | {"jsonrpc":"2.0","id":NaN}      | Non-standard token 'NaN'
            """)
    void whatIsNotJsonIsUnparsableAndSaysWhy(String description, String body, String problem) {
        assertThat(classify(body)).as(description).isInstanceOfSatisfying(JsonRpcRequests.Unparsable.class,
                u -> assertThat(u.problem()).contains(problem));
    }

    @Test
    void bodiesThatAreNotUtf8AreUnparsable() {
        byte[] latin1 = "{\"jsonrpc\":\"2.0\",\"method\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        byte[] utf16 = "{\"jsonrpc\":\"2.0\",\"method\":\"m\"}".getBytes(StandardCharsets.UTF_16);
        assertThat(JsonRpcRequests.classify(latin1, 0, latin1.length, newId)).isInstanceOf(JsonRpcRequests.Unparsable.class);
        assertThat(JsonRpcRequests.classify(utf16, 0, utf16.length, newId)).isInstanceOf(JsonRpcRequests.Unparsable.class);
        byte[] nested = ("{\"method\":\"m\",\"params\":" + "[".repeat(2000) + "]".repeat(2000) + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(JsonRpcRequests.classify(nested, 0, nested.length, newId)).as("nesting is bounded").isInstanceOf(JsonRpcRequests.Unparsable.class);
    }
}
