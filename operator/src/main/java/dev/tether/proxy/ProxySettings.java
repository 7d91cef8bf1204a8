package dev.tether.proxy;

import dev.tether.config.BaseUrls;
import dev.tether.config.DurationConverter;
import dev.tether.config.InvalidSettingException;
import dev.tether.http.BearerTokens;
import dev.tether.policy.PolicySettings;
import dev.tether.proxy.forwarding.AgentAddressRule;
import dev.tether.reconciler.TokenSecrets;
import java.time.Duration;
import java.util.List;

/**
 * How a dispatch proxy runs. Invalid values stop start-up with a message naming the flag.
 *
 * @param host              interface to bind ({@code 0.0.0.0} in a pod, {@code 127.0.0.1} embedded)
 * @param port              HTTP port; 0 picks a free one
 * @param namespaces        namespaces whose Workspaces are served; empty serves all
 * @param defaultNamespace  where {@code /workspaces/{name}/a2a} resolves
 * @param defaultIdleTimeout the window until the reconciler has written {@code status.dispatch}
 * @param defaultMaxDuration the agent-to-agent ceiling until the reconciler has written one
 * @param sseKeepalive      how long an agent stream may be silent before the proxy sends a comment
 * @param drainTimeout      how long a stop waits for in-flight dispatches
 * @param maxRequestBytes   request body cap (413 above it)
 * @param maxResponseBytes  agent answer cap (502 when declared above it, cut off past it); also the largest single SSE event
 * @param canvasTokenSha256 SHA-256 (hex) of the token canvas calls (no {@code X-Workspace-ID}) must present;
 *                          null leaves canvas calls open. Only the hash is kept, so the settings can be logged.
 * @param registryUrl       the operator's base URL, where {@code /registry/*} is relayed so runtimes need one platform
 *                          URL; null: this proxy answers those routes 404
 * @param eventLoops        threads serving callers and agents (each connection stays on one); 0: one per core
 * @param trustForwardedHeaders whether {@code X-Forwarded-Proto/-Host} (set by an ingress in front) name the proxy's
 *                          public address in served agent cards; off, a caller could otherwise choose what cards say
 * @param allowedRegisteredNetworks CIDRs where runtime-registered URLs may lead although the address rule refuses them
 *                          otherwise (loopback, link-local, ...): a development machine's agents on 127.0.0.1
 * @param peers             the proxy Service whose ready endpoints are this proxy's replicas (they share each workspace's
 *                          task slots by relaying to its owner); null: this proxy is the only one
 * @param activityNamespace where this proxy writes its activity Leases (provisioned workspaces it dispatches to), which
 *                          the operator reads before hibernating a workspace and as a wake request
 */
