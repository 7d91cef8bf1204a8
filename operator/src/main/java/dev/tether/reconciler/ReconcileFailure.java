package dev.tether.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Why a reconcile failed, in words for the Workspace's {@code Ready} condition, its event and the log: what the
 * reconciler could not do and what the API server said, never a token or a Secret's data.
 */
final class ReconcileFailure extends RuntimeException {
    /** Longer causes are cut: a condition message is read in {@code kubectl describe}. */
    static final int MAX_MESSAGE = 512;

    /** @param message what went wrong and, where the user can act on it, what to do */
    ReconcileFailure(String message) {
        super(message, null, false, false);
    }

    /** The words for any exception a reconcile ended with. */
    static String describe(Exception e) {
        String text;
        if (e instanceof ReconcileFailure failure) {
            text = failure.getMessage();
        } else if (e instanceof KubernetesClientException k && k.getCode() > 0) {
            String said = k.getStatus() == null ? null : k.getStatus().getMessage();
            text = "the API server answered " + k.getCode() + (said == null || said.isBlank() ? "" : ": " + said);
        } else if (e instanceof KubernetesClientException k) {
            Throwable cause = k.getCause() == null ? k : k.getCause();
            text = "the API server cannot be reached (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
        } else {
            text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }
}
