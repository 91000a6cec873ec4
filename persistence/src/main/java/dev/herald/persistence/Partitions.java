package dev.herald.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The days of history: {@code events}, {@code deliveries} and {@code delivery_attempts} are
 * partitioned by creation time (V12), one partition of each per UTC day, named {@code
 * <table>_yyyymmdd}. Partitions are made ahead of the rows that fill them and dropped whole.
 *
 * <p>Past 200 lines as one class because it is the partitions' one adapter: listing them with their
 * bounds, adding, detaching, putting back and dropping, each a catalogue query or DDL statement.
 */
final class Partitions {
  /** The partitioned tables, parents of a delivery's rows first. */
  static final List<PartitionedTable> TABLES =
      List.of(
          new PartitionedTable(
              "events", "create unique index %1$s_event_id on %1$s (project_id, event_id)"),
          new PartitionedTable("deliveries", null),
          new PartitionedTable("delivery_attempts", null));

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

  /**
   * One partitioned table: its name and an index each partition needs beyond its parent's ({@code
   * %1$s} is the partition's name), if any. Partitions are filled to the default: a delivery's row
   * is written once (V20).
   */
  record PartitionedTable(String name, String ownIndex) {}

  /** One partition and the times it holds, {@code from} inclusive (empty: all before). */
  record Partition(String name, Optional<Instant> from, Instant until) {
    boolean holds(Instant time) {
      return from.map(f -> !time.isBefore(f)).orElse(true) && time.isBefore(until);
    }
  }

  private Partitions() {}

  /**
   * Every partition of the partitioned tables, with its parent. The bounds are read back from the
   * catalogue; each literal is cast in the same session that printed it, so its time zone does not
   * matter.
   */
  private static final String PARTITIONS =
      """
      select p.relname,
             c.relname,
             (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]
                 ::timestamptz,
             (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]
                 ::timestamptz
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
       where p.relname = any(?::text[]) and p.relnamespace = 'public'::regnamespace
       order by 1, 4
      """;

  /** The partitions of each partitioned table, by the table's name, oldest first. */
  static Map<String, List<Partition>> list(Connection connection) throws SQLException {
    Map<String, List<Partition>> partitions = new HashMap<>();
    TABLES.forEach(table -> partitions.put(table.name(), new ArrayList<>()));
    try (PreparedStatement statement = connection.prepareStatement(PARTITIONS)) {
      statement.setString(
          1, ArrayLiterals.of(TABLES.stream().map(PartitionedTable::name).toList()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          partitions
              .get(rows.getString(1))
              .add(
                  new Partition(
                      rows.getString(2),
                      Optional.ofNullable(rows.getObject(3, OffsetDateTime.class))
                          .map(OffsetDateTime::toInstant),
                      rows.getObject(4, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return partitions;
  }

  /** The name of {@code table}'s partition for {@code day}. */
  static String nameOf(String table, LocalDate day) {
    return table + "_" + DAY.format(day);
  }

  /**
   * Makes the partition of {@code table} for {@code day}, unless one of its {@code existing}
   * partitions holds the day's start. Attached rather than created as a partition: attaching takes
   * a lock that lets reads and writes of the table go on. Returns the partition's name if it was
   * made.
   */
  static Optional<String> addDay(
      Connection connection, PartitionedTable table, List<Partition> existing, LocalDate day)
      throws SQLException {
    Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    if (existing.stream().anyMatch(p -> p.holds(from))) {
      return Optional.empty();
    }
    String name = nameOf(table.name(), day);
    Instant until = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("set local lock_timeout = '5s'");
      statement.execute(
          "create table %s (like %s including defaults including constraints)"
              .formatted(name, table.name()));
      for (String statistics : statisticsOf(connection, table.name(), name)) {
        statement.execute(statistics);
      }
      if (table.ownIndex() != null) {
        statement.execute(table.ownIndex().formatted(name));
      }
      statement.execute(
          "alter table %s attach partition %s for values from ('%s') to ('%s')"
              .formatted(table.name(), name, from, until));
      connection.commit();
      return Optional.of(name);
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** The parent's statistics targets (V12) as statements for the partition {@code name}. */
  private static List<String> statisticsOf(Connection connection, String table, String name)
      throws SQLException {
    List<String> statements = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select attname, attstattarget from pg_attribute where attrelid = ?::regclass"
                + " and attnum > 0 and not attisdropped and attstattarget >= 0")) {
      statement.setString(1, table);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          statements.add(
              "alter table %s alter column %s set statistics %d"
                  .formatted(name, rows.getString(1), rows.getInt(2)));
        }
      }
    }
    return statements;
  }

  /**
   * Detaches a partition without blocking the table's readers and writers; must run outside a
   * transaction. A detach interrupted half way is finished first.
   */
  static void detach(Connection connection, String table, String partition) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      if (detachPending(connection, partition)) {
        statement.execute(
            "alter table %s detach partition %s finalize".formatted(table, partition));
      } else {
        statement.execute(
            "alter table %s detach partition %s concurrently".formatted(table, partition));
      }
    }
  }

  private static boolean detachPending(Connection connection, String partition)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select inhdetachpending from pg_inherits where inhrelid = ?::regclass")) {
      statement.setString(1, partition);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() && rows.getBoolean(1);
      }
    }
  }

  /** Puts a detached partition back, with the bounds it had. */
  static void reattach(Connection connection, String table, Partition partition)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "alter table %s attach partition %s for values from (%s) to ('%s')"
              .formatted(
                  table,
                  partition.name(),
                  partition.from().map(f -> "'" + f + "'").orElse("minvalue"),
                  partition.until()));
    }
  }

  static void drop(Connection connection, String partition) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("drop table " + partition);
    }
  }
}
