package dev.dropzone.gateway.admin;

import java.time.Duration;

/**
 * Where the admin HTTP endpoint listens and how it answers.
 *
 * @param bind the address to listen on
 * @param port the port (0 = any free port)
 * @param token the bearer token every request must carry, or null when none is required
 * @param checkCacheTtl how long a readiness check's result is reused, so that probes cannot hammer
 *     S3 or the key service
 * @param checkTimeout how long a readiness check may take before it counts as failed
 */
public record AdminSettings(
    String bind, int port, BearerToken token, Duration checkCacheTtl, Duration checkTimeout) {}
