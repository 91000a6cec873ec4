package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.ATTEMPT_URLS;
import static java.util.Objects.requireNonNull;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * The URLs attempts are sent to, each stored once in {@code attempt_urls} and named in an attempt's
 * row by its number (V23). The numbers are kept as found, so naming an attempt's URL costs no round
 * trip but the first time a server sends to it.
 */
final class AttemptUrls {
  /** Far more than the webhooks one server sends to at once; the least used go first past it. */
  private static final int KEPT = 10_000;

  private final Transactor transactor;
  private final Cache<String, Integer> numbers =
      CacheBuilder.newBuilder().maximumSize(KEPT).build();

  AttemptUrls(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  /**
   * The number of each of {@code urls}. A URL new to the database is added by a statement that
   * commits by itself, before the attempts that name it are written: a number added in their
   * transaction and rolled back with it would be kept here naming nothing.
   */
  Map<String, Integer> numbersOf(Collection<String> urls) {
    Map<String, Integer> found = new HashMap<>(numbers.getAllPresent(urls));
    List<String> unknown = urls.stream().distinct().filter(url -> !found.containsKey(url)).toList();
    for (String url : unknown) {
      int number = transactor.outsideTransaction(dsl -> numberOf(dsl, url));
      numbers.put(url, number);
      found.put(url, number);
    }
    return found;
  }

  /**
   * Adds {@code url} unless it is there. Should another server add it at once, the insert waits for
   * that one's commit and adds nothing; the read after it, a statement of its own, then sees it.
   */
  private static int numberOf(DSLContext dsl, String url) {
    return dsl.insertInto(ATTEMPT_URLS, ATTEMPT_URLS.URL)
        .values(url)
        .onConflict(ATTEMPT_URLS.URL)
        .doNothing()
        .returningResult(ATTEMPT_URLS.ID)
        .fetchOptional(ATTEMPT_URLS.ID)
        .orElseGet(
            () ->
                dsl.select(ATTEMPT_URLS.ID)
                    .from(ATTEMPT_URLS)
                    .where(ATTEMPT_URLS.URL.eq(url))
                    .fetchSingle(ATTEMPT_URLS.ID));
  }
}
