package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.persistence.SchemaMigrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default embedded PostgreSQL refuses every connection without its password, has no Unix
 * socket, and Herald's own role has no superuser powers; a data directory from before passwords is
 * locked down in place.
 */
class EmbeddedDatabaseLockdownIT {

  @Test
  void aNewClusterAsksEveryConnectionForAPasswordAndHeraldsRoleCannotReachFilesOrPrograms(
      @TempDir Path dataDir) throws Exception {
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATA_DIR", dataDir.toString());
    settings.remove("HERALD_MASTER_KEY"); // so that the embedded setup makes master.key too
    try (HeraldFixture herald = HeraldFixture.startEmbedded(settings)) {
      int port = postgresPort(dataDir);
      assertRefusedWithoutPassword(port);
      for (String file :
          List.of("database.password", "database-superuser.password", "master.key")) {
        assertEquals(
            PosixFilePermissions.fromString("rw-------"),
            Files.getPosixFilePermissions(dataDir.resolve(file)),
            file + " is the owner's alone");
      }
      try (Connection superuser =
              connect(port, "postgres", password(dataDir, "database-superuser.password"));
          Statement statement = superuser.createStatement()) {
        assertEquals(
            "", single(statement, "show unix_socket_directories"), "no Unix socket to reach");
      }
      assertFalse(
          Files.exists(Path.of("/tmp/.s.PGSQL." + port)),
          "no socket where PostgreSQL keeps one by default");
      try (Connection asHerald = connect(port, "herald", password(dataDir, "database.password"));
          Statement statement = asHerald.createStatement()) {
        assertEquals(
            "f",
            single(statement, "select rolsuper::text from pg_roles where rolname = current_user")
                .substring(0, 1));
        assertPermissionDenied(
            statement, "select pg_read_file('" + dataDir.resolve("master.key") + "')");
        assertPermissionDenied(statement, "select pg_ls_dir('.')");
        assertPermissionDenied(statement, "copy (select 1) to program 'id'");
        assertPermissionDenied(statement, "create database another");
        assertPermissionDenied(statement, "create role another");
      }
      herald.webhooks().createWebhook(Requests.webhook("proj-locked", "http://127.0.0.1:9/hook"));
    }
  }

  @Test
  void aDataDirectoryFromBeforePasswordsIsLockedDownInPlace(@TempDir Path dataDir)
      throws Exception {
    Path cluster = dataDir.resolve("postgres");
    Files.createDirectories(cluster);
    try (EmbeddedPostgres legacy =
        EmbeddedPostgres.builder().setDataDirectory(cluster).setCleanDataDirectory(false).start()) {
      // As earlier versions left it: trust for every local connection, the schema the superuser's.
      new SchemaMigrator(legacy.getPostgresDatabase()).migrate();
      try (Connection connection = legacy.getPostgresDatabase().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "insert into api_keys (id, name, roles, token_prefix, token_hash, create_time) values "
                + "(gen_random_uuid(), 'from before', '{read}', 'hrld_legacy', '\\x00', now())");
      }
    }

    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATA_DIR", dataDir.toString());
    try (HeraldFixture herald = HeraldFixture.startEmbedded(settings)) {
      int port = postgresPort(dataDir);
      assertRefusedWithoutPassword(port);
      try (Connection superuser =
              connect(port, "postgres", password(dataDir, "database-superuser.password"));
          Statement statement = superuser.createStatement()) {
        assertEquals(
            List.of("herald"),
            column(
                statement, "select distinct tableowner from pg_tables where schemaname = 'public'"),
            "every table is Herald's role's now");
        assertEquals(
            List.of("from before"),
            column(statement, "select name from api_keys where name = 'from before'"),
            "the data written before is still there");
      }
      herald.webhooks().createWebhook(Requests.webhook("proj-upgraded", "http://127.0.0.1:9/hook"));
    }
  }

  private static void assertRefusedWithoutPassword(int port) {
    for (String user : List.of("postgres", "herald")) {
      SQLException wrong =
          assertThrows(SQLException.class, () -> connect(port, user, "wrong").close());
      assertEquals(
          "28P01", wrong.getSQLState(), user + " with a wrong password: " + wrong.getMessage());
      SQLException none = assertThrows(SQLException.class, () -> connect(port, user, null).close());
      assertTrue(
          none.getMessage().contains("password"),
          user + " without a password: " + none.getMessage());
    }
  }

  private static void assertPermissionDenied(Statement statement, String sql) {
    SQLException refused = assertThrows(SQLException.class, () -> statement.execute(sql), sql);
    assertEquals("42501", refused.getSQLState(), sql + ": " + refused.getMessage());
  }

  private static int postgresPort(Path dataDir) throws Exception {
    // postmaster.pid: pid, data directory, start time, port, ...
    List<String> pid =
        Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"), StandardCharsets.US_ASCII);
    return Integer.parseInt(pid.get(3).trim());
  }

  private static String password(Path dataDir, String file) throws Exception {
    return Files.readString(dataDir.resolve(file), StandardCharsets.US_ASCII).trim();
  }

  private static Connection connect(int port, String user, String password) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
  }

  private static String single(Statement statement, String sql) throws SQLException {
    List<String> values = column(statement, sql);
    assertEquals(1, values.size(), sql);
    return values.get(0);
  }

  private static List<String> column(Statement statement, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    assertFalse(values.contains(null), sql);
    return values;
  }
}
