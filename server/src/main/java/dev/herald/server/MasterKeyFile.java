package dev.herald.server;

import dev.herald.persistence.MasterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master key of the default embedded setup: made once, kept beside the database files that need
 * it, readable by the owner only. Without it the stored signing secrets cannot be read.
 */
final class MasterKeyFile {
  private static final Logger log = LoggerFactory.getLogger(MasterKeyFile.class);
  static final String NAME = "master.key";

  private MasterKeyFile() {}

  static MasterKey loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(NAME);
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      byte[] key =
          Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
      return new MasterKey(key);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or create the master key " + file, e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          file + " does not hold a base64 master key of " + MasterKey.BYTES + " bytes");
    }
  }

  private static void create(Path file) throws IOException {
    OwnerOnlyFiles.createDirectory(file.getParent());
    byte[] key = new byte[MasterKey.BYTES];
    new SecureRandom().nextBytes(key);
    try {
      OwnerOnlyFiles.create(file);
    } catch (FileAlreadyExistsException raced) {
      return;
    }
    Files.writeString(
        file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
    log.info(
        "Generated a master key for signing secrets in {}; back it up with the data directory, "
            + "or set HERALD_MASTER_KEY instead",
        file.toAbsolutePath());
  }
}
