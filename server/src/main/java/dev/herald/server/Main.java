package dev.herald.server;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Starts Herald from {@code HERALD_*} settings and runs until SIGTERM or SIGINT. */
public final class Main {
  private Main() {}

  /**
   * Points logback at its JSON configuration when {@code HERALD_LOG_FORMAT=json}, before the first
   * logger exists. A bad value is reported by the configuration, like any other.
   */
  private static void chooseLogFormat() {
    try {
      String format = ConfigLoader.earlySetting(System.getenv(), ConfigLoader.LOG_FORMAT);
      if (ConfigLoader.logFormat(format).equals("json")) {
        System.setProperty("logback.configurationFile", "logback-json.xml");
      }
    } catch (ConfigException bad) {
      // ConfigLoader stops startup with it, through the log in its default format.
    }
  }

  public static void main(String[] args) {
    chooseLogFormat();
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    Logger log = LoggerFactory.getLogger(Main.class);
    Herald herald;
    try {
      herald = Herald.start(ConfigLoader.fromEnvironment());
    } catch (ConfigException e) {
      log.error("Configuration error: {}", e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      log.error("Herald could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  herald.close();
                  stopped.countDown();
                  // A stop asked for with SIGTERM that completed cleanly is a success.
                  Runtime.getRuntime().halt(0);
                },
                "herald-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
