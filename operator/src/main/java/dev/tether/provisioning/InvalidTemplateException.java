package dev.tether.provisioning;

/** spec.template cannot become a Deployment: the message names the field and what is wrong with it. */
public final class InvalidTemplateException extends RuntimeException {
    public InvalidTemplateException(String message) {
        super(message);
    }
}
