package dev.dropzone.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What real clients do with a tree, run against each way the gateway is started (embedded mode on
 * its on-disk S3 server, {@code serve} on an S3 server that lists markers as AWS does): lftp,
 * rclone and wget mirror trees with empty directories, spaces and unicode in names up and back,
 * rclone and lftp keeping modification times; Python's ftplib reads MLSD facts, sets times (MFMT,
 * SITE UTIME) and asks HASH, as curl does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RealClientsContract {

  private FtpUser user;
  protected Path work;

  /** Starts the gateway with a user whose files live in {@code work}; returns that user. */
  protected abstract FtpUser start(Path root, Path work) throws Exception;

  protected abstract void stop() throws Exception;

  @BeforeAll
  void startGateway(@TempDir Path root) throws Exception {
    ClientProcess.requireInstalled("curl", "lftp", "python3", "rclone", "wget", "diff");
    work = Files.createDirectories(root.resolve("work"));
    user = start(root, work);
  }

  @AfterAll
  void stopGateway() throws Exception {
    stop();
  }

  @Test
  void lftpMirrorsATreeUpAndBackAndRemovesIt() throws Exception {
    Path local = tree("lftp-tree");

    user.lftp("mkdir /mirrored; mirror -R " + local + " /mirrored").assertOk("mirror -R");
    Path back = work.resolve("lftp-back");
    user.lftp("mirror /mirrored " + back).assertOk("mirror back");

    assertSameTree(local, back);
    user.lftp("rm -r /mirrored").assertOk("rm -r");
    assertThat(user.lftp("cls -1 /").assertOk("cls").output()).doesNotContain("mirrored");
  }

  /**
   * Names may end in spaces on the client's disk: each must land as its own file, come back as it
   * was, and be found in place by the next run (before, {@code report } overwrote {@code report}).
   */
  @Test
  void lftpMirrorKeepsNamesThatEndInSpaces() throws Exception {
    Path local = work.resolve("spaced-tree");
    Files.createDirectories(local.resolve("inbox "));
    write(local.resolve("report"), 10);
    write(local.resolve("report "), 20);
    write(local.resolve("inbox /x "), 30);

    user.lftp("mkdir /spaced; mirror -R " + local + " /spaced").assertOk("mirror -R");
    Path back = work.resolve("spaced-back");
    user.lftp("mirror /spaced " + back).assertOk("mirror back");

    assertSameTree(local, back);
    String again =
        user.lftp("mirror -R -v " + local + " /spaced").assertOk("mirror -R again").output();
    assertThat(again).doesNotContain("Transferring");
  }

  @Test
  void rcloneSyncsChecksAtDefaultConcurrencyAndPurges() throws Exception {
    Path local = tree("rclone-tree");
    Path many = Files.createDirectories(local.resolve("many"));
    for (int i = 0; i < 24; i++) {
      write(many.resolve("small " + i + ".bin"), 100 + i);
    }

    user.rclone("sync", "--create-empty-src-dirs", local.toString(), "dz:synced")
        .assertOk("rclone sync");
    ClientProcess.Result check =
        user.rclone("check", "--download", local.toString(), "dz:synced")
            .assertOk("rclone check --download");
    assertThat(check.output()).doesNotContain("ERROR").contains("0 differences found");
    Path back = work.resolve("rclone-back");
    user.rclone("copy", "--create-empty-src-dirs", "dz:synced", back.toString())
        .assertOk("rclone copy back");
    assertSameTree(local, back);

    user.rclone("purge", "dz:synced").assertOk("rclone purge");
    assertThat(user.rclone("lsf", "dz:").assertOk("rclone lsf").output()).doesNotContain("synced");
  }

  @Test
  void wgetFetchesATreeWithAnEmptyDirectory() throws Exception {
    Path local = tree("wget-tree");
    user.lftp("mkdir /fetched; mirror -R " + local + " /fetched").assertOk("mirror -R");

    Path back = Files.createDirectories(work.resolve("wget-back"));
    user.wget(
            "/fetched/",
            "--recursive",
            "--no-host-directories",
            "--cut-dirs=1",
            "-P",
            back.toString())
        .assertOk("wget -r");
    // wget keeps each directory's listing as a .listing file unless told otherwise.
    try (var listings = Files.walk(back)) {
      for (Path listing : listings.filter(p -> p.endsWith(".listing")).toList()) {
        Files.delete(listing);
      }
    }

    assertSameTree(local, back);
  }

  @Test
  void anEmptyDirectoryListsWithEveryCommand() throws Exception {
    user.lftp("mkdir /empty-listing").assertOk("mkdir");

    assertThat(user.curl(user.url("/empty-listing/")).assertOk("curl LIST").output()).isEmpty();
    assertThat(user.lftp("set ftp:use-mlsd true; cls /empty-listing").assertOk("MLSD").output())
        .isEmpty();
    assertThat(user.lftp("set ftp:use-mlsd false; cls /empty-listing").assertOk("LIST").output())
        .isEmpty();
    assertThat(user.lftp("nlist /empty-listing").assertOk("NLST").output()).isEmpty();
  }

  @Test
  void aMovedDirectoryLeavesNoGhostAndComesApartOneStepAtATime() throws Exception {
    user.lftp(
            "mkdir -p /moving/sub/empty; put "
                + write(work.resolve("f.bin"), 10)
                + " -o /moving/sub/f.bin")
        .assertOk("make the tree");

    user.lftp("mv /moving /moved").assertOk("rename the directory");

    String top = user.lftp("cls -1 /").assertOk("cls /").output();
    assertThat(top).contains("moved/").doesNotContain("moving");
    user.lftp(
            "rmdir /moved/sub/empty; rm /moved/sub/f.bin; rmdir /moved/sub; cls -1 /moved;"
                + " rmdir /moved")
        .assertOk("take it apart");
    assertThat(user.lftp("cls -1 /").assertOk("cls /").output()).doesNotContain("moved");
  }

  @Test
  void ftplibMlsdGivesTypeSizeAndTimesOfFilesAndDirectories() throws Exception {
    String script =
        String.join(
            "\n",
            "import datetime, io",
            "def age(facts):",
            "    modified = datetime.datetime.strptime(facts['modify'][:14], '%Y%m%d%H%M%S')",
            "    return abs(datetime.datetime.utcnow() - modified).total_seconds()",
            "ftp.mkd('/dated')",
            "ftp.mkd('/dated/empty')",
            "ftp.mkd('/dated/full')",
            "ftp.storbinary('STOR /dated/full/a file.txt', io.BytesIO(b'x' * 1234))",
            "entries = dict(ftp.mlsd('/dated'))",
            "assert entries['empty']['type'] == 'dir', entries",
            "assert entries['full']['type'] == 'dir', entries",
            "assert age(entries['empty']) < 3600, entries",
            "assert age(entries['full']) < 3600, entries",
            "files = dict(ftp.mlsd('/dated/full'))",
            "facts = files['a file.txt']",
            "assert facts['type'] == 'file' and facts['size'] == '1234', facts",
            "assert age(facts) < 3600, facts",
            "assert list(ftp.mlsd('/dated/empty')) == []",
            "ftp.delete('/dated/full/a file.txt')",
            "ftp.rmd('/dated/full')",
            "ftp.rmd('/dated/empty')",
            "ftp.rmd('/dated')",
            "print('ok')");

    assertThat(user.python(script).assertOk("ftplib").output()).isEqualTo("ok\n");
  }

  /**
   * A batch job the way Windows' ftp runs {@code mget exports/*.csv} and {@code mdelete}: NLST of
   * the pattern, then one RETR (or DELE) per name it got back.
   */
  @Test
  void aBatchJobFetchesAndDeletesWhatAPatternMatches() throws Exception {
    Path local = Files.createDirectories(work.resolve("exports"));
    for (String name : List.of("day 1.csv", "day 2.csv", "notes.txt")) {
      write(local.resolve(name), 3000 + name.length());
    }
    user.lftp("mkdir /exports; mirror -R " + local + " /exports").assertOk("upload");
    Path fetched = Files.createDirectories(work.resolve("fetched"));

    String script =
        String.join(
            "\n",
            "import os, sys",
            "names = ftp.nlst('exports/*.csv')",
            "assert sorted(names) == ['exports/day 1.csv', 'exports/day 2.csv'], names",
            "for name in names:",
            "    with open(os.path.join(sys.argv[1], os.path.basename(name)), 'wb') as out:",
            "        ftp.retrbinary('RETR ' + name, out.write)",
            "for name in ftp.nlst('exports/*.csv'):",
            "    ftp.delete(name)",
            "assert ftp.nlst('exports/*.csv') == [], 'deleted'",
            "assert ftp.nlst('exports') == ['notes.txt'], ftp.nlst('exports')",
            "print('ok')");
    assertThat(user.python(script, fetched.toString()).assertOk("mget").output()).isEqualTo("ok\n");

    for (String name : List.of("day 1.csv", "day 2.csv")) {
      assertThat(sha256(fetched.resolve(name))).isEqualTo(sha256(local.resolve(name)));
    }
    user.lftp("rm -r /exports").assertOk("clean up");
  }

  @Test
  void rcloneSyncKeepsModificationTimesWithoutErrors() throws Exception {
    Path local = datedTree("rclone-dated");

    ClientProcess.Result sync =
        user.rclone("sync", local.toString(), "dz:dated").assertOk("rclone sync");
    assertThat(sync.output()).doesNotContain("ERROR");

    // Listing order differs between local and remote directories; times and paths must not.
    assertThat(datedFiles("dz:dated"))
        .containsExactlyInAnyOrderElementsOf(datedFiles(local.toString()))
        .hasSize(3);
    // Same sizes and times: nothing to send again.
    assertThat(user.rclone("sync", local.toString(), "dz:dated").assertOk("sync again").output())
        .doesNotContain("ERROR")
        .contains("There was nothing to transfer");
  }

  @Test
  void lftpMirrorKeepsModificationTimesBothWays() throws Exception {
    Path local = datedTree("lftp-dated");

    user.lftp("mkdir /lftp-dated; mirror -R " + local + " /lftp-dated").assertOk("mirror -R");
    Path back = work.resolve("lftp-dated-back");
    user.lftp("mirror /lftp-dated " + back).assertOk("mirror back");

    assertSameTree(local, back);
    assertThat(fileTimes(back)).isEqualTo(fileTimes(local));
  }

  @Test
  void mfmtAndSiteUtimeSetTheTimeThatMdtmMlsdAndListShow() throws Exception {
    String script =
        String.join(
            "\n",
            "import io",
            "def refused(command, code):",
            "    try:",
            "        ftp.sendcmd(command)",
            "    except ftplib.error_perm as e:",
            "        assert str(e).startswith(code), (command, str(e))",
            "        return",
            "    raise AssertionError(command + ' was accepted')",
            "ftp.mkd('/timed')",
            "ftp.storbinary('STOR /timed/a file.txt', io.BytesIO(b'x' * 10))",
            "reply = ftp.sendcmd('MFMT 20200102030405 /timed/a file.txt')",
            "assert reply == '213 Modify=20200102030405; /timed/a file.txt', reply",
            "assert ftp.sendcmd('MDTM /timed/a file.txt') == '213 20200102030405'",
            "facts = dict(ftp.mlsd('/timed'))['a file.txt']",
            "assert facts['modify'] == '20200102030405', facts",
            "lines = []",
            "ftp.retrlines('LIST /timed', lines.append)",
            "assert 'Jan 02  2020 a file.txt' in lines[0], lines",
            "ftp.sendcmd('SITE UTIME 201806070809 /timed/a file.txt')",
            "assert ftp.sendcmd('MDTM /timed/a file.txt') == '213 20180607080900'",
            "ftp.sendcmd('SITE UTIME /timed/a file.txt 20170101000000 20170203040506"
                + " 20170101000000 UTC')",
            "assert ftp.sendcmd('MDTM /timed/a file.txt') == '213 20170203040506'",
            "refused('MFMT 20201301000000 /timed/a file.txt', '501')",
            "refused('MFMT 19691231235959 /timed/a file.txt', '501')",
            "refused('MFMT 20200102030405 /timed/missing.txt', '550')",
            "refused('MFMT 20200102030405 /timed', '550')",
            "assert ftp.sendcmd('MDTM /timed/a file.txt') == '213 20170203040506'",
            "ftp.delete('/timed/a file.txt')",
            "ftp.rmd('/timed')",
            "print('ok')");

    assertThat(user.python(script).assertOk("ftplib").output()).isEqualTo("ok\n");
  }

  @Test
  void hashAnswersTheSha256OfWhatWasUploaded() throws Exception {
    Path small = write(work.resolve("hash-small.bin"), 5000);
    // Larger than one part: uploaded in parts, its digest kept beside the object.
    Path large = write(work.resolve("hash-large.bin"), 9 << 20);
    user.lftp(
            "mkdir /hashed; put "
                + small
                + " -o /hashed/small.bin; put "
                + large
                + " -o '/hashed/large file.bin'")
        .assertOk("upload");

    String script =
        String.join(
            "\n",
            "import sys",
            "feat = ftp.sendcmd('FEAT')",
            "assert ' HASH SHA-256*' in feat.splitlines() and ' MFMT' in feat.splitlines(), feat",
            "assert ftp.sendcmd('OPTS HASH') == '200 SHA-256'",
            "assert ftp.sendcmd('OPTS HASH sha-256') == '200 SHA-256'",
            "try:",
            "    ftp.sendcmd('OPTS HASH MD5')",
            "    raise AssertionError('MD5 selected')",
            "except ftplib.error_perm as e:",
            "    assert str(e).startswith('504'), str(e)",
            "for name in sys.argv[1:]:",
            "    print(ftp.sendcmd('HASH /hashed/' + name))",
            "for command in ('HASH /hashed', 'HASH /hashed/missing.bin', 'XCRC /hashed/small.bin'):",
            "    try:",
            "        ftp.sendcmd(command)",
            "        raise AssertionError(command + ' answered')",
            "    except ftplib.error_perm as e:",
            "        print(str(e)[:3])");
    String output =
        user.python(script, "small.bin", "large file.bin").assertOk("ftplib HASH").output();

    assertThat(output.lines().toList())
        .containsExactly(
            "213 SHA-256 0-5000 " + sha256(small) + " /hashed/small.bin",
            "213 SHA-256 0-" + (9 << 20) + " " + sha256(large) + " /hashed/large file.bin",
            "550",
            "550",
            "502");
    ClientProcess.Result curl =
        user.curl("--verbose", "--quote", "HASH /hashed/small.bin", user.url("/hashed/"));
    assertThat(curl.assertOk("curl --quote HASH").output())
        .contains("< 213 SHA-256 0-5000 " + sha256(small) + " /hashed/small.bin");
  }

  /** {@link #tree} with each file dated in the past, to the second, each at another time. */
  protected Path datedTree(String name) throws IOException {
    Path root = tree(name);
    Instant time = Instant.parse("2019-05-06T07:08:09Z");
    try (var files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        time = time.plus(Duration.ofDays(3).plusSeconds(7));
        Files.setLastModifiedTime(file, FileTime.from(time));
      }
    }
    return root;
  }

  /** {@code <time>;<path>} of each file below {@code remote}, as rclone sees them. */
  private List<String> datedFiles(String remote) throws Exception {
    return user.rclone("lsf", "-R", "--files-only", "--format", "tp", remote)
        .assertOk("rclone lsf " + remote)
        .output()
        .lines()
        .toList();
  }

  /** Each file's modification time, by its path inside {@code root}. */
  private static Map<String, Instant> fileTimes(Path root) throws IOException {
    Map<String, Instant> times = new TreeMap<>();
    try (var files = Files.walk(root)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        times.put(
            root.relativize(file).toString(),
            Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS));
      }
    }
    return times;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /**
   * A local tree with what trips clients up: an empty directory at the top and one nested deeper,
   * spaces and non-ASCII names, a file big enough for several data packets.
   */
  protected Path tree(String name) throws IOException {
    Path root = work.resolve(name);
    Files.createDirectories(root.resolve("empty"));
    Files.createDirectories(root.resolve("with space/deeper/deepest"));
    Files.createDirectories(root.resolve("ünïcødé/日本"));
    write(root.resolve("top.bin"), 3000);
    write(root.resolve("with space/a file.bin"), 70_000);
    write(root.resolve("ünïcødé/日本/ファイル.txt"), 12);
    return root;
  }

  private static Path write(Path file, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(file, bytes);
  }

  /** {@code diff -r}: the same directories (empty ones too), file names and contents. */
  protected void assertSameTree(Path expected, Path actual) throws Exception {
    ClientProcess.Result diff =
        ClientProcess.run(work, "diff", "-r", expected.toString(), actual.toString());
    assertThat(diff.exitCode()).as("diff -r %s %s:%n%s", expected, actual, diff.output()).isZero();
  }
}
