package dev.herald.domain.delivery;

/**
 * What storing an attempt's outcome found: the facts the domain decides on afterwards.
 *
 * @param held whether the claim still held its delivery; if not, the attempt is listed and the
 *     delivery is left as its current holder or an earlier end made it
 * @param webhookFailuresInARow when the outcome ended its delivery FAILED, how many deliveries in a
 *     row its webhook has now failed; 0 otherwise
 * @param parked whether the retry the outcome asked for waits instead until its endpoint, paused
 *     meanwhile, is let go
 */
public record RecordedOutcome(boolean held, int webhookFailuresInARow, boolean parked) {
  public RecordedOutcome {
    if (webhookFailuresInARow < 0) {
      throw new IllegalArgumentException("webhookFailuresInARow must not be negative");
    }
    if (parked && !held) {
      throw new IllegalArgumentException("only a held delivery can be parked");
    }
  }

  public RecordedOutcome(boolean held, int webhookFailuresInARow) {
    this(held, webhookFailuresInARow, false);
  }

  /** Held, with no failure counted. */
  public static final RecordedOutcome HELD = new RecordedOutcome(true, 0);

  /** Held, its retry parked behind its endpoint's pause. */
  public static final RecordedOutcome PARKED = new RecordedOutcome(true, 0, true);

  /** The claim had lost its delivery. */
  public static final RecordedOutcome LOST = new RecordedOutcome(false, 0);
}
