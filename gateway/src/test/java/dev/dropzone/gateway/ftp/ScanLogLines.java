package dev.dropzone.gateway.ftp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dropzone.gateway.scan.ScanLog;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The scan outcome lines the gateway logs while a test runs (appends hold the appender). */
final class ScanLogLines implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger(ScanLog.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  ScanLogLines() {
    appender.start();
    logger.addAppender(appender);
  }

  List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  void clear() {
    synchronized (appender) {
      appender.list.clear();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
