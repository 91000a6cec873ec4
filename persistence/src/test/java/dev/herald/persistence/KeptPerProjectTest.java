package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class KeptPerProjectTest {
  @Test
  void whatWasKeptGoesOnceAnotherGenerationIsRead() {
    KeptPerProject<String> kept = new KeptPerProject<>();
    kept.holdFor(7);
    kept.put("p", "keys");
    kept.holdFor(7);
    assertEquals("keys", kept.get("p"), "the same generation keeps it");
    kept.holdFor(8);
    assertNull(kept.get("p"), "a new generation drops it");
    assertEquals(8, kept.generation());
  }

  @Test
  void forgettingDropsEverythingAndTheGeneration() {
    KeptPerProject<String> kept = new KeptPerProject<>();
    kept.holdFor(3);
    kept.put("p", "keys");
    kept.forget();
    assertNull(kept.get("p"));
    assertEquals(-1, kept.generation());
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedProjectGoes() {
    KeptPerProject<Integer> kept = new KeptPerProject<>();
    kept.holdFor(1);
    for (int i = 0; i < KeptPerProject.MAX_PROJECTS; i++) {
      kept.put("p" + i, i);
    }
    kept.get("p0");
    kept.put("one-more", -1);
    assertEquals(0, kept.get("p0"), "used lately: kept");
    assertNull(kept.get("p1"), "the least recently used: gone");
    assertEquals(-1, kept.get("one-more"));
  }
}
