package dev.herald.server;

import java.io.PrintStream;

/**
 * Shows the token of the admin key Herald made on its first start. It goes to standard output
 * only, never to the log, and Herald cannot show it again: it keeps just a hash.
 */
final class FirstApiKey {
  private FirstApiKey() {}

  static void show(String token) {
    PrintStream out = System.out;
    out.println();
    out.println("Herald created its first API key, a global admin key. It is shown only this once:");
    out.println();
    out.println("    " + token);
    out.println();
    out.println("Send it as 'authorization: Bearer <key>'. Lost it? Restart with HERALD_ADMIN_TOKEN set.");
    out.println();
    out.flush();
  }
}
