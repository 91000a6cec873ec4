package dev.herald.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Everything the server logs while attached, message and stack trace, as text. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<String> loggers = new CopyOnWriteArrayList<>();

  static LogCapture attach() {
    LogCapture capture = new LogCapture();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    capture.setContext(root.getLoggerContext());
    capture.start();
    root.addAppender(capture);
    return capture;
  }

  @Override
  protected void append(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getFormattedMessage());
    for (IThrowableProxy error = event.getThrowableProxy();
        error != null;
        error = error.getCause()) {
      line.append('\n').append(error.getClassName()).append(": ").append(error.getMessage());
      for (StackTraceElementProxy frame : error.getStackTraceElementProxyArray()) {
        line.append('\n').append(frame.getSTEAsString());
      }
    }
    lines.add(line.toString());
    loggers.add(event.getLoggerName());
  }

  /** The lines from {@code first} on that Herald's own loggers wrote, not its libraries'. */
  List<String> heraldLinesFrom(int first) {
    List<String> written = new java.util.ArrayList<>();
    for (int i = first; i < Math.min(lines.size(), loggers.size()); i++) {
      if (loggers.get(i).startsWith("dev.herald.")) {
        written.add(lines.get(i));
      }
    }
    return written;
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
    stop();
  }
}
