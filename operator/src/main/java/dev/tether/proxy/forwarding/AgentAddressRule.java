package dev.tether.proxy.forwarding;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * Where a runtime-registered agent URL may lead, judged on the address its host resolved to when the proxy connects
 * (so a name that resolves elsewhere later, or a literal in another notation, is judged by where it really goes).
 * Never the cluster's API server; otherwise not loopback, link-local (169.254.0.0/16, fe80::/10, which hold the
 * cloud metadata endpoints), unspecified, multicast or the other clouds' metadata addresses, unless an operator
 * allowed that network ({@code --allow-registered-networks}, for development on one machine). {@code spec.url},
 * set by whoever may edit the Workspace, is not judged. Pure.
 */
public record AgentAddressRule(List<IpSubnetFilterRule> allowed, Set<InetSocketAddress> clusterApi) {
    private static final Set<InetAddress> METADATA = Set.of(address("100.100.100.200"), address("fd00:ec2::254"));

    public AgentAddressRule {
        allowed = List.copyOf(allowed);
        clusterApi = Set.copyOf(clusterApi);
    }

    /** A CIDR such as {@code 127.0.0.0/8} or {@code fd00::/8}; the message names what is wrong with it. */
    public static IpSubnetFilterRule network(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR (address/prefix length)");
        }
        try {
            return new IpSubnetFilterRule(cidr.substring(0, slash).trim(), Integer.parseInt(cidr.substring(slash + 1).trim()),
                    IpFilterRuleType.ACCEPT);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR (address/prefix length): " + e.getMessage());
        }
    }

    /** Why the proxy must not connect to {@code target} for a registered URL, or null when it may. */
    public String refusal(InetSocketAddress target) {
        if (clusterApi.contains(target)) {
            return "the cluster's API server";
        }
        for (IpSubnetFilterRule rule : allowed) {
            if (rule.matches(target)) {
                return null;
            }
        }
        InetAddress a = target.getAddress();
        if (a.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address (where cloud metadata endpoints live)";
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        if (METADATA.contains(a)) {
            return "a cloud metadata endpoint";
        }
        return null;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
