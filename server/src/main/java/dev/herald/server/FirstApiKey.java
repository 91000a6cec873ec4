package dev.herald.server;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Hands over the token of the admin key Herald made on its first start. It goes into an owner-only
 * file in the data directory, never to the log or standard output, where log collectors would keep
 * it; standard output says where the file is. Herald cannot show the token again: it keeps just a
 * hash.
 */
final class FirstApiKey {
  static final String FILE_NAME = "admin.token";

  private FirstApiKey() {}

  static Path save(Path dataDir, String token) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    try {
      OwnerOnlyFiles.createDirectory(dataDir);
      Files.deleteIfExists(file);
      OwnerOnlyFiles.create(file);
      Files.writeString(file, token + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the first API key's token to " + file, e);
    }
    PrintStream out = System.out;
    out.println();
    out.println("Herald created its first API key, a global admin key. Its token is in");
    out.println();
    out.println("    " + file);
    out.println();
    out.println("readable by this user only. Send it as 'authorization: Bearer <token>', keep it");
    out.println(
        "somewhere safe and delete the file. Lost it? Restart with HERALD_ADMIN_TOKEN set.");
    out.println();
    out.flush();
    return file;
  }
}
