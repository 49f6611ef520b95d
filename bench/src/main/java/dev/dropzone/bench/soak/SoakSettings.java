package dev.dropzone.bench.soak;

import java.time.Duration;

/**
 * The size and pace of a soak run, from {@code -Dsoak.<name>} system properties.
 *
 * @param clients well-behaved clients, each its own user
 * @param minutes how long they work
 * @param maxFileMib the largest file a client uploads (some cross the 8 MiB part size)
 * @param passivePorts the size of the gateway's passive port range
 * @param idleConnections connections that never log in, opened per round
 * @param commandDeadline the gateway's {@code s3.commandDeadline}
 * @param pauseEvery mean time between S3 pauses
 * @param longestPause the longest pause (each lasts between a fifth of it and all of it)
 * @param seed what every client's random choices and file contents derive from
 */
record SoakSettings(
    int clients,
    double minutes,
    int maxFileMib,
    int passivePorts,
    int idleConnections,
    Duration commandDeadline,
    Duration pauseEvery,
    Duration longestPause,
    long seed) {

  static SoakSettings fromSystemProperties() {
    return new SoakSettings(
        Integer.getInteger("soak.clients", 8),
        Double.parseDouble(System.getProperty("soak.minutes", "5")),
        Integer.getInteger("soak.maxFileMib", 10),
        Integer.getInteger("soak.passivePorts", 24),
        Integer.getInteger("soak.idleConnections", 30),
        Duration.ofSeconds(Integer.getInteger("soak.commandDeadlineSeconds", 5)),
        Duration.ofSeconds(Integer.getInteger("soak.pauseEverySeconds", 40)),
        Duration.ofSeconds(Integer.getInteger("soak.longestPauseSeconds", 20)),
        Long.getLong("soak.seed", 20261204L));
  }

  Duration duration() {
    return Duration.ofMillis((long) (minutes * 60_000));
  }

  @Override
  public String toString() {
    return String.format(
        "clients=%d minutes=%s maxFileMib=%d passivePorts=%d idleConnections=%d"
            + " commandDeadlineSeconds=%d pauseEverySeconds=%d longestPauseSeconds=%d seed=%d",
        clients,
        minutes,
        maxFileMib,
        passivePorts,
        idleConnections,
        commandDeadline.toSeconds(),
        pauseEvery.toSeconds(),
        longestPause.toSeconds(),
        seed);
  }
}
