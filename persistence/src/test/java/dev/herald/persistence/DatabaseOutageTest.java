package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.domain.UnavailableException;
import dev.herald.testing.Eventually;
import org.junit.jupiter.api.Test;

class DatabaseOutageTest {
  private final DatabaseOutage outage = new DatabaseOutage();

  @Test
  void workIsAdmittedWhileTheDatabaseAnswers() {
    assertDoesNotThrow(outage::admit);
    outage.reached();
    assertDoesNotThrow(outage::admit);
  }

  @Test
  void onceTheDatabaseIsFoundGoneWorkIsRefusedAtOnceButOneTrialAtATime() {
    outage.unreachable();
    assertThrows(UnavailableException.class, outage::admit);

    Eventually.until("a trial to be let through", this::admitted);
    assertThrows(
        UnavailableException.class, outage::admit, "one trial at a time: the rest are refused");

    outage.reached();
    assertDoesNotThrow(outage::admit);
    assertDoesNotThrow(outage::admit);
  }

  @Test
  void aFailedTrialKeepsTheOutageAndSchedulesTheNext() {
    outage.unreachable();
    Eventually.until("a trial to be let through", this::admitted);
    outage.unreachable();
    assertThrows(UnavailableException.class, outage::admit);
    Eventually.until("the next trial", this::admitted);
  }

  private boolean admitted() {
    try {
      outage.admit();
      return true;
    } catch (UnavailableException refused) {
      return false;
    }
  }
}
