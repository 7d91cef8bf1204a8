package dev.tether.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bodies are UTF-8 and nothing else; a UTF-8 byte order mark is still tolerated, as before. */
class RequestBodiesTest {

    @Test
    void aUtf8ByteOrderMarkIsSkipped() {
        byte[] body = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThat(RequestBodies.utf8(body)).isEqualTo("{}");
    }

    @Test
    void utf8TextIsDecodedAsItIs() {
        assertThat(RequestBodies.utf8("{\"a\":\"é \uD83D\uDE80\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"a\":\"é \uD83D\uDE80\"}");
    }

    @Test
    void utf16AndOverlongFormsAreA400() {
        for (byte[] body : new byte[][] {"{}".getBytes(StandardCharsets.UTF_16), {'"', (byte) 0xC0, (byte) 0xAF, '"'},
                {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}}) {
            assertThatThrownBy(() -> RequestBodies.utf8(body)).isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void jsonIsParsedTheSameWhetherOrNotItTakesTheAsciiPath() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        byte[] ascii = "{\"a\":\"\\u00e9\",\"n\":[1,2]}".getBytes(StandardCharsets.US_ASCII);
        byte[] utf8 = "\uFEFF{\"a\":\"é\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        assertThat(RequestBodies.readJson(mapper, ascii)).isEqualTo(RequestBodies.readJson(mapper, utf8))
                .isEqualTo(mapper.readTree("{\"a\":\"é\",\"n\":[1,2]}"));
    }

    @Test
    void jsonThatIsNotUtf8IsNeverParsedAsJacksonWouldGuessIt() {
        for (byte[] body : new byte[][] {"{}".getBytes(StandardCharsets.UTF_16), {'"', (byte) 0xC0, (byte) 0xAF, '"'}}) {
            assertThatThrownBy(() -> RequestBodies.readJson(new ObjectMapper(), body))
                    .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(400));
        }
        // Without a byte order mark UTF-16 is valid UTF-8 full of NULs: not JSON, where Jackson alone would read {}.
        for (byte[] body : new byte[][] {"{}".getBytes(StandardCharsets.UTF_16LE), "{}".getBytes(StandardCharsets.UTF_16BE)}) {
            assertThatThrownBy(() -> RequestBodies.readJson(new ObjectMapper(), body)).isInstanceOf(JsonProcessingException.class);
        }
    }
}