public record ProxySettings(String host, int port, List<String> namespaces, String defaultNamespace,
        Duration defaultIdleTimeout, Duration defaultMaxDuration, Duration sseKeepalive, Duration drainTimeout,
        int maxRequestBytes, int maxResponseBytes, String canvasTokenSha256, String registryUrl, int eventLoops,
        boolean trustForwardedHeaders, List<String> allowedRegisteredNetworks, Peers peers, String activityNamespace) {

    public static final int MIB = 1 << 20;

    /**
     * The Service listing the proxy replicas.
     *
     * @param namespace     where it is (the proxy's own namespace)
     * @param service       its name; its port {@code http} is where replicas take relayed calls
     * @param advertiseHost this replica's address among its endpoints (the pod IP)
     */
    public record Peers(String namespace, String service, String advertiseHost) {
        public Peers {
            if (namespace == null || namespace.isBlank()) {
                throw new InvalidSettingException("--peer-namespace", "must name the proxy's namespace when --peer-service is set");
            }
            if (advertiseHost == null || advertiseHost.isBlank()) {
                throw new InvalidSettingException("--advertise-host", "must be this replica's address (its pod IP) when --peer-service is set");
            }
        }
    }

    public ProxySettings {
        if (port < 0 || port > 65_535) {
            throw new InvalidSettingException("--port", "must be between 0 and 65535, got " + port);
        }
        namespaces = List.copyOf(namespaces);
        if (defaultNamespace == null || defaultNamespace.isBlank()) {
            throw new InvalidSettingException("--default-namespace", "must name a namespace");
        }
        if (activityNamespace == null || activityNamespace.isBlank()) {
            throw new InvalidSettingException("--activity-namespace", "must name a namespace");
        }
        PolicySettings.requireWholeSeconds("--default-idle-timeout", defaultIdleTimeout);
        PolicySettings.requireWholeSeconds("--default-max-duration", defaultMaxDuration);
        if (sseKeepalive == null || sseKeepalive.isNegative() || sseKeepalive.isZero() || sseKeepalive.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidSettingException("--sse-keepalive", "must be positive and at most 1h, got "
                    + (sseKeepalive == null ? "nothing" : DurationConverter.format(sseKeepalive)));
        }
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new InvalidSettingException("drain timeout", "must not be negative");
        }
        if (maxRequestBytes <= 0 || maxResponseBytes <= 0) {
            throw new InvalidSettingException("body limits", "must be positive");
        }
        registryUrl = BaseUrls.parse("--registry-url", registryUrl);
        if (eventLoops < 0 || eventLoops > 256) {
            throw new InvalidSettingException("--event-loops", "must be between 0 (one per core) and 256, got " + eventLoops);
        }
        allowedRegisteredNetworks = List.copyOf(allowedRegisteredNetworks);
        for (String cidr : allowedRegisteredNetworks) {
            try {
                AgentAddressRule.network(cidr);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("--allow-registered-networks", e.getMessage());
            }
        }
    }

    /** The event-loop threads to run: the setting, or one per core the JVM may use. */
    public int effectiveEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults as documented for {@code tether proxy}; tests and the dev role change what they need. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8090;
        private List<String> namespaces = List.of();
        private Peers peers;
        private String defaultNamespace = "default";
        private String activityNamespace = "default";
        private Duration defaultIdleTimeout = PolicySettings.DEFAULTS.defaultIdleTimeout();
        private Duration defaultMaxDuration = PolicySettings.DEFAULTS.defaultMaxDuration();
        private Duration sseKeepalive = Duration.ofSeconds(15);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private String canvasTokenSha256;
        private String registryUrl;
        private int eventLoops;
        private boolean trustForwardedHeaders;
        private List<String> allowedRegisteredNetworks = List.of();

        private Builder() {
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder namespaces(List<String> value) {
            namespaces = value;
            return this;
        }

        public Builder defaultNamespace(String value) {
            defaultNamespace = value;
            return this;
        }

        public Builder defaultIdleTimeout(Duration value) {
            defaultIdleTimeout = value;
            return this;
        }

        public Builder defaultMaxDuration(Duration value) {
            defaultMaxDuration = value;
            return this;
        }

        public Builder sseKeepalive(Duration value) {
            sseKeepalive = value;
            return this;
        }

        public Builder drainTimeout(Duration value) {
            drainTimeout = value;
            return this;
        }

        /**
         * Requires canvas calls to carry {@code Authorization: Bearer <token>}; null leaves them open.
         * A token no caller could send (blank, or longer than a bearer token may be) stops start-up.
         */
        public Builder canvasToken(String token) {
            if (token == null) {
                canvasTokenSha256 = null;
                return this;
            }
            String t = token.strip();
            if (t.isEmpty() || t.length() > BearerTokens.MAX_TOKEN || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw new InvalidSettingException("--canvas-token-file", "the canvas token must be 1 to " + BearerTokens.MAX_TOKEN
                        + " printable ASCII characters without spaces (TETHER_CANVAS_TOKEN or the file's content)");
            }
            canvasTokenSha256 = TokenSecrets.sha256(t);
            return this;
        }

        /** The operator's base URL, to relay {@code /registry/*} to; null answers those routes 404. */
        public Builder registryUrl(String value) {
            registryUrl = value;
            return this;
        }

        /** Event-loop threads; 0 for one per core. */
        public Builder eventLoops(int value) {
            eventLoops = value;
            return this;
        }

        /** Trust {@code X-Forwarded-Proto/-Host} from an ingress in front when writing served agent cards. */
        public Builder trustForwardedHeaders(boolean value) {
            trustForwardedHeaders = value;
            return this;
        }

        /** CIDRs where registered URLs may lead although otherwise refused (loopback for a one-machine setup). */
        public Builder allowedRegisteredNetworks(List<String> value) {
            allowedRegisteredNetworks = value;
            return this;
        }

        /** Where this proxy's activity Leases go; the operator must read the same namespace. */
        public Builder activityNamespace(String value) {
            activityNamespace = value;
            return this;
        }

        /** Shares task slots with the other replicas behind {@code value}'s Service (null: the only replica). */
        public Builder peers(Peers value) {
            peers = value;
            return this;
        }

        public ProxySettings build() {
            return new ProxySettings(host, port, namespaces, defaultNamespace, defaultIdleTimeout, defaultMaxDuration,
                    sseKeepalive, drainTimeout, MIB, 10 * MIB, canvasTokenSha256, registryUrl, eventLoops, trustForwardedHeaders,
                    allowedRegisteredNetworks, peers, activityNamespace);
        }
    }
}
