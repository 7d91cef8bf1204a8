package dev.tether.proxy.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Rendezvous (highest random weight) hashing: the owner of a key is the member whose hash with it scores highest. Every
 * replica that sees the same members picks the same owner without talking to the others, and when a member leaves only
 * the keys it owned move. Pure.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    public static Optional<String> owner(String key, List<String> members) {
        String best = null;
        long bestScore = 0;
        for (String member : members) {
            long score = score(key, member);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || score == bestScore && member.compareTo(best) < 0) {
                best = member;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    static long score(String key, String member) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((key + '\n' + member).getBytes(StandardCharsets.UTF_8));
            long score = 0;
            for (int i = 0; i < 8; i++) {
                score = score << 8 | digest[i] & 0xff;
            }
            return score;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
