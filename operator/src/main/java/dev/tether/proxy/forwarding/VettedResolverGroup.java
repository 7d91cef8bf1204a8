package dev.tether.proxy.forwarding;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.NameResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * DNS resolution for the hosts of runtime-registered agent URLs that fails, at connect time, for an address
 * {@link AgentAddressRule} refuses: the connection is never opened.
 */
public final class VettedResolverGroup extends DnsAddressResolverGroup {
    private final AgentAddressRule rule;

    public VettedResolverGroup(Class<? extends DatagramChannel> datagram, AgentAddressRule rule) {
        super(datagram, DnsServerAddressStreamProviders.platformDefault());
        this.rule = rule;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newAddressResolver(EventLoop loop, NameResolver<java.net.InetAddress> names) throws Exception {
        return new Vetting(loop, super.newAddressResolver(loop, names), rule);
    }

    /** The address was resolved and refused; the message says what kind it is, never which. */
    public static final class RefusedAddressException extends Exception {
        RefusedAddressException(String what) {
            super("resolves to " + what + ", which the proxy does not call for a registered URL", null, false, false);
        }
    }

    private static final class Vetting extends AbstractAddressResolver<InetSocketAddress> {
        private final AddressResolver<InetSocketAddress> inner;
        private final AgentAddressRule rule;

        Vetting(EventExecutor executor, AddressResolver<InetSocketAddress> inner, AgentAddressRule rule) {
            super(executor, InetSocketAddress.class);
            this.inner = inner;
            this.rule = rule;
        }

        @Override
        protected boolean doIsResolved(InetSocketAddress address) {
            return !address.isUnresolved();
        }

        @Override
        protected void doResolve(InetSocketAddress unresolved, Promise<InetSocketAddress> promise) {
            inner.resolve(unresolved).addListener(f -> {
                if (!f.isSuccess()) {
                    promise.setFailure(f.cause());
                    return;
                }
                InetSocketAddress resolved = (InetSocketAddress) f.getNow();
                String refusal = rule.refusal(resolved);
                if (refusal == null) {
                    promise.setSuccess(resolved);
                } else {
                    promise.setFailure(new RefusedAddressException(refusal));
                }
            });
        }

        @Override
        protected void doResolveAll(InetSocketAddress unresolved, Promise<List<InetSocketAddress>> promise) {
            inner.resolveAll(unresolved).addListener(f -> {
                if (!f.isSuccess()) {
                    promise.setFailure(f.cause());
                    return;
                }
                List<InetSocketAddress> kept = new ArrayList<>();
                String refusal = null;
                for (Object a : (List<?>) f.getNow()) {
                    String why = rule.refusal((InetSocketAddress) a);
                    if (why == null) {
                        kept.add((InetSocketAddress) a);
                    } else {
                        refusal = why;
                    }
                }
                if (kept.isEmpty()) {
                    promise.setFailure(new RefusedAddressException(refusal));
                } else {
                    promise.setSuccess(kept);
                }
            });
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
