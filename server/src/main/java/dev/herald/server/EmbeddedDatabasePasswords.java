package dev.herald.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The embedded database's two passwords, made once and kept beside {@code master.key}, readable by
 * the owner only: the superuser's, which Herald uses at start to set the database up and an
 * operator may use with psql, and Herald's own role's, which it runs with.
 *
 * @param existedBefore whether the superuser's was there before this start; a data directory
 *     without one predates passwords and trusted every local connection
 */
record EmbeddedDatabasePasswords(
    Path superuserFile, String superuser, String herald, boolean existedBefore) {
  static final String SUPERUSER_FILE = "database-superuser.password";
  static final String HERALD_FILE = "database.password";

  static EmbeddedDatabasePasswords loadOrCreate(Path dataDir) throws IOException {
    Path superuserFile = dataDir.resolve(SUPERUSER_FILE).toAbsolutePath();
    boolean existed = Files.exists(superuserFile);
    return new EmbeddedDatabasePasswords(
        superuserFile, password(superuserFile), password(dataDir.resolve(HERALD_FILE)), existed);
  }

  private static String password(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      try {
        OwnerOnlyFiles.create(file);
        // URL-safe base64: nothing in it needs quoting in SQL or in initdb's password file.
        Files.writeString(
            file,
            Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n",
            StandardCharsets.US_ASCII,
            StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        // another start made it first; read theirs
      }
    }
    OwnerOnlyFiles.restrictFile(file);
    String password = Files.readString(file, StandardCharsets.US_ASCII).trim();
    if (!password.matches("[A-Za-z0-9_-]{16,}")) {
      throw new ConfigException(
          file + " does not hold a password Herald made; delete it only with the database");
    }
    return password;
  }

  @Override
  public String toString() {
    return "EmbeddedDatabasePasswords[" + superuserFile + "]";
  }
}
