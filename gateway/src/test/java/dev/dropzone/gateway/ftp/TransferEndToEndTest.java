package dev.dropzone.gateway.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Everything a legacy client does, through Commons Net over plain FTP in passive mode. */
class TransferEndToEndTest {

  private static final int MIB = 1 << 20;

  private static GatewayUnderTest gw;
  private FTPClient alice;

  @BeforeAll
  static void startGateway() throws Exception {
    gw = GatewayUnderTest.start();
  }

  @AfterAll
  static void stopGateway() throws Exception {
    gw.close();
  }

  @BeforeEach
  void connect() throws Exception {
    alice = gw.login("alice");
  }

  @AfterEach
  void disconnect() throws Exception {
    alice.disconnect();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3 * MIB, 40 * MIB})
  void uploadsAndDownloadsKeepEveryByte(int size) throws Exception {
    String name = "size-" + size + ".bin";
    try (InputStream in = Content.random(size, size)) {
      assertThat(alice.storeFile(name, in)).as(alice.getReplyString()).isTrue();
    }
    assertThat(alice.getReplyString()).startsWith("226");

    Content.Sink sink = new Content.Sink();
    assertThat(alice.retrieveFile(name, sink)).as(alice.getReplyString()).isTrue();
    assertThat(sink.count()).isEqualTo(size);
    assertThat(sink.sha256()).isEqualTo(Content.sha256(size, size));
    assertThat(alice.getSize(name)).isEqualTo(Long.toString(size));
  }

  @Test
  void asciiTransfersStillConvertLineEndings() throws Exception {
    // Binary transfers bypass MINA's copy loop; ASCII ones must still get its conversions.
    alice.setFileType(FTP.ASCII_FILE_TYPE);
    byte[] text = "one\ntwo\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(alice.storeFile("notes.txt", new ByteArrayInputStream(text)))
        .as(alice.getReplyString())
        .isTrue();
    ByteArrayOutputStream ascii = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("notes.txt", ascii)).as(alice.getReplyString()).isTrue();
    assertThat(ascii.toByteArray()).isEqualTo(text);

    alice.setFileType(FTP.BINARY_FILE_TYPE);
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("notes.txt", stored)).as(alice.getReplyString()).isTrue();
    String eol = System.lineSeparator();
    assertThat(stored.toString(StandardCharsets.US_ASCII))
        .as("the CRLF sent in ASCII mode is stored as the server's line separator")
        .isEqualTo("one" + eol + "two" + eol);
  }

  @Test
  void restResumesADownloadAtTheOffset() throws Exception {
    byte[] content = Content.bytes(7, 3 * MIB + 123);
    alice.storeFile("resume.bin", new ByteArrayInputStream(content));
    for (long offset : new long[] {1, MIB - 56, 1_500_000, content.length}) {
      alice.setRestartOffset(offset);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(alice.retrieveFile("resume.bin", out)).as(alice.getReplyString()).isTrue();
      assertThat(out.toByteArray())
          .isEqualTo(Arrays.copyOfRange(content, (int) offset, content.length));
    }
    alice.setRestartOffset(content.length + 1);
    assertThat(alice.retrieveFile("resume.bin", new ByteArrayOutputStream())).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(554);
  }

  @Test
  void alloBeforeAnUploadIsANoop() throws Exception {
    byte[] content = Content.bytes(7, 5000);
    assertThat(alice.allocate(content.length)).as(alice.getReplyString()).isTrue();
    assertThat(alice.getReplyString()).startsWith("202 No storage allocation necessary");
    assertThat(alice.storeFile("allocated.bin", new ByteArrayInputStream(content))).isTrue();
    assertThat(download("allocated.bin")).isEqualTo(content);

    // A REST before it stays for the transfer that follows.
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      control.login("alice");
      assertThat(control.send("TYPE I")).startsWith("200");
      String pasv = control.send("PASV");
      try (Socket data = new Socket("127.0.0.1", RawControl.port(pasv))) {
        assertThat(control.send("REST 1000")).startsWith("350");
        assertThat(control.send("ALLO 4000")).startsWith("202");
        assertThat(control.send("RETR allocated.bin")).startsWith("150");
        assertThat(data.getInputStream().readAllBytes())
            .isEqualTo(Arrays.copyOfRange(content, 1000, content.length));
        assertThat(control.reply()).startsWith("226");
      }
    }
  }

  @Test
  void appendAndRestStoreResumeAnUpload() throws Exception {
    byte[] content = Content.bytes(11, 2 * MIB + 5);
    int cut = MIB + 17;

    alice.storeFile("appended.bin", new ByteArrayInputStream(content, 0, cut));
    assertThat(
            alice.appendFile(
                "appended.bin", new ByteArrayInputStream(content, cut, content.length - cut)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download("appended.bin")).isEqualTo(content);

    assertThat(alice.appendFile("new-by-appe.bin", new ByteArrayInputStream(content))).isTrue();
    assertThat(download("new-by-appe.bin")).isEqualTo(content);

    alice.storeFile("resumed.bin", new ByteArrayInputStream(content, 0, cut));
    alice.setRestartOffset(cut);
    assertThat(
            alice.storeFile(
                "resumed.bin", new ByteArrayInputStream(content, cut, content.length - cut)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download("resumed.bin")).isEqualTo(content);
  }

  // The target's checks run while the data streams, so these refusals come after the 150.

  @Test
  void storeOntoADirectoryIsRefusedWithThatReasonAndStoresNothing() throws Exception {
    assertThat(alice.makeDirectory("a-dir")).isTrue();
    assertThat(alice.storeFile("a-dir/inner.txt", new ByteArrayInputStream(new byte[3]))).isTrue();

    for (String dir : new String[] {"a-dir", "a-dir/"}) {
      assertThat(alice.storeFile(dir, new ByteArrayInputStream(new byte[100]))).isFalse();
      assertThat(alice.getReplyString()).startsWith("550 Is a directory, not a file: /a-dir");
    }
    assertThat(gw.objectKeys())
        .doesNotContain(GatewayUnderTest.key("alice", "a-dir"))
        .contains(GatewayUnderTest.key("alice", "a-dir/inner.txt"));
    assertThat(gw.pendingUploads()).isEmpty();
  }

  @Test
  void storeIntoAMissingDirectoryIsRefusedWithThatReasonAndStoresNothing() throws Exception {
    assertThat(alice.storeFile("missing/small.txt", new ByteArrayInputStream(new byte[100])))
        .isFalse();
    assertThat(alice.getReplyString())
        .startsWith(
            "550 Cannot store /missing/small.txt: parent directory /missing does not exist");

    // Several parts' worth: the server stops reading once the check failed, whenever that is.
    int reply =
        UploadClient.storeUntilRefused(alice, "missing/big.bin", Content.random(3, 40L * MIB));
    assertThat(reply).as(alice.getReplyString()).isEqualTo(550);
    assertThat(alice.getReplyString())
        .contains("Cannot store /missing/big.bin: parent directory /missing does not exist");

    assertThat(gw.objectKeys()).noneMatch(k -> k.contains("/missing/"));
    assertThat(gw.pendingUploads()).isEmpty();
    // The session goes on.
    assertThat(alice.storeFile("after.txt", new ByteArrayInputStream(new byte[5]))).isTrue();
  }

  @Test
  void storeUniqueNeverOverwrites() throws Exception {
    byte[] one = "one".getBytes(StandardCharsets.UTF_8);
    byte[] two = "two".getBytes(StandardCharsets.UTF_8);
    assertThat(alice.storeUniqueFile(new ByteArrayInputStream(one))).isTrue();
    String first = uniqueName(alice.getReplyString());
    assertThat(alice.storeUniqueFile(new ByteArrayInputStream(two))).isTrue();
    String second = uniqueName(alice.getReplyString());
    assertThat(first).isNotEqualTo(second);
    assertThat(download(first)).isEqualTo(one);
    assertThat(download(second)).isEqualTo(two);
  }

  @Test
  void listingsShowNamesSizesAndTypes() throws Exception {
    assertThat(alice.makeDirectory("listing")).isTrue();
    assertThat(alice.makeDirectory("listing/sub")).isTrue();
    alice.storeFile("listing/a.txt", new ByteArrayInputStream(new byte[1234]));

    FTPFile[] list = alice.listFiles("listing");
    assertThat(list).extracting(FTPFile::getName).containsExactlyInAnyOrder("a.txt", "sub");
    FTPFile file = Arrays.stream(list).filter(FTPFile::isFile).findFirst().orElseThrow();
    assertThat(file.getSize()).isEqualTo(1234);

    FTPFile[] mlsd = alice.mlistDir("listing");
    assertThat(mlsd).extracting(FTPFile::getName).containsExactlyInAnyOrder("a.txt", "sub");
    assertThat(Arrays.stream(mlsd).filter(FTPFile::isDirectory).map(FTPFile::getName))
        .containsExactly("sub");
    assertThat(Arrays.stream(mlsd).filter(FTPFile::isFile).findFirst().orElseThrow().getSize())
        .isEqualTo(1234);

    assertThat(alice.listNames("listing")).containsExactlyInAnyOrder("a.txt", "sub");

    FTPFile one = alice.mlistFile("listing/a.txt");
    assertThat(one.getSize()).isEqualTo(1234);
    assertThat(one.isFile()).isTrue();
    assertThat(alice.getModificationTime("listing/a.txt")).matches("\\d{14}");

    assertThat(alice.changeWorkingDirectory("listing")).isTrue();
    assertThat(alice.printWorkingDirectory()).isEqualTo("/listing");
    assertThat(alice.listNames()).containsExactlyInAnyOrder("a.txt", "sub");
    assertThat(alice.changeToParentDirectory()).isTrue();
    assertThat(alice.printWorkingDirectory()).isEqualTo("/");
    // The RFC 775 forms older clients send.
    assertThat(alice.sendCommand("XCWD", "listing")).isEqualTo(250);
    assertThat(alice.sendCommand("XPWD")).isEqualTo(257);
    assertThat(alice.getReplyString()).startsWith("257 \"/listing\"");
    assertThat(alice.sendCommand("XCUP")).isEqualTo(250);
    assertThat(alice.printWorkingDirectory()).isEqualTo("/");
    assertThat(alice.changeWorkingDirectory("nowhere")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(550);
  }

  /** What Windows' ftp does for {@code mget in/*.csv}: NLST the pattern, then RETR each name. */
  @Test
  void listingsExpandAPatternInTheLastNameAndNamesComeBackUsable() throws Exception {
    assertThat(alice.makeDirectory("globs")).isTrue();
    assertThat(alice.makeDirectory("globs/sub.csv")).isTrue();
    for (String name : List.of("a.csv", "b.csv", "c.txt", "[x].csv", "st*r", ".hidden.csv")) {
      assertThat(alice.storeFile("globs/" + name, new ByteArrayInputStream(name.getBytes())))
          .as(alice.getReplyString())
          .isTrue();
    }

    String[] csv = alice.listNames("globs/*.csv");
    assertThat(csv)
        .containsExactlyInAnyOrder("globs/a.csv", "globs/b.csv", "globs/[x].csv", "globs/sub.csv");
    for (String name : csv) {
      if (!name.endsWith("sub.csv")) {
        assertThat(download(name)).isEqualTo(name.substring("globs/".length()).getBytes());
      }
    }
    assertThat(alice.listNames("/globs/?.txt")).containsExactly("/globs/c.txt");
    assertThat(alice.listNames("globs/[ab].*"))
        .containsExactlyInAnyOrder("globs/a.csv", "globs/b.csv");
    assertThat(alice.listNames("globs/[!ab].txt")).containsExactly("globs/c.txt");
    // As in a shell, a leading dot must be matched by one, so 'mdelete *' spares dot-files.
    assertThat(alice.listNames("globs/.*")).containsExactly("globs/.hidden.csv");
    // A trailing slash is not part of the names sent back.
    assertThat(alice.listNames("globs/?.txt/")).containsExactly("globs/c.txt");
    assertThat(alice.listFiles("globs/*.txt"))
        .extracting(FTPFile::getName)
        .containsExactly("globs/c.txt");

    assertThat(alice.changeWorkingDirectory("globs")).isTrue();
    assertThat(alice.listNames("*.txt")).containsExactly("c.txt");
    // A name that exists is itself, even when it looks like a pattern.
    assertThat(alice.listNames("st*r")).containsExactly("st*r");
    assertThat(alice.listNames("st*")).containsExactly("st*r");
    // No match: an empty listing, as for an empty directory.
    assertThat(alice.listNames("*.pdf")).isEmpty();
    assertThat(alice.getReplyCode()).isEqualTo(226);
    assertThat(alice.changeToParentDirectory()).isTrue();

    // Only the last name is a pattern, an invalid one is just a name, and MLSD takes directories.
    assertThat(alice.listNames("glob*/a.csv")).isNull();
    assertThat(alice.getReplyString()).startsWith("550 No such file or directory: /glob*/a.csv");
    assertThat(alice.listNames("globs/a[b")).isNull();
    assertThat(alice.getReplyString()).startsWith("550 No such file or directory: /globs/a[b");
    assertThat(alice.mlistDir("globs/*.csv")).isEmpty();
    assertThat(alice.getReplyCode()).isEqualTo(550);
    assertThat(alice.listNames("nowhere/*.csv")).isNull();
    assertThat(alice.getReplyString()).startsWith("550 No such file or directory: /nowhere");
  }

  @Test
  void renameDeleteMkdirRmdir() throws Exception {
    assertThat(alice.makeDirectory("work")).isTrue();
    assertThat(alice.getReplyString()).startsWith("257 \"/work\"");
    alice.storeFile("work/draft.txt", new ByteArrayInputStream("draft".getBytes()));

    assertThat(alice.rename("work/draft.txt", "work/final.txt")).isTrue();
    assertThat(alice.listNames("work")).containsExactly("final.txt");
    assertThat(alice.rename("work", "done")).as(alice.getReplyString()).isTrue();
    assertThat(download("done/final.txt")).isEqualTo("draft".getBytes());

    assertThat(alice.removeDirectory("done")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(550);
    assertThat(alice.deleteFile("done/final.txt")).isTrue();
    assertThat(alice.deleteFile("done/final.txt")).isFalse();
    assertThat(alice.getReplyCode()).isEqualTo(550);
    assertThat(alice.removeDirectory("done")).as(alice.getReplyString()).isTrue();
    assertThat(alice.listNames()).doesNotContain("done", "work");
  }

  @Test
  void usersCannotSeeEachOthersFiles() throws Exception {
    alice.storeFile("secret.txt", new ByteArrayInputStream("alice only".getBytes()));
    FTPClient bob = gw.login("bob");
    try {
      assertThat(bob.listNames()).doesNotContain("secret.txt");
      assertThat(bob.retrieveFile("secret.txt", new ByteArrayOutputStream())).isFalse();
      assertThat(bob.getReplyCode()).isEqualTo(550);
      assertThat(bob.retrieveFile("../alice/secret.txt", new ByteArrayOutputStream())).isFalse();
      assertThat(bob.getReplyString())
          .startsWith("553 Invalid file name: '..' leads outside your home directory");
    } finally {
      bob.disconnect();
    }
  }

  @Test
  void theStoredObjectHoldsNoPlaintext() throws Exception {
    String marker = "PLAINTEXT-MARKER-";
    byte[] content = marker.repeat(5000).getBytes(StandardCharsets.US_ASCII);
    alice.storeFile("plain.txt", new ByteArrayInputStream(content));

    byte[] stored = gw.rawObject(GatewayUnderTest.key("alice", "plain.txt"));
    assertThat(stored.length).isGreaterThan(content.length);
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(marker);
    assertThat(download("plain.txt")).isEqualTo(content);
  }

  @Test
  void aTamperedObjectEndsTheDownloadWithAnIntegrityError() throws Exception {
    byte[] content = Content.bytes(13, 3 * MIB);
    alice.storeFile("tampered.bin", new ByteArrayInputStream(content));
    gw.tamper(GatewayUnderTest.key("alice", "tampered.bin"), 2 * MIB + 100);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile("tampered.bin", out)).isFalse();
    assertThat(alice.getReplyString()).startsWith("426 Transfer aborted: integrity check failed");
    assertThat(out.size()).as("only authenticated segments went out").isLessThan(2 * MIB + 100);
  }

  @Test
  void permissionsAreEnforced() throws Exception {
    FTPClient reader = gw.login("reader");
    try {
      assertThat(reader.storeFile("nope.txt", new ByteArrayInputStream(new byte[10]))).isFalse();
      assertThat(reader.getReplyString()).startsWith("550 Permission denied");
      assertThat(reader.makeDirectory("nope")).isFalse();
      assertThat(reader.getReplyString()).startsWith("550 Permission denied");
      assertThat(reader.listNames()).isEmpty();
    } finally {
      reader.disconnect();
    }
    assertThat(gw.objectKeys()).noneMatch(k -> k.contains("users/reader/"));
  }

  @Test
  void beforeLoginAClientIsToldToLogInAndCommandsPipelinedBehindPassWaitForIt() throws Exception {
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("SYST")).isEqualTo("530 Log in with USER and PASS first");
      assertThat(control.send("CWD /")).isEqualTo("530 Log in with USER and PASS first");
      // lftp sends this right after its first FEAT, before logging in.
      assertThat(control.send("OPTS UTF8 ON")).isEqualTo("200 Always in UTF8 mode");
      assertThat(control.send("OPTS UTF8 OFF")).isEqualTo("504 File names are always UTF-8 here");
      assertThat(control.send("FEAT")).startsWith("211");

      OutputStream out = control.socket().getOutputStream();
      out.write(
          ("USER bob\r\nPASS " + TestUsers.PASSWORD + "\r\nPWD\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(control.reply()).startsWith("331");
      assertThat(control.reply()).startsWith("230");
      assertThat(control.reply()).startsWith("257 \"/\"");
      assertThat(control.send("SYST")).startsWith("215");
    }
  }

  @Test
  void featAdvertisesWhatIsSupported() throws Exception {
    assertThat(alice.features()).isTrue();
    assertThat(alice.getReplyString())
        .contains(" UTF8", " SIZE", " MDTM", " REST STREAM", " MLST type*;size*;modify*;perm*;")
        .contains(" EPSV", " MFMT", " HASH SHA-256*")
        .doesNotContain("MD5", "AUTH TLS");
    // OPTS HASH is Dropzone's; the other options still reach MINA's OPTS.
    assertThat(alice.sendCommand("OPTS UTF8 ON")).isEqualTo(200);
    assertThat(alice.sendCommand("OPTS HASH")).isEqualTo(200);
    assertThat(alice.sendCommand("OPTS NOSUCH")).isEqualTo(502);
    // Without TLS, AUTH says so rather than that a service is down (MINA's 431).
    try (RawControl control = new RawControl(gw.port())) {
      control.reply();
      assertThat(control.send("AUTH TLS")).isEqualTo("502 TLS is not configured on this server");
      assertThat(control.login("bob")).startsWith("230");
    }
  }

  @Test
  void extendedPassiveModeWorks() throws Exception {
    alice.setUseEPSVwithIPv4(true);
    byte[] content = Content.bytes(3, 4096);
    assertThat(alice.storeFile("epsv.bin", new ByteArrayInputStream(content))).isTrue();
    assertThat(download("epsv.bin")).isEqualTo(content);
  }

  @Test
  void activeModeWorksTowardsTheClientsOwnAddress() throws Exception {
    alice.enterLocalActiveMode();
    byte[] content = Content.bytes(17, 100_000);
    assertThat(alice.storeFile("active.bin", new ByteArrayInputStream(content)))
        .as(alice.getReplyString())
        .isTrue();
    assertThat(download("active.bin")).isEqualTo(content);
    assertThat(alice.listNames()).contains("active.bin");
  }

  private byte[] download(String name) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(alice.retrieveFile(name, out)).as(alice.getReplyString()).isTrue();
    return out.toByteArray();
  }

  private static String uniqueName(String reply) {
    int start = reply.indexOf("unique file name: ") + "unique file name: ".length();
    return reply.substring(start, reply.indexOf(')', start));
  }
}
