package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Oid;

/**
 * Arrays bound as parameters read back by PostgreSQL as the values written, each element in its
 * place: literals ({@link ArrayLiterals}) of every type, and ids ({@link UuidArray}) whether the
 * connection sends them in binary or as text. PostgreSQL refuses a binary parameter of another
 * length than its form, so the round trip checks the driver is told the right one.
 */
class ArrayParametersTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void textComesBackAsItWasWhateverItHolds() throws SQLException {
    List<String> texts =
        Arrays.asList(
            "plain",
            "",
            null,
            "NULL",
            "quote \" and backslash \\ and both \\\"",
            "{braces}, commas, and spaces ",
            " leading",
            "tab\tnewline\ncarriage\r",
            "é, ü, 漢字, 🙂",
            "\\",
            "\"");

    assertEquals(texts, readBack("text", texts, String.class));
  }

  @Test
  void idsNumbersTimesAndTruthComeBackAsTheyWere() throws SQLException {
    List<UUID> ids = Arrays.asList(UUID.randomUUID(), null, new UUID(0, 0));
    assertEquals(ids, readBack("uuid", ids, UUID.class));
    List<Long> numbers = Arrays.asList(0L, -1L, Long.MAX_VALUE, null);
    assertEquals(numbers, readBack("bigint", numbers, Long.class));
    List<Boolean> truth = Arrays.asList(true, false, null);
    assertEquals(truth, readBack("boolean", truth, Boolean.class));
    List<Instant> times =
        Arrays.asList(
            Instant.parse("2026-11-30T17:00:00Z"),
            Instant.parse("2026-11-30T17:00:00.123456Z"),
            Instant.parse("1999-01-01T00:00:00.000001Z"),
            null);
    List<Instant> read = new ArrayList<>();
    for (OffsetDateTime time : readBack("timestamptz", times, OffsetDateTime.class)) {
      read.add(time == null ? null : time.toInstant());
    }
    assertEquals(times, read);
  }

  private static final List<UUID> IDS =
      Arrays.asList(
          UUID.fromString("0192f1a4-7b3c-7def-8abc-0123456789ab"),
          null,
          new UUID(0, 0),
          new UUID(-1, -1),
          UUID.randomUUID());

  @Test
  void idsComeBackAsTheyWereInBinaryAndAsText() throws SQLException {
    for (boolean binary : new boolean[] {true, false}) {
      try (Connection connection = connection(binary)) {
        assertEquals(
            binary, connection.unwrap(BaseConnection.class).binaryTransferSend(Oid.UUID_ARRAY));
        assertEquals(IDS, readBackIds(connection, IDS));
        assertEquals(List.of(), readBackIds(connection, List.of()));
      }
    }
  }

  private static Connection connection(boolean binary) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    if (binary) {
      properties.setProperty("binaryTransferEnable", UuidArray.BINARY_TRANSFER);
    }
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres", properties);
  }

  private static List<UUID> readBackIds(Connection connection, List<UUID> ids) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(READ_BACK.formatted("uuid"))) {
      statement.setObject(1, new UuidArray(ids));
      return read(statement, UUID.class);
    }
  }

  private static final String READ_BACK =
      "select v from unnest(?::%s[]) with ordinality as a(v, n) order by n";

  private static <T> List<T> readBack(String type, List<?> values, Class<T> as)
      throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        PreparedStatement statement = connection.prepareStatement(READ_BACK.formatted(type))) {
      statement.setString(1, ArrayLiterals.of(values));
      return read(statement, as);
    }
  }

  private static <T> List<T> read(PreparedStatement statement, Class<T> as) throws SQLException {
    List<T> read = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        read.add(rows.getObject(1, as));
      }
    }
    return read;
  }
}
