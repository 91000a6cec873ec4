package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every statement written by hand in this module is parsed and planned by PostgreSQL against the
 * migrated schema, so that a renamed column or table fails the build rather than a delivery. The
 * statements are found, not listed: every constant of a main class whose text is a query.
 */
class HandWrittenStatementsTest {
  private static final Pattern QUERY =
      Pattern.compile("^\\s*(select|with|insert|update|delete)\\b", Pattern.CASE_INSENSITIVE);

  /** Where a statement's {@link Days} are written in. */
  private static final Pattern DAY_LITERAL = Pattern.compile("%\\d\\$s");

  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void migrate() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
  }

  @AfterAll
  static void stop() throws IOException {
    postgres.close();
  }

  @Test
  void everyHandWrittenStatementIsValidAgainstTheMigratedSchema() throws Exception {
    TreeMap<String, String> statements = handWrittenStatements();
    for (String expected :
        List.of(
            "Claims.CLAIM",
            "AttemptRecords.RECORD_ATTEMPTS",
            "AttemptRecords.RECORD_ATTEMPTS_KEEPING_THE_FIRST",
            "Leases.RENEW_LEASES",
            "IngestStatement.INGEST",
            "FanOutCandidates.LOOK_UP",
            "JooqSigningSecretRepository.SIGNING_AT",
            "QueueStatistics.DUE")) {
      assertTrue(
          statements.containsKey(expected), expected + " found among " + statements.keySet());
    }
    List<String> refused = new ArrayList<>();
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      statements.forEach(
          (name, sql) -> {
            try {
              describe(connection, sql);
            } catch (SQLException e) {
              refused.add(name + ": " + e.getMessage());
            }
          });
    }
    if (!refused.isEmpty()) {
      fail("Statements PostgreSQL refused:\n" + String.join("\n", refused));
    }
  }

  @Test
  void aStatementNamingAColumnTheSchemaLacksIsRefused() throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      assertThrows(
          SQLException.class,
          () -> describe(connection, "select next_attempt_at from delivery_queue where 1 = ?"));
    }
  }

  /** Has the server parse, analyse and describe the statement, without running it. */
  private static void describe(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            DAY_LITERAL
                .matcher(sql.replace("%1$d", "1").replace("%d", "1"))
                .replaceAll("timestamptz 'today'"))) {
      statement.getParameterMetaData();
    }
  }

  /** The query constants of this module's main classes, by {@code Class.FIELD}. */
  private static TreeMap<String, String> handWrittenStatements()
      throws IOException, URISyntaxException, ReflectiveOperationException {
    Path classes =
        Path.of(Transactor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path pkg = classes.resolve(Transactor.class.getPackageName().replace('.', '/'));
    TreeMap<String, String> statements = new TreeMap<>();
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String simpleName = file.getFileName().toString().replace(".class", "");
        Class<?> type = Class.forName(Transactor.class.getPackageName() + "." + simpleName);
        for (Field field : type.getDeclaredFields()) {
          int modifiers = field.getModifiers();
          if (field.getType() == String.class
              && Modifier.isStatic(modifiers)
              && Modifier.isFinal(modifiers)) {
            field.setAccessible(true);
            String value = (String) field.get(null);
            if (value != null && QUERY.matcher(value.toLowerCase(Locale.ROOT)).find()) {
              statements.put(type.getSimpleName() + "." + field.getName(), value);
            }
          }
        }
      }
    }
    return statements;
  }
}
