package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * Ids sent as a {@code uuid[]} come back as they were, in their places, whether the connection
 * sends them in binary or as text. PostgreSQL refuses a binary parameter of another length than its
 * form, so the round trip checks the driver is told the right one.
 */
class UuidArrayTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  private static final List<UUID> IDS =
      Arrays.asList(
          UUID.fromString("0192f1a4-7b3c-7def-8abc-0123456789ab"),
          null,
          new UUID(0, 0),
          new UUID(-1, -1),
          UUID.randomUUID());

  @Test
  void idsComeBackAsTheyWereInBinary() throws SQLException {
    try (Connection connection = connection(true)) {
      assertTrue(connection.unwrap(BaseConnection.class).binaryTransferSend(Oid.UUID_ARRAY));
      assertEquals(IDS, readBack(connection, IDS));
      assertEquals(List.of(), readBack(connection, List.of()));
      assertEquals(0, length(connection, List.of()));
    }
  }

  @Test
  void andAsText() throws SQLException {
    try (Connection connection = connection(false)) {
      assertFalse(connection.unwrap(BaseConnection.class).binaryTransferSend(Oid.UUID_ARRAY));
      assertEquals(IDS, readBack(connection, IDS));
      assertEquals(List.of(), readBack(connection, List.of()));
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

  private static List<UUID> readBack(Connection connection, List<UUID> ids) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "select v from unnest(?::uuid[]) with ordinality as a(v, n) order by n")) {
      statement.setObject(1, new UuidArray(ids));
      List<UUID> read = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          read.add(rows.getObject(1, UUID.class));
        }
      }
      return read;
    }
  }

  private static int length(Connection connection, List<UUID> ids) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("select cardinality(?::uuid[])")) {
      statement.setObject(1, new UuidArray(ids));
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
