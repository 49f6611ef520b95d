package dev.dropzone.gateway.runtime;

/** Closes a component when the JVM is asked to stop (SIGTERM, Ctrl-C). */
public final class ShutdownHook {

  private ShutdownHook() {}

  /** Registers {@code component} to be closed on JVM shutdown; returns the registered thread. */
  public static Thread install(AutoCloseable component) {
    Thread hook =
        new Thread(
            () -> {
              try {
                component.close();
              } catch (Exception e) {
                System.err.println("Error during shutdown: " + e);
              }
            },
            "dropzone-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }
}
