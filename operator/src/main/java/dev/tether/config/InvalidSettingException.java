package dev.tether.config;

/** A setting that must stop start-up; the message names the flag so the fix is obvious. */
public final class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String flag, String problem) {
        super("invalid setting " + flag + ": " + problem);
    }
}
