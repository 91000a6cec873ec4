package dev.herald.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One server with the test settings and one HTTP receiver, shared by the tests of a class; each
 * test keeps to a project and receiver path of its own.
 */
abstract class ServerWithReceiver {
  static HeraldFixture herald;
  static Receiver receiver;

  @BeforeAll
  static void startServerAndReceiver() {
    herald = HeraldFixture.start();
    receiver = Receiver.http();
  }

  @AfterAll
  static void stopServerAndReceiver() {
    herald.close();
    receiver.close();
  }
}
