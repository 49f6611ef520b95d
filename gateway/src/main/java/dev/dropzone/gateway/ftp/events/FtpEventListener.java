package dev.dropzone.gateway.ftp.events;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the FTP server's {@link FtpEvent}s. Called on whichever thread the event happened
 * (command, transfer, login or I/O thread): implementations are thread-safe and quick, and never
 * block on the client.
 */
@FunctionalInterface
public interface FtpEventListener {

  void on(FtpEvent event);

  /** Hands each event to every one of {@code listeners}; one that throws does not stop the rest. */
  static FtpEventListener all(List<FtpEventListener> listeners) {
    List<FtpEventListener> copy = List.copyOf(listeners);
    Logger log = LoggerFactory.getLogger(FtpEventListener.class);
    return event -> {
      for (FtpEventListener listener : copy) {
        try {
          listener.on(event);
        } catch (RuntimeException e) {
          log.error(
              "{} failed on a {} event; the other consumers got it",
              listener,
              event.getClass().getSimpleName(),
              e);
        }
      }
    };
  }
}
