package dev.dropzone.gateway.cli;

import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Which stored file or directory {@code decrypt} and {@code cat} read: a user's path, as that user
 * sees it over FTP, or a raw key in the bucket.
 */
final class ObjectSource {

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER",
      description =
          "Whose file: its path is resolved in this user's home and it must verify for that home"
              + " (format v1: for this writer). Required with PATH. Default: none, and with --key the"
              + " user the object's dz-user names.",
      showDefaultValue = Visibility.NEVER)
  String user;

  @Option(
      names = "--home",
      paramLabel = "HOME",
      description =
          "The user's home below s3.prefix, e.g. users/alice. Default: the users file's, else"
              + " users/<user> (give it for PAM and LDAP users with other homes).",
      showDefaultValue = Visibility.NEVER)
  String home;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEY",
      description =
          "A raw object key in the bucket (including s3.prefix) instead of PATH; a key ending in"
              + " '/' or naming no object is a directory. Default: none (give PATH or --key).",
      showDefaultValue = Visibility.NEVER)
  String key;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "PATH",
      description = "The file or directory in the user's home, e.g. /in/a.csv.")
  String path;

  /** Refuses a source that names no object, or names it twice. */
  void check(CommandSpec spec) {
    if ((path == null) == (key == null)) {
      throw new ParameterException(
          spec.commandLine(), "Name what to read: either PATH (with --user) or --key KEY");
    }
    if (path != null && user == null) {
      throw new ParameterException(
          spec.commandLine(), "PATH " + path + " is in a user's home: name the user with --user");
    }
    if (home != null && user == null) {
      throw new ParameterException(spec.commandLine(), "--home needs --user");
    }
  }

  /** The source in words, for messages. */
  String describe() {
    return key != null ? key : path + " of user " + user;
  }
}
