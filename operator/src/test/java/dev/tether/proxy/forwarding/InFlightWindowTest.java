package dev.tether.proxy.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.api.DispatchSource;
import org.junit.jupiter.api.Test;

/**
 * What an in-flight dispatch's idle window becomes when the workspace's policy changes under it: the admin's word
 * applies live both ways, the runtime's own changes only when they lengthen the window.
 */
class InFlightWindowTest {
    static IdleWindow runtime(int seconds) {
        return new IdleWindow(seconds, DispatchSource.Runtime, false);
    }

    @Test
    void theRuntimeShorteningOrDroppingItsDeclarationDoesNotCutADispatchShort() {
        assertThat(runtime(600).changedTo(runtime(60))).isEqualTo(runtime(600));
        assertThat(runtime(600).changedTo(new IdleWindow(300, DispatchSource.Default, false))).isEqualTo(runtime(600));
    }

    @Test
    void aLongerWindowAppliesLive() {
        assertThat(runtime(60).changedTo(runtime(600))).isEqualTo(runtime(600));
        IdleWindow longerDefault = new IdleWindow(900, DispatchSource.Default, false);
        assertThat(runtime(60).changedTo(longerDefault)).isEqualTo(longerDefault);
    }

    @Test
    void theAdminsOverrideAndBoundsApplyLiveEvenWhenShorter() {
        IdleWindow override = new IdleWindow(30, DispatchSource.Spec, false);
        assertThat(runtime(600).changedTo(override)).as("spec.dispatch.idleTimeoutSeconds set").isEqualTo(override);

        IdleWindow clamped = new IdleWindow(120, DispatchSource.Runtime, true);
        assertThat(runtime(600).changedTo(clamped)).as("spec.dispatch.maxIdleTimeoutSeconds lowered").isEqualTo(clamped);

        IdleWindow lifted = new IdleWindow(300, DispatchSource.Default, false);
        assertThat(new IdleWindow(900, DispatchSource.Spec, false).changedTo(lifted)).as("override removed").isEqualTo(lifted);
    }
}
