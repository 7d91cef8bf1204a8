package dev.tether.policy;

import dev.tether.api.DispatchSource;
import dev.tether.api.DispatchSpec;
import dev.tether.api.DispatchStatus;

/**
 * Who wins the idle timeout: the admin's spec override; else the runtime's declaration clamped to
 * [global minimum, min(spec maximum, global maximum)]; else the platform default. Pure, so the
 * reconciler and the tests share the one definition.
 */
public final class DispatchPolicy {
    private DispatchPolicy() {
    }

    /**
     * @param spec     {@code spec.dispatch}, may be null
     * @param declared the runtime's declared idle timeout in seconds ({@code status.runtime.idleTimeoutSeconds}),
     *                 null when it declared none; non-positive values count as none
     */
    public static DispatchStatus resolve(DispatchSpec spec, Integer declared, PolicySettings settings) {
        int maxDuration = spec != null && spec.maxDurationSeconds() != null
                ? spec.maxDurationSeconds()
                : settings.defaultMaxDurationSeconds();
        if (spec != null && spec.idleTimeoutSeconds() != null) {
            return new DispatchStatus(spec.idleTimeoutSeconds(), DispatchSource.Spec, false, maxDuration);
        }
        if (declared != null && declared > 0) {
            int upper = settings.maxIdleSeconds();
            if (spec != null && spec.maxIdleTimeoutSeconds() != null) {
                upper = Math.min(upper, spec.maxIdleTimeoutSeconds());
            }
            // An admin maximum below the global minimum still caps: the tighter bound wins.
            int effective = Math.min(Math.max(declared, settings.minIdleSeconds()), upper);
            return new DispatchStatus(effective, DispatchSource.Runtime, effective != declared, maxDuration);
        }
        return new DispatchStatus(settings.defaultIdleSeconds(), DispatchSource.Default, false, maxDuration);
    }
}
