package dev.tether.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
