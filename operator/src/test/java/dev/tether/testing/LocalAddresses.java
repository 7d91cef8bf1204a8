package dev.tether.testing;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Addresses of this machine for tests that must name it as a pod would be named (an API server refuses loopback there). */
public final class LocalAddresses {
    private LocalAddresses() {
    }

    /** An IPv4 address of an interface that is up and not loopback. */
    public static String nonLoopbackIpv4() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback()) {
                    for (var address : Collections.list(nic.getInetAddresses())) {
                        if (address instanceof Inet4Address v4 && !v4.isLinkLocalAddress()) {
                            return v4.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list this machine's network interfaces", e);
        }
        throw new IllegalStateException("this machine has no IPv4 address besides loopback; the test needs one to name itself");
    }
}
