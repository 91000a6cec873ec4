package dev.herald.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings an embedded cluster to the state Herald runs it in, at every start: the superuser and
 * Herald's role have their passwords, Herald's role owns the schema and its tables and holds no
 * other power, and {@code pg_hba.conf} asks every connection for a password. A data directory made
 * before passwords existed (trusting every local connection) is upgraded in place by the same
 * steps, on its first start with this version.
 */
final class EmbeddedDatabaseRoles {
  static final String HERALD_ROLE = "herald";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseRoles.class);
  private static final String HBA =
      """
      # Written by Herald at every start: every connection, local or over TCP, needs a password.
      local all all scram-sha-256
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private EmbeddedDatabaseRoles() {}

  static void secure(
      DataSource superuser, Path clusterDirectory, EmbeddedDatabasePasswords passwords)
      throws SQLException, IOException {
    try (Connection connection = superuser.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("alter role postgres password '" + passwords.superuser() + "'");
      statement.execute(
          "do $$ begin if not exists (select from pg_roles where rolname = '"
              + HERALD_ROLE
              + "') "
              + "then create role "
              + HERALD_ROLE
              + "; end if; end $$");
      statement.execute(
          "alter role "
              + HERALD_ROLE
              + " with login nosuperuser nocreatedb nocreaterole "
              + "noreplication nobypassrls password '"
              + passwords.herald()
              + "'");
      statement.execute("revoke all on database " + EmbeddedDatabase.DATABASE + " from public");
      statement.execute(
          "grant connect, temporary on database "
              + EmbeddedDatabase.DATABASE
              + " to "
              + HERALD_ROLE);
      statement.execute("alter schema public owner to " + HERALD_ROLE);
      // Tables made by earlier versions, connected as the superuser; their indexes follow.
      statement.execute(
          "do $$ declare t record; begin "
              + "for t in select c.relname from pg_class c "
              + "join pg_namespace n on n.oid = c.relnamespace "
              + "where n.nspname = 'public' and c.relkind in ('r', 'p') "
              + "and c.relowner <> (select oid from pg_roles where rolname = '"
              + HERALD_ROLE
              + "') "
              + "loop execute format('alter table public.%I owner to "
              + HERALD_ROLE
              + "', t.relname); "
              + "end loop; end $$");
      Files.writeString(clusterDirectory.resolve("pg_hba.conf"), HBA, StandardCharsets.US_ASCII);
      statement.execute("select pg_reload_conf()");
    }
    if (!passwords.existedBefore()) {
      log.info(
          "Embedded PostgreSQL now asks every connection for a password; Herald connects as"
              + " role '{}'",
          HERALD_ROLE);
    }
  }
}
