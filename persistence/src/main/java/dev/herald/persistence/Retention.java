package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.persistence.Partitions.Partition;
import dev.herald.persistence.Partitions.PartitionedTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps history to the retention: every hour, on one server at a time (an advisory lock), makes the
 * partitions of the next days and drops each day whose rows are all older than the retention, its
 * events, deliveries and attempts together, never a day with a delivery still in the queue. Rows go
 * by whole partitions, never row by row, so the cost of forgetting a day is a few catalogue changes
 * whatever the day held.
 *
 * <p>Past 200 lines as one class because a pass is one sequence under one lock: the days ahead,
 * then each old day checked, detached, checked again and dropped.
 */
public final class Retention implements AutoCloseable {
  /** The shortest retention: a day's partition must be whole before it can go. */
  public static final Duration MINIMUM = Duration.ofDays(1);

  public static final Duration DEFAULT = Duration.ofDays(30);

  /** Days made ahead of today, so that a server down for a while finds its days there. */
  public static final int DAYS_AHEAD = 3;

  static final Duration PERIOD = Duration.ofHours(1);

  /**
   * The first pass after start: the days ahead are made before start ({@link SchemaMigrator}), and
   * old days can wait until the server has settled.
   */
  static final Duration FIRST_PASS = Duration.ofMinutes(1);

  /** The advisory lock that lets one server at a time change partitions ("herald-r"). */
  public static final long LOCK = 0x6865_7261_6c64_2d72L;

  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  private final DataSource dataSource;
  private final Duration retention;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "herald-retention");
            thread.setDaemon(true);
            return thread;
          });

  public Retention(DataSource dataSource, Duration retention, Clock clock) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.retention = requireNonNull(retention, "retention");
    this.clock = requireNonNull(clock, "clock");
    if (retention.compareTo(MINIMUM) < 0) {
      throw new IllegalArgumentException("retention must be at least " + MINIMUM);
    }
  }

  /**
   * Runs {@link #apply} after {@link #FIRST_PASS} and every {@link #PERIOD}; a failed run is logged
   * and retried then.
   */
  public void start() {
    timer.scheduleWithFixedDelay(
        this::applyLogged, FIRST_PASS.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void applyLogged() {
    try {
      apply();
    } catch (RuntimeException e) {
      log.warn("Retention could not run, trying again in {}: {}", PERIOD, e.getMessage());
    }
  }

  /**
   * One pass, unless another server is making one: the days ahead, then the days past the
   * retention. Returns the partitions dropped.
   */
  public List<String> apply() {
    Instant now = clock.instant();
    try (Connection connection = dataSource.getConnection()) {
      Optional<AdvisoryLock> lock = AdvisoryLock.tryTake(connection, LOCK);
      if (lock.isEmpty()) {
        return List.of();
      }
      try (AdvisoryLock held = lock.get()) {
        addDaysAhead(connection, now);
        return dropDaysBefore(connection, now.minus(retention));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("retention failed: " + e.getMessage(), e);
    }
  }

  /**
   * Makes today's partitions and those of the days ahead, waiting for a server doing the same; run
   * before a server takes its first event.
   */
  static void prepareDays(DataSource dataSource, Instant now) {
    try (Connection connection = dataSource.getConnection();
        AdvisoryLock held = AdvisoryLock.take(connection, LOCK)) {
      addDaysAhead(connection, now);
    } catch (SQLException e) {
      throw new IllegalStateException("could not make the days' partitions: " + e.getMessage(), e);
    }
  }

  private static void addDaysAhead(Connection connection, Instant now) throws SQLException {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Map<String, List<Partition>> existing = Partitions.list(connection);
    List<String> made = new ArrayList<>();
    for (int ahead = 0; ahead <= DAYS_AHEAD; ahead++) {
      for (PartitionedTable table : Partitions.TABLES) {
        Partitions.addDay(connection, table, existing.get(table.name()), today.plusDays(ahead))
            .ifPresent(made::add);
      }
    }
    if (!made.isEmpty()) {
      log.info("Made partitions {}", String.join(", ", made));
    }
  }

  /**
   * Drops each day wholly before {@code cutoff} with nothing of it in the queue. A delivery put
   * back in the queue while its day was being detached is seen after the detach, and the day is put
   * back.
   */
  private List<String> dropDaysBefore(Connection connection, Instant cutoff) throws SQLException {
    List<String> dropped = new ArrayList<>();
    for (Map.Entry<Partition, Map<String, Partition>> day : daysBefore(connection, cutoff)) {
      Partition bounds = day.getKey();
      long pending = pending(connection, bounds);
      if (pending > 0) {
        log.info(
            "Kept the partitions of {}: {} of its deliveries still pending",
            describe(bounds),
            pending);
        continue;
      }
      for (Map.Entry<String, Partition> partition : day.getValue().entrySet()) {
        Partitions.detach(connection, partition.getKey(), partition.getValue().name());
      }
      pending = pending(connection, bounds);
      if (pending > 0) {
        for (Map.Entry<String, Partition> partition : day.getValue().entrySet()) {
          Partitions.reattach(connection, partition.getKey(), partition.getValue());
        }
        log.info("Kept the partitions of {}: deliveries of it were resent", describe(bounds));
        continue;
      }
      List<String> names = day.getValue().values().stream().map(Partition::name).toList();
      for (String name : names) {
        Partitions.drop(connection, name);
      }
      dropped.addAll(names);
      log.info(
          "Dropped partitions {} ({}, past the {} retention)",
          String.join(", ", names),
          describe(bounds),
          retention);
    }
    return dropped;
  }

  /** The days ending by {@code cutoff}, each with its partition of every table that has one. */
  private static List<Map.Entry<Partition, Map<String, Partition>>> daysBefore(
      Connection connection, Instant cutoff) throws SQLException {
    Map<Partition, Map<String, Partition>> days = new LinkedHashMap<>();
    Map<String, List<Partition>> partitions = Partitions.list(connection);
    for (PartitionedTable table : Partitions.TABLES) {
      for (Partition partition : partitions.get(table.name())) {
        if (!partition.until().isAfter(cutoff)) {
          Partition bounds = new Partition("", partition.from(), partition.until());
          days.computeIfAbsent(bounds, b -> new LinkedHashMap<>()).put(table.name(), partition);
        }
      }
    }
    return List.copyOf(days.entrySet());
  }

  /** Deliveries of the day still in the queue; the queue is short, and read whole. */
  private static long pending(Connection connection, Partition day) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select count(*) from delivery_queue where delivery_create_time < ?::timestamptz"
                + " and delivery_create_time >= coalesce(?::timestamptz, '-infinity')")) {
      statement.setObject(1, Times.toDb(day.until()));
      statement.setObject(2, day.from().map(Times::toDb).orElse(null));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private static String describe(Partition day) {
    return day.from().map(from -> from + " to " + day.until()).orElse("all before " + day.until());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
