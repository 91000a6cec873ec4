package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Array literals read back by PostgreSQL as the values written, each element in its place. */
class ArrayLiteralsTest {
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

  private static <T> List<T> readBack(String type, List<?> values, Class<T> as)
      throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "select v from unnest(?::%s[]) with ordinality as a(v, n) order by n"
                    .formatted(type))) {
      statement.setString(1, ArrayLiterals.of(values));
      List<T> read = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          read.add(rows.getObject(1, as));
        }
      }
      return read;
    }
  }
}
