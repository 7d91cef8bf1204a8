package dev.tether.proxy.forwarding;

import dev.tether.api.WorkspaceId;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Every exchange in flight, kept per event loop (each loop touches only its own, so the data path takes no lock) and
 * chained per workspace inside it. A dispatch costs an O(1) insert and removal and never touches a timer queue; the
 * one timer asks each loop to {@link #sweep} its own exchanges once per tick (the cut-off precision). A heartbeat or a
 * policy change reaches a workspace's dispatches with one task per loop.
 */
public final class InFlight {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InFlight.class);
    private final Map<EventExecutor, LoopChains> loops = new IdentityHashMap<>();
    private final LongAdder count = new LongAdder();

    public InFlight(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            loops.put(loop, new LoopChains());
        }
    }

    /** Exchanges in flight right now, across loops. */
    public int count() {
        return count.intValue();
    }

    void add(Exchange e) {
        loops.get(e.loop()).add(e);
        count.increment();
    }

    void remove(Exchange e) {
        if (loops.get(e.loop()).remove(e)) {
            count.decrement();
        }
    }

    /** Runs {@code action} on each in-flight exchange of {@code workspace}, each on its own loop. */
    public void forWorkspace(WorkspaceId workspace, Consumer<Exchange> action) {
        loops.forEach((loop, chains) -> loop.execute(() -> chains.each(workspace, action)));
    }

    /** A healthy heartbeat of {@code workspace}: its silent dispatches are making progress. */
    public void heartbeat(WorkspaceId workspace) {
        forWorkspace(workspace, Exchange::progress);
    }

    /** The workspace's idle window is now {@code window}: its dispatches take it as the in-flight rule allows. */
    public void windowChanged(WorkspaceId workspace, IdleWindow window) {
        forWorkspace(workspace, e -> e.window(window));
    }

    /** Runs {@code action} on every exchange in flight (shutdown), each on its own loop. */
    public void forAll(Consumer<Exchange> action) {
        loops.forEach((loop, chains) -> loop.execute(() -> chains.all(action)));
    }

    /** Checks the limits of {@code loop}'s exchanges; runs on that loop. */
    void sweep(EventExecutor loop, long now) {
        loops.get(loop).all(e -> {
            try {
                e.check(now);
            } catch (RuntimeException ex) {
                LOG.atWarn().setCause(ex).addKeyValue("workspace", e.workspace()).log("checking an exchange's limits failed: {}", ex.toString());
            }
        });
    }

    /** One loop's exchanges, chained by workspace (intrusive links, no allocation per exchange); touched by that loop only. */
    private static final class LoopChains {
        private final Map<WorkspaceId, Exchange> heads = new HashMap<>();

        void add(Exchange e) {
            Exchange head = heads.get(e.workspace());
            e.prev = null;
            e.next = head;
            if (head != null) {
                head.prev = e;
            }
            heads.put(e.workspace(), e);
            e.linked = true;
        }

        boolean remove(Exchange e) {
            if (!e.linked) {
                return false;
            }
            e.linked = false;
            if (e.prev != null) {
                e.prev.next = e.next;
            } else if (e.next != null) {
                heads.put(e.workspace(), e.next);
            } else {
                heads.remove(e.workspace());
            }
            if (e.next != null) {
                e.next.prev = e.prev;
            }
            e.prev = null;
            e.next = null;
            return true;
        }

        void each(WorkspaceId workspace, Consumer<Exchange> action) {
            for (Exchange e : snapshot(heads.get(workspace))) {
                action.accept(e);
            }
        }

        void all(Consumer<Exchange> action) {
            List<Exchange> all = new ArrayList<>();
            heads.values().forEach(head -> all.addAll(snapshot(head)));
            all.forEach(action);
        }

        /** The chain as a list: actions may end exchanges, which unlinks them mid-walk. */
        private static List<Exchange> snapshot(Exchange head) {
            List<Exchange> list = new ArrayList<>();
            for (Exchange e = head; e != null; e = e.next) {
                list.add(e);
            }
            return list;
        }
    }
}
