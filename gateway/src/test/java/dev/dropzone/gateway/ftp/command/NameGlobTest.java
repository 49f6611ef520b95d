package dev.dropzone.gateway.ftp.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class NameGlobTest {

  private static NameGlob glob(String typed) throws StoreException {
    return NameGlob.of(typed, VirtualPath.of(typed)).orElseThrow();
  }

  private static List<String> matching(String pattern, String... names) throws StoreException {
    NameGlob glob = glob(pattern);
    return List.of(names).stream().filter(glob::matches).toList();
  }

  @Test
  void starsQuestionMarksAndClassesMatchAsInAShell() throws Exception {
    String[] names = {"a.csv", "b.csv", "ab.csv", "c.txt", "x", "", "day 1.csv", "é.csv"};
    assertThat(matching("*.csv", names))
        .containsExactly("a.csv", "b.csv", "ab.csv", "day 1.csv", "é.csv");
    assertThat(matching("?.csv", names)).containsExactly("a.csv", "b.csv", "é.csv");
    assertThat(matching("[ab].csv", names)).containsExactly("a.csv", "b.csv");
    assertThat(matching("[!ab].csv", names)).containsExactly("é.csv");
    assertThat(matching("[^a-b].csv", names)).containsExactly("é.csv");
    assertThat(matching("[a-c]*", names)).containsExactly("a.csv", "b.csv", "ab.csv", "c.txt");
    assertThat(matching("*", names)).containsExactly(names);
    assertThat(matching("**x**", names)).containsExactly("c.txt", "x");
    assertThat(matching("a*b*", "ab.csv", "a.csv", "aXbY", "ba")).containsExactly("ab.csv", "aXbY");
    assertThat(matching("*a", "aaa", "aab", "ba", "a")).containsExactly("aaa", "ba", "a");
    assertThat(matching("[]x]*", "]a", "xa", "ya")).containsExactly("]a", "xa");
    assertThat(matching("\\*?", "*a", "ba", "*")).containsExactly("*a");
    // Inside a class a backslash takes the next character literally, as in bash: mdelete must
    // not read an escaped '-' as a range.
    assertThat(matching("[a\\-z]", "a", "-", "z", "b", "]")).containsExactly("a", "-", "z");
    assertThat(matching("[\\]]x", "]x", "x", "\\x")).containsExactly("]x");
    assertThat(matching("[a-]", "a", "-", "b")).containsExactly("a", "-");
    // Braces are not special: Windows' ftp, the reason for patterns, sends none.
    assertThat(matching("*.{csv,txt}", "a.csv", "a.{csv,txt}")).containsExactly("a.{csv,txt}");
  }

  @Test
  void aLeadingDotIsMatchedOnlyByOne() throws Exception {
    assertThat(matching("*", ".profile", "profile")).containsExactly("profile");
    assertThat(matching("?profile", ".profile")).isEmpty();
    assertThat(matching(".*", ".profile", "profile", ".")).containsExactly(".profile", ".");
    assertThat(matching("*.profile", "a.profile", ".profile")).containsExactly("a.profile");
  }

  @Test
  void namesWithoutWildcardsOrWithAnUnclosedClassAreNotPatterns() throws Exception {
    // An escaped star is literal: nothing wild is left.
    for (String typed : List.of("plain.csv", "a[b", "dir/a[b", "[", "x\\*")) {
      assertThat(NameGlob.of(typed, VirtualPath.of(typed))).as(typed).isEmpty();
    }
    assertThat(NameGlob.of("/", VirtualPath.ROOT)).isEmpty();
    String tooLong = "*".repeat(NameGlob.MAX_LENGTH + 1);
    assertThat(NameGlob.of(tooLong, VirtualPath.of(tooLong))).isEmpty();
  }

  @Test
  void theNamesSentBackKeepTheDirectoryAsTyped() throws Exception {
    assertThat(glob("*.csv").shown()).isEmpty();
    assertThat(glob("in/*.csv").shown()).isEqualTo("in/");
    assertThat(glob("/in/out/*.csv").shown()).isEqualTo("/in/out/");
    assertThat(glob("in/*.csv/").shown()).isEqualTo("in/");
    assertThat(glob("in/*.csv/.").shown()).isEqualTo("in/");
    assertThat(glob("in/*.csv").directory()).isEqualTo(VirtualPath.of("/in"));
  }

  /**
   * A regular expression backtracks for hours on the first; the second is the two-pointer match's
   * own worst case (name length times pattern length). The timeout runs the test on a thread of its
   * own, so a match that never checks for interruption fails it instead of hanging the build.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void hostilePatternsCostLittle() throws Exception {
    NameGlob backtracking = glob("*?".repeat(60) + "x");
    String name = "a".repeat(255);
    for (int i = 0; i < 10_000; i++) {
      assertThat(backtracking.matches(name)).isFalse();
    }
    NameGlob worst = glob("*" + "a".repeat(253) + "b");
    String longName = "a".repeat(1024);
    for (int i = 0; i < 100; i++) {
      assertThat(worst.matches(longName)).isFalse();
    }
  }
}
