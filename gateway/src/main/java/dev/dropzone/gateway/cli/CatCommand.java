package dev.dropzone.gateway.cli;

import dev.dropzone.gateway.config.ConfigException;
import dev.dropzone.gateway.config.GatewaySettings;
import dev.dropzone.store.StoreException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dropzone cat}: one stored file's plaintext to standard output, without a gateway. */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Decrypt one stored file to standard output, straight from the bucket with the key service"
          + " (no gateway needed). Every check the gateway makes is made before the first byte.",
      "Each 1 MiB segment is authenticated before it is written, but bytes already written cannot"
          + " be recalled: if a later segment fails, cat says so on stderr and exits non-zero, and"
          + " the output must be discarded. Use 'dropzone decrypt' for all-or-nothing."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the whole file was written and verified",
      "1:S3 or the key service failed or refused access",
      "2:usage error, or the file is not in that user's home",
      "3:the file was refused: tampered, truncated, copied, swapped or its key refused",
      "4:no such file"
    })
final class CatCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;
  @Mixin ObjectSource source;

  @Override
  public Integer call() throws ConfigException, IOException {
    source.check(spec);
    GatewaySettings settings = options.settings();
    Main main = (Main) spec.root().userObject();
    Counting out = new Counting(main.stdout());
    try (StoredFiles files = StoredFiles.open(settings)) {
      StoredFiles.Located found = files.locate(source);
      if (found.info().directory()) {
        throw new CommandFailure(
            Main.USAGE,
            source.describe() + " is a directory: use 'dropzone decrypt -o DIR' to decrypt a tree");
      }
      VerifiedCopy.copy(found.tree(), found.path(), out);
      return Main.OK;
    } catch (StoreException e) {
      out.flush();
      if (out.written > 0) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "cat: "
                + out.written
                + " plaintext bytes were already written to standard output before this failure;"
                + " they cannot be recalled: discard the output ('dropzone decrypt' writes nothing"
                + " unless the whole file verifies)");
        err.flush();
      }
      throw DecryptExit.failure(source.describe(), e);
    }
  }

  /** Standard output, counting what reached it. */
  private static final class Counting extends FilterOutputStream {
    long written;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      written += len;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      written++;
    }
  }
}
