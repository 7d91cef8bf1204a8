package dev.tether.api;

/** Which rule produced the effective idle timeout. */
public enum DispatchSource {
    Spec, Runtime, Default
}
