package dev.tether.testing;

import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** A role's probes as the kubelet calls them. */
public final class Probes {
    private static final OkHttpClient HTTP = new OkHttpClient();

    private Probes() {
    }

    /** True when {@code GET <baseUrl>/readyz} answers 200. */
    public static boolean ready(String baseUrl) {
        try (Response response = HTTP.newCall(new Request.Builder().url(baseUrl + "/readyz").build()).execute()) {
            return response.code() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
