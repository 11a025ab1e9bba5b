package io.jenkins.plugins.teleport.auth.locks;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Which locks are in force against what: pure functions over the stored locks. */
public final class LockRules {

    private LockRules() {}

    /** What a lock is checked against: who is acting, the access requests involved, the certificate serials. */
    public record Subject(Optional<ClientIdentity> identity, List<String> requestIds, List<String> serials) {
        public static Subject of(ClientIdentity identity, List<String> requestIds, List<String> serials) {
            return new Subject(Optional.of(identity), requestIds, serials);
        }
    }

    /** Whether a lock is still in force at {@code now}. */
    public static boolean inForce(Lock lock, Instant now) {
        return lock.spec().expires().map(now::isBefore).orElse(true);
    }

    /** Whether every field the lock's target sets matches the subject. */
    public static boolean matches(Lock.Target target, Subject subject) {
        if (target.isEmpty()) {
            return false;
        }
        boolean user = target.user().isEmpty() || subject.identity()
                .filter(i -> i.type() == ClientIdentity.Type.USER && i.name().equals(target.user())).isPresent();
        boolean bot = target.bot().isEmpty() || subject.identity()
                .filter(i -> i.type() == ClientIdentity.Type.BOT && i.name().equals(target.bot())).isPresent();
        boolean request = target.accessRequest().isEmpty() || subject.requestIds().contains(target.accessRequest());
        boolean serial = target.serial().isEmpty() || subject.serials().stream().anyMatch(target.serial()::equalsIgnoreCase);
        return user && bot && request && serial;
    }

    /** The first lock in force that matches, if any. */
    public static Optional<Lock> find(List<Lock> locks, Subject subject, Instant now) {
        return locks.stream().filter(l -> inForce(l, now) && matches(l.spec().target(), subject)).findFirst();
    }

    /** Refuses with {@code locked}, naming the lock and its message, if a lock in force matches. */
    public static void check(List<Lock> locks, Subject subject, Instant now) {
        find(locks, subject, now).ifPresent(lock -> {
            throw new ApiException(ErrorCode.LOCKED, "locked by lock " + lock.name()
                    + (lock.spec().message().isEmpty() ? "" : " (" + lock.spec().message() + ")")
                    + lock.spec().expires().map(t -> " until " + t).orElse("") + ": an administrator must remove it (tctl locks rm)");
        });
    }
}
