package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.store.FileInfo;
import dev.dropzone.store.FileTree;
import dev.dropzone.store.StoreException;
import dev.dropzone.store.VirtualPath;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dropzone decrypt}: stored files to plaintext files, straight from the bucket with the key
 * service alone; a directory recursively, recreating its tree.
 */
@Command(
    name = "decrypt",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Decrypt a stored file, or every file below a directory, to local files, straight from the"
          + " bucket with the key service (no gateway needed).",
      "Every check the gateway makes is made, and every segment authenticated; a file appears"
          + " under its name only once all of it verified (it is written beside it first), so a"
          + " refused file leaves nothing behind. Output files are readable by their owner only."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:every file was written and verified",
      "1:S3 or the key service failed or refused access",
      "2:usage error, an output file exists (see --force), or the file is not in that user's home",
      "3:a file was refused: tampered, truncated, copied, swapped or its key refused",
      "4:no such file or directory"
    })
final class DecryptCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;
  @Mixin ObjectSource source;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      required = true,
      description =
          "Where the plaintext goes: a file (or an existing directory to put it in) for a file, a"
              + " directory (created if missing) for a directory. Default: none (required).",
      showDefaultValue = Visibility.NEVER)
  Path output;

  @Option(
      names = "--force",
      description = "Replace existing output files.",
      defaultValue = "false",
      showDefaultValue = Visibility.ALWAYS)
  boolean force;

  @Override
  public Integer call() throws ConfigException, IOException {
    source.check(spec);
    GatewaySettings settings = options.settings();
    try (StoredFiles files = StoredFiles.open(settings)) {
      StoredFiles.Located found;
      try {
        found = files.locate(source);
      } catch (StoreException e) {
        throw DecryptExit.failure(source.describe(), e);
      }
      return found.info().directory() ? decryptTree(files, found) : decryptFile(found);
    }
  }

  private int decryptFile(StoredFiles.Located found) throws IOException {
    Path target = Files.isDirectory(output) ? output.resolve(found.path().name()) : output;
    try {
      report(found.path(), target, write(found.tree(), found.path(), target));
      return Main.OK;
    } catch (StoreException e) {
      throw DecryptExit.failure(found.path().toString(), e);
    }
  }

  private int decryptTree(StoredFiles files, StoredFiles.Located dir) throws IOException {
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new CommandFailure(
          Main.USAGE, source.describe() + " is a directory, but --output " + output + " is a file");
    }
    List<FileInfo> entries;
    try {
      entries = files.walk(dir);
    } catch (StoreException e) {
      throw DecryptExit.failure(source.describe(), e);
    }
    List<String> existing = new ArrayList<>();
    for (FileInfo entry : entries) {
      Path target = target(dir.path(), entry.path());
      if (!entry.directory() && !force && Files.exists(target)) {
        existing.add(target.toString());
      }
    }
    if (!existing.isEmpty()) {
      throw new CommandFailure(
          Main.USAGE,
          "nothing decrypted: these output files exist (--force replaces them): "
              + String.join(", ", existing));
    }
    Files.createDirectories(output);
    PrintWriter err = spec.commandLine().getErr();
    int exit = Main.OK;
    int written = 0;
    List<String> failed = new ArrayList<>();
    for (FileInfo entry : entries) {
      Path target = target(dir.path(), entry.path());
      if (entry.directory()) {
        Files.createDirectories(target);
        continue;
      }
      try {
        report(entry.path(), target, write(dir.tree(), entry.path(), target));
        written++;
      } catch (StoreException e) {
        failed.add(entry.path() + ": " + DecryptExit.describe(e));
        // A refusal says more about the data than an outage: it decides the exit code.
        exit = exit == DecryptExit.REFUSED ? exit : DecryptExit.of(e);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Decrypted %d file(s) to %s, %d refused or failed%n", written, output, failed.size());
    out.flush();
    if (!failed.isEmpty()) {
      err.println("Not decrypted (nothing was written for these):");
      failed.forEach(f -> err.println("  " + f));
      err.flush();
    }
    return exit;
  }

  /** Where {@code file} below {@code root} goes under the output directory. */
  private Path target(VirtualPath root, VirtualPath file) {
    Path target = output;
    for (String segment : file.segments().subList(root.segments().size(), file.segments().size())) {
      // Segments are single names already ('..', '.' and '/' cannot occur in a VirtualPath).
      target = target.resolve(segment);
    }
    return target;
  }

  private VerifiedCopy.Copied write(FileTree tree, VirtualPath file, Path target)
      throws IOException {
    try {
      return PlaintextFile.write(target, force, out -> VerifiedCopy.copy(tree, file, out));
    } catch (FileAlreadyExistsException e) {
      throw new CommandFailure(
          Main.USAGE, target + " exists: choose another --output, or replace it with --force", e);
    }
  }

  private void report(VirtualPath file, Path target, VerifiedCopy.Copied copied) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "%s -> %s (%d bytes, %s)%n",
        file,
        target,
        copied.bytes(),
        copied.digestChecked() ? "verified, SHA-256 matches the sealed digest" : "verified");
    out.flush();
  }
}
