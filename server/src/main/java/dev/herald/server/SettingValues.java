package dev.herald.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings as text, read as the kind of value each one is: a number in its range, a duration, a
 * flag, a readable file. A value that is not what its key needs is a {@link ConfigException} naming
 * the key.
 */
final class SettingValues {
  private final Map<String, String> values;

  SettingValues(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** The raw value, if set. */
  String raw(String key) {
    return values.get(key);
  }

  Optional<Path> readableFile(String key) {
    Optional<Path> path = text(key).map(Path::of);
    if (path.isPresent() && !Files.isReadable(path.get())) {
      throw new ConfigException(key + " names a file that cannot be read: " + path.get());
    }
    return path;
  }

  Optional<String> text(String key) {
    return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
  }

  int integer(String key, int defaultValue, int min, int max) {
    Optional<String> raw = text(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        throw new ConfigException(
            key + " must be between " + min + " and " + max + ", is " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a whole number, is '" + raw.get() + "'");
    }
  }

  double decimal(String key, double defaultValue, double min, double max) {
    Optional<String> raw = text(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      double value = Double.parseDouble(raw.get());
      if (!(value >= min && value <= max)) {
        throw new ConfigException(
            key + " must be between " + min + " and " + max + ", is " + raw.get());
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a number, is '" + raw.get() + "'");
    }
  }

  Duration millis(String key, long defaultValue, int min, int max) {
    return Duration.ofMillis(integer(key, (int) defaultValue, min, max));
  }

  /**
   * A span of whole days or hours, written {@code 30d} or {@code 12h}, at least {@code min} and at
   * most ten years.
   */
  Duration days(String key, Duration defaultValue, Duration min) {
    Optional<String> raw = text(key).map(v -> v.strip().toLowerCase(Locale.ROOT));
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Matcher span = SPAN.matcher(raw.get());
    if (!span.matches()) {
      throw new ConfigException(
          key + " must be a number of days or hours such as 30d or 36h, is '" + raw.get() + "'");
    }
    long amount = Long.parseLong(span.group(1));
    Duration value = span.group(2).equals("d") ? Duration.ofDays(amount) : Duration.ofHours(amount);
    if (value.compareTo(min) < 0 || value.compareTo(MAX_SPAN) > 0) {
      throw new ConfigException(
          key + " must be between " + span(min) + " and " + span(MAX_SPAN) + ", is " + raw.get());
    }
    return value;
  }

  private static final Pattern SPAN = Pattern.compile("(\\d{1,6})([dh])");

  /** A span as it is written in settings: whole days in days, otherwise hours. */
  private static String span(Duration span) {
    return span.toHours() % 24 == 0 ? span.toDays() + "d" : span.toHours() + "h";
  }

  private static final Duration MAX_SPAN = Duration.ofDays(3650);

  boolean bool(String key, boolean defaultValue) {
    Optional<String> raw = text(key).map(v -> v.toLowerCase(Locale.ROOT));
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(key + " must be true or false, is '" + raw.get() + "'");
    };
  }

  /** The settings in a properties file. */
  static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException(
          ConfigLoader.CONFIG_FILE + " names a file that cannot be read: " + file);
    }
    Map<String, String> settings = new HashMap<>();
    properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key)));
    return settings;
  }
}
