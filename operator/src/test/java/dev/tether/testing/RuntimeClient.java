package dev.tether.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** What an agent runtime does over HTTP: post JSON to the registry endpoints with its bearer token. */
public final class RuntimeClient {
    public static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OkHttpClient http = new OkHttpClient();
    private final String baseUrl;

    /** A response as the runtime sees it. */
    public record Reply(int status, JsonNode body, String retryAfter) {
        public String error() {
            return body.path("error").asText();
        }
    }

    public RuntimeClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Reply post(String path, String token, String json) {
        return send(new Request.Builder().url(baseUrl + path).post(RequestBody.create(json, JSON)), token);
    }

    public Reply send(Request.Builder request, String token) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (Response response = http.newCall(request.build()).execute()) {
            String text = response.body().string();
            JsonNode body = text.isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(text);
            return new Reply(response.code(), body, response.header("Retry-After"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Reply heartbeat(String token, String json) {
        return post("/registry/heartbeat", token, json);
    }
}
