package dev.herald.server;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files and directories only their owner may read: where Herald keeps keys and passwords. */
final class OwnerOnlyFiles {
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private OwnerOnlyFiles() {}

  /** Creates the directory (and its parents) if missing, and makes it owner-only either way. */
  static void createDirectory(Path directory) throws IOException {
    Files.createDirectories(directory);
    restrict(directory, OWNER_DIRECTORY);
  }

  /**
   * Creates an empty owner-only file, born with its permissions so that no other user can open it
   * in between.
   *
   * @throws FileAlreadyExistsException when it exists
   */
  static void create(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  /** Makes an existing file owner-only. */
  static void restrictFile(Path file) throws IOException {
    restrict(file, OWNER_FILE);
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system: its own access control applies.
    }
  }
}
