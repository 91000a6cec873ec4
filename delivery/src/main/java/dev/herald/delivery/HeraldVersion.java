package dev.herald.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version Herald was built as, for the {@code User-Agent} header. */
final class HeraldVersion {
  private HeraldVersion() {}

  static String get() {
    try (InputStream in = HeraldVersion.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
