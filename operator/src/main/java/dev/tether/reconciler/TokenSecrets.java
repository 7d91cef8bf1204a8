package dev.tether.reconciler;

import dev.tether.api.Workspace;
import dev.tether.kube.OwnerReferences;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * The per-workspace heartbeat token: a Secret {@code <name>-tether-token} with key {@code token},
 * owned by the Workspace (garbage-collected with it) and labelled so informers select only these.
 */
public final class TokenSecrets {
    public static final String TOKEN_KEY = "token";
    public static final String WORKSPACE_LABEL = "tether.dev/workspace";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String COMPONENT = "workspace-token";
    /** Selects every token Secret, for informers. */
    public static final String SELECTOR = COMPONENT_LABEL + "=" + COMPONENT;
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    public static String name(Workspace ws) {
        return name(ws.getMetadata().getName());
    }

    public static String name(String workspaceName) {
        return workspaceName + "-tether-token";
    }

    /** A new Secret holding a fresh random token (32 bytes, URL-safe base64 without padding). */
    public static Secret newSecret(Workspace ws) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name(ws))
                .withNamespace(ws.getMetadata().getNamespace())
                .withLabels(Map.of(
                        WORKSPACE_LABEL, ws.getMetadata().getName(),
                        COMPONENT_LABEL, COMPONENT,
                        "app.kubernetes.io/managed-by", "tether"))
                .withOwnerReferences(OwnerReferences.controlledBy(ws))
                .endMetadata()
                .withType("Opaque")
                .withData(freshData())
                .build();
    }

    /** True when the Secret carries the token Secret label and an owner reference to this workspace. */
    static boolean belongsTo(Secret secret, Workspace ws) {
        Map<String, String> labels = secret.getMetadata().getLabels();
        return labels != null && COMPONENT.equals(labels.get(COMPONENT_LABEL))
                && secret.getMetadata().getOwnerReferences() != null
                && secret.getMetadata().getOwnerReferences().stream().anyMatch(o -> ws.getMetadata().getUid().equals(o.getUid()));
    }

    /**
     * A fresh random token as a Secret's {@code data}: data, not stringData, because the API server converts
     * stringData, but an embedded API stores what it is given, and {@code kubectl get secret -o
     * jsonpath={.data.token}} must work on both.
     */
    static Map<String, String> freshData() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return Map.of(TOKEN_KEY, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 of a token, hex: what status publishes so callers can be verified without the Secret. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /**
     * The token in a Secret, or null when it holds no usable one: no {@code token} key, or a value that is not base64
     * of UTF-8 text, or blank. Never throws: a Secret anyone can edit must not turn a heartbeat into a 500.
     */
    public static String token(Secret secret) {
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(TOKEN_KEY);
        if (encoded == null) {
            return null;
        }
        try {
            String token = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Base64.getDecoder().decode(encoded))).toString();
            return token.isBlank() ? null : token;
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return null;
        }
    }
}
