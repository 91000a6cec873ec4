package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/schema.sql} is the schema the migrations make, read back from a migrated database:
 * the one file that shows every table as it is now. When a migration changes the schema, this test
 * fails until the file is written anew, with {@code -Dherald.schema.write=true}.
 */
class SchemaDocumentTest {
  private static final Path DOCUMENT = Path.of("..", "docs", "schema.sql");

  @Test
  void docsSchemaSqlIsTheMigratedSchema() throws IOException, SQLException {
    String current;
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
      try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
        current = describe(connection);
      }
    }
    if (Boolean.getBoolean("herald.schema.write")) {
      Files.writeString(DOCUMENT, current, StandardCharsets.UTF_8);
    }
    assertEquals(
        current,
        Files.exists(DOCUMENT) ? Files.readString(DOCUMENT, StandardCharsets.UTF_8) : "",
        "docs/schema.sql is out of date; write it anew with"
            + " mvn -pl persistence test -Dtest=SchemaDocumentTest -Dherald.schema.write=true");
  }

  /** The tables of the public schema as SQL, Flyway's own history left out. */
  static String describe(Connection connection) throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "-- Herald's schema as the migrations leave it, read back from a migrated database by\n"
                + "-- SchemaDocumentTest. Do not edit: change a migration and write this file"
                + " anew.\n");
    for (String table :
        strings(
            connection,
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition"
                + " and c.relname <> 'flyway_schema_history' order by c.relname")) {
      sql.append('\n').append(table(connection, table));
    }
    return sql.toString();
  }

  private static String table(Connection connection, String table) throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.addAll(
        strings(
            connection,
            "select a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                + " || case when a.attnotnull then ' not null' else '' end"
                + " || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
                + " from pg_attribute a left join pg_attrdef d"
                + " on d.adrelid = a.attrelid and d.adnum = a.attnum"
                + " where a.attrelid = ?::regclass and a.attnum > 0 and not a.attisdropped"
                + " order by a.attnum",
            table));
    lines.addAll(
        strings(
            connection,
            "select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint"
                + " where conrelid = ?::regclass order by contype, conname",
            table));
    StringBuilder sql = new StringBuilder("create table " + table + " (\n");
    sql.append("    ").append(String.join(",\n    ", lines)).append("\n)");
    for (String key :
        strings(
            connection,
            "select pg_get_partkeydef(?::regclass) where pg_get_partkeydef(?::regclass) is not null",
            table,
            table)) {
      sql.append(" partition by ").append(key.toLowerCase(java.util.Locale.ROOT));
    }
    for (String options :
        strings(
            connection,
            "select array_to_string(reloptions, ', ') from pg_class"
                + " where oid = ?::regclass and reloptions is not null",
            table)) {
      sql.append(" with (").append(options).append(')');
    }
    sql.append(";\n");
    for (String index :
        strings(
            connection,
            "select pg_get_indexdef(i.indexrelid) from pg_index i"
                + " join pg_class c on c.oid = i.indexrelid"
                + " where i.indrelid = ?::regclass"
                + " and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)"
                + " order by c.relname",
            table)) {
      sql.append(index.replace("public.", "")).append(";\n");
    }
    for (String statistics :
        strings(
            connection,
            "select 'alter table ' || ?::text || ' alter column ' || attname"
                + " || ' set statistics ' || attstattarget from pg_attribute"
                + " where attrelid = ?::regclass and attnum > 0 and not attisdropped"
                + " and coalesce(attstattarget, -1) >= 0 order by attnum",
            table,
            table)) {
      sql.append(statistics).append(";\n");
    }
    return sql.toString();
  }

  private static List<String> strings(Connection connection, String query, String... parameters)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      List<String> values = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getString(1));
        }
      }
      return values;
    }
  }
}
