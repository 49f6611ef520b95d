package dev.dropzone.gateway.ftp.login;

import dev.dropzone.gateway.auth.Authenticator;
import dev.dropzone.gateway.ftp.connection.ConnectionGuard;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What logging in needs, shared by every login attempt of one server.
 *
 * @param authenticator checks passwords
 * @param throttle failed-login bans and pauses
 * @param checks where password checks run
 * @param guard moves a connection into the logged-in budget
 * @param sessions per-user session counts
 * @param timers runs delayed answers
 * @param failureDelay how long a failed login waits for its answer
 * @param maxIdleSeconds idle timeout of a logged-in session
 */
public record Logins(
    Authenticator authenticator,
    LoginThrottle throttle,
    PasswordChecks checks,
    ConnectionGuard guard,
    UserSessions sessions,
    ScheduledExecutorService timers,
    Duration failureDelay,
    int maxIdleSeconds) {}
