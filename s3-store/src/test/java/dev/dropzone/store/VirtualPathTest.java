package dev.dropzone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dropzone.store.StoreException.Reason;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VirtualPathTest {

  @ParameterizedTest(name = "''{1}'' in {0} is {2}")
  @CsvSource({
    "/, /, /",
    "/, a, /a",
    "/, /a/b/c, /a/b/c",
    "/, a//b///c/, /a/b/c",
    "/, ./a/./b/., /a/b",
    "/, a/b/../c, /a/c",
    "/, a/b/../.., /",
    "/, ., /",
    "/docs, report.pdf, /docs/report.pdf",
    "/docs, ./x/../y, /docs/y",
    "/docs, .., /",
    "/docs/2024, ../../other, /other",
    "/docs, /abs/path, /abs/path",
    "/docs, '  spaced name ', '/docs/  spaced name '",
    "/, a/.../b, /a/.../b",
    "/, x/.dropzone, /x/.dropzone",
    "/, .dropzone2, /.dropzone2",
  })
  void normalises(String cwd, String input, String expected) throws StoreException {
    assertThat(VirtualPath.parse(VirtualPath.of(cwd), input)).hasToString(expected);
  }

  @Test
  void exposesSegmentsNameParentAndRelativeForm() throws StoreException {
    VirtualPath path = VirtualPath.of("/a/b/c.txt");
    assertThat(path.segments()).containsExactly("a", "b", "c.txt");
    assertThat(path.name()).isEqualTo("c.txt");
    assertThat(path.parent()).isEqualTo(VirtualPath.of("/a/b"));
    assertThat(path.relative()).isEqualTo("a/b/c.txt");
    assertThat(VirtualPath.ROOT.parent()).isEqualTo(VirtualPath.ROOT);
    assertThat(VirtualPath.ROOT.relative()).isEmpty();
    assertThat(VirtualPath.ROOT.isRoot()).isTrue();
    assertThat(VirtualPath.of("a").isRoot()).isFalse();
  }

  @Test
  void containsItselfAndWhatIsBelowButNotSiblingsWithTheSamePrefix() throws StoreException {
    VirtualPath a = VirtualPath.of("/a");
    assertThat(a.contains(a)).isTrue();
    assertThat(a.contains(VirtualPath.of("/a/b/c"))).isTrue();
    assertThat(a.contains(VirtualPath.of("/ab"))).isFalse();
    assertThat(a.contains(VirtualPath.ROOT)).isFalse();
    assertThat(VirtualPath.ROOT.contains(a)).isTrue();
  }

  @Test
  void childAcceptsOnlyASingleName() throws StoreException {
    assertThat(VirtualPath.of("/a").child("b")).isEqualTo(VirtualPath.of("/a/b"));
    for (String bad : new String[] {"", "b/c", ".", ".."}) {
      assertInvalid(() -> VirtualPath.of("/a").child(bad), "is not a file name");
    }
  }

  @Test
  void childChecksItsNameAsParseDoes() throws StoreException {
    VirtualPath dir = VirtualPath.of("/a");
    assertInvalid(() -> dir.child("b\0"), "contains NUL");
    assertInvalid(() -> dir.child("b\r"), "contains CR/LF");
    assertInvalid(() -> dir.child("b\t"), "contains control character 0x9");
    assertInvalid(() -> dir.child("b\uffff"), "contains the non-character U+FFFF");
    assertInvalid(() -> dir.child("b\ud800"), "is not valid Unicode (unpaired surrogate)");
    assertInvalid(() -> dir.child("\udc00b"), "is not valid Unicode (unpaired surrogate)");
    assertThat(dir.child("\ud83d\ude00").toString()).isEqualTo("/a/\ud83d\ude00");
    // Only the root's child of that name is the reserved directory.
    assertThat(dir.child(".dropzone")).isEqualTo(VirtualPath.of("/a/.dropzone"));
  }

  @Test
  void childCountsTheWholePathsBytes() throws StoreException {
    // "/" + 1000 × "d" + "/" is 1002 bytes: a name of 22 fits, 23 does not; "é" counts twice.
    VirtualPath deep = VirtualPath.of("/" + "d".repeat(1000));
    assertThat(deep.child("x".repeat(22))).isEqualTo(deep.resolve("x".repeat(22)));
    assertInvalid(() -> deep.child("x".repeat(23)), "longer than 1024 bytes");
    assertInvalid(() -> deep.child("é".repeat(12)), "longer than 1024 bytes");
    assertThat(deep.child("é".repeat(11)).name()).hasSize(11);
    // Under the root the only slash is the leading one, as parse counts it.
    assertThat(VirtualPath.ROOT.child("a".repeat(1023)))
        .isEqualTo(VirtualPath.of("a".repeat(1023)));
    assertInvalid(() -> VirtualPath.ROOT.child("a".repeat(1024)), "longer than 1024 bytes");
  }

  @Test
  void rejectsNul() {
    assertInvalid(() -> VirtualPath.of("a\0b"), "Invalid file name: contains NUL");
  }

  @Test
  void rejectsCarriageReturnAndLineFeed() {
    assertInvalid(() -> VirtualPath.of("a\rb"), "Invalid file name: contains CR/LF");
    assertInvalid(() -> VirtualPath.of("a\nb"), "Invalid file name: contains CR/LF");
  }

  @Test
  void rejectsOtherControlCharacters() {
    assertInvalid(() -> VirtualPath.of("a\tb"), "contains control character 0x9");
    assertInvalid(() -> VirtualPath.of("a\u001bb"), "contains control character 0x1b");
    assertInvalid(() -> VirtualPath.of("a\u007fb"), "contains control character 0x7f");
  }

  @Test
  void rejectsWhatS3CannotListOrStoreFaithfully() {
    assertInvalid(() -> VirtualPath.of("a\uffffb"), "contains the non-character U+FFFF");
    assertInvalid(() -> VirtualPath.of("a\ud800b"), "is not valid Unicode (unpaired surrogate)");
    assertInvalid(() -> VirtualPath.of("a\udc00"), "is not valid Unicode (unpaired surrogate)");
  }

  @Test
  void acceptsNonAsciiNames() throws StoreException {
    assertThat(VirtualPath.of("/Größe/日本語/\ud83d\ude00.txt").name()).isEqualTo("\ud83d\ude00.txt");
  }

  @Test
  void rejectsDotDotAboveTheRoot() throws StoreException {
    String message = "Invalid file name: '..' leads outside your home directory";
    assertInvalid(() -> VirtualPath.of(".."), message);
    assertInvalid(() -> VirtualPath.of("/a/../../etc/passwd"), message);
    assertInvalid(() -> VirtualPath.parse(VirtualPath.of("/docs"), "../.."), message);
  }

  @Test
  void rejectsTheReservedDirectoryHoweverItIsReached() throws StoreException {
    String message = "Invalid file name: '.dropzone' is reserved";
    assertInvalid(() -> VirtualPath.of("/.dropzone"), message);
    assertInvalid(() -> VirtualPath.of(".dropzone/keys/alice.json"), message);
    assertInvalid(() -> VirtualPath.of("/a/../.dropzone/keys"), message);
    assertInvalid(() -> VirtualPath.parse(VirtualPath.of("/a"), "../.dropzone"), message);
    assertInvalid(() -> VirtualPath.ROOT.child(".dropzone"), message);
  }

  @Test
  void acceptsExactly1024BytesAndRejectsMore() throws StoreException {
    assertThat(VirtualPath.of("/" + "a".repeat(1023)).relative()).hasSize(1023);
    assertInvalid(
        () -> VirtualPath.of("/" + "a".repeat(1024)), "Invalid file name: longer than 1024 bytes");
  }

  @Test
  void countsBytesNotCharacters() throws StoreException {
    // "é" is two bytes in UTF-8: 511 of them plus the slash is 1023 bytes, 512 is 1025.
    assertThat(VirtualPath.of("/" + "é".repeat(511)).name()).hasSize(511);
    assertInvalid(() -> VirtualPath.of("/" + "é".repeat(512)), "longer than 1024 bytes");
    // Four bytes each, two chars each: 256 emoji alone are 1024 bytes, plus the slash too many.
    assertInvalid(() -> VirtualPath.of("\ud83d\ude00".repeat(256)), "longer than 1024 bytes");
  }

  @Test
  void checksTheLengthAfterResolvingAgainstTheCurrentDirectory() throws StoreException {
    VirtualPath deep = VirtualPath.of("/" + "d".repeat(1000));
    assertInvalid(() -> deep.resolve("x".repeat(30)), "longer than 1024 bytes");
  }

  @Test
  void rejectsAnEmptyPath() {
    assertInvalid(() -> VirtualPath.of(""), "Invalid file name: empty path");
  }

  @Test
  void equalityFollowsTheNormalisedForm() throws StoreException {
    assertThat(VirtualPath.of("/a/./b/")).isEqualTo(VirtualPath.of("a/b"));
    assertThat(VirtualPath.of("/a/./b/").hashCode()).isEqualTo(VirtualPath.of("a/b").hashCode());
    assertThat(VirtualPath.of("/a")).isLessThan(VirtualPath.of("/b"));
  }

  private static AbstractThrowableAssert<?, ?> assertInvalid(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PATH))
        .hasMessageContaining(message);
  }
}
