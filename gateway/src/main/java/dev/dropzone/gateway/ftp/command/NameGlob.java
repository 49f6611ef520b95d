package dev.dropzone.gateway.ftp.command;

import dev.dropzone.store.VirtualPath;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * A shell pattern ({@code *}, {@code ?}, {@code [a-z]}, {@code {csv,txt}}) in the last name of a
 * listing's argument. Legacy clients expand them on the server: Windows' {@code ftp} runs {@code
 * mget *.csv} and {@code mdelete} as {@code NLST *.csv} followed by one command per name it gets
 * back, as do many batch scripts. Only the last name may be a pattern, so a listing never reads
 * more than the one directory a plain {@code LIST} of it would.
 *
 * @param directory the directory whose entries are matched
 * @param shown what the client typed before the pattern ({@code in/} of {@code in/*.csv}), put in
 *     front of each matching name so that the names sent back work as arguments of later commands
 */
record NameGlob(VirtualPath directory, String shown, PathMatcher matcher) {

  /**
   * The pattern in {@code path}'s last name, if it has one that compiles; {@code typed} is the
   * client's argument {@code path} was resolved from.
   */
  static Optional<NameGlob> of(String typed, VirtualPath path) {
    if (path.isRoot() || typed == null) {
      return Optional.empty();
    }
    String name = path.name();
    if (name.indexOf('*') < 0 && name.indexOf('?') < 0 && name.indexOf('[') < 0) {
      return Optional.empty();
    }
    try {
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
      return Optional.of(
          new NameGlob(path.parent(), typed.substring(0, typed.lastIndexOf('/') + 1), matcher));
    } catch (PatternSyntaxException e) {
      // Not a valid pattern ("a[b"): the name is taken as it is, and is not found.
      return Optional.empty();
    }
  }

  boolean matches(String name) {
    try {
      return matcher.matches(Path.of(name));
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
