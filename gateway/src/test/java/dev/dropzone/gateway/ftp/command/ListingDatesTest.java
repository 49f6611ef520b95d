package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ListingDatesTest {

  @Test
  void writesWhatTheFormattersWrite() {
    SplittableRandom random = new SplittableRandom(20261206L);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      assertSameAsFormatters(Instant.ofEpochSecond(random.nextLong(min, max + 1), 999_999_999));
    }
  }

  @Test
  void writesTheEdgesOfTheCalendarAsTheFormattersDo() {
    for (String edge :
        new String[] {
          "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59Z",
          "2024-02-29T12:34:56Z",
          "0001-01-01T00:00:00Z",
          "9999-12-31T23:59:59Z",
          "0000-06-01T00:00:00Z",
          "-0001-06-01T00:00:00Z",
          "+10000-01-01T00:00:00Z"
        }) {
      assertSameAsFormatters(Instant.parse(edge));
    }
  }

  private static void assertSameAsFormatters(Instant time) {
    assertThat(ListingDates.appendMdtm(new StringBuilder(), time).toString())
        .as("MDTM of %s", time)
        .isEqualTo(ListingDates.MDTM.format(time));
    StringBuilder recent = new StringBuilder();
    ListingDates.appendLs(recent, time, true);
    assertThat(recent.toString())
        .as("recent of %s", time)
        .isEqualTo(ListingDates.LS_RECENT.format(time));
    StringBuilder old = new StringBuilder();
    ListingDates.appendLs(old, time, false);
    assertThat(old.toString()).as("old of %s", time).isEqualTo(ListingDates.LS_OLD.format(time));
  }
}
