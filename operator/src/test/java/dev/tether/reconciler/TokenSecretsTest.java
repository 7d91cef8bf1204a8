package dev.tether.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What counts as a usable token in a Secret anyone with access can edit: anything else reads as no token, never as an error. */
class TokenSecretsTest {
    static Secret withToken(String data) {
        return new SecretBuilder().withNewMetadata().withName("w-tether-token").endMetadata().withData(Map.of("token", data)).build();
    }

    @ParameterizedTest(name = "data.token = \"{0}\"")
    @ValueSource(strings = {"%%% not base64 %%%", "dG9r=ZW4", "////", "", "ICAg"})
    void dataThatIsNotBase64OfTextIsNoToken(String data) {
        // "////" decodes to 0xFF bytes (not UTF-8); "ICAg" is three spaces.
        assertThat(TokenSecrets.token(withToken(data))).isNull();
    }

    @ParameterizedTest(name = "data.token = \"{0}\"")
    @ValueSource(strings = {"dG9rZW4="})
    void base64OfTextIsTheToken(String data) {
        assertThat(TokenSecrets.token(withToken(data))).isEqualTo("token");
    }
}
