package dev.dropzone.bench.soak;

import dev.dropzone.bench.soak.ExpectedTree.Content;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;

/**
 * One well-behaved client of a soak run: logged in as its own user, it uploads, downloads, lists,
 * renames (files and directories) and deletes in its home until the end time, checks every download
 * and every listing against what the gateway confirmed, and reconnects when its connection breaks.
 * Refusals while storage is away are expected and counted; wrong bytes or a listing that
 * contradicts a confirmed reply are violations.
 */
final class Worker implements Runnable {

  /** A client waits this long for any reply: longer means the gateway hung. */
  static final Duration PATIENCE = Duration.ofSeconds(120);

  /**
   * Files kept in a home before the client deletes rather than uploads (S3 holds them in memory).
   */
  private static final int MAX_FILES = 24;

  private final int port;
  private final String user;
  private final String password;
  private final int maxFileBytes;
  private final long endNanos;
  private final Tally tally;
  private final SplittableRandom random;
  private final ExpectedTree tree = new ExpectedTree();
  private FTPClient ftp;
  private int names;
  private long stepStarted;

  Worker(
      int port,
      String user,
      String password,
      int maxFileBytes,
      long endNanos,
      Tally tally,
      long seed) {
    this.port = port;
    this.user = user;
    this.password = password;
    this.maxFileBytes = maxFileBytes;
    this.endNanos = endNanos;
    this.tally = tally;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void run() {
    while (System.nanoTime() < endNanos) {
      try {
        if (ftp == null) {
          ftp = connectOrNull();
          if (ftp == null) {
            Thread.sleep(1_000);
            continue;
          }
        }
        step();
      } catch (IOException e) {
        tally.count("connection", "io");
        drop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        tally.violation(user + ": client failed unexpectedly: " + e);
        drop();
      }
    }
    if (ftp != null) {
      try {
        ftp.logout();
      } catch (IOException e) {
        // ending anyway
      }
      drop();
    }
  }

  /** One random operation. */
  private void step() throws IOException {
    stepStarted = System.nanoTime();
    List<String> files = tree.presentFiles("");
    int dice = random.nextInt(100);
    if (dice < 30) {
      if (files.size() >= MAX_FILES) {
        delete(files.get(random.nextInt(files.size())));
      } else {
        upload(random.nextInt(4) == 0 ? intoDirectory() : "");
      }
    } else if (dice < 55 && !files.isEmpty()) {
      download(files.get(random.nextInt(files.size())));
    } else if (dice < 75) {
      list(random.nextInt(3) == 0 ? someDirectory() : "");
    } else if (dice < 87 && !files.isEmpty()) {
      renameFile(files.get(random.nextInt(files.size())));
    } else if (dice < 92) {
      renameDirectory();
    } else if (!files.isEmpty()) {
      delete(files.get(random.nextInt(files.size())));
    } else {
      upload("");
    }
  }

  private void upload(String dir) throws IOException {
    String path = (dir.isEmpty() ? "" : dir + "/") + "f" + names++ + ".bin";
    byte[] data = new byte[size()];
    random.nextBytes(data);
    Content content = new Content(sha256(data), data.length);
    tree.maybeCreated(path, content);
    boolean stored = ftp.storeFile("/" + path, new ByteArrayInputStream(data));
    outcome("upload", stored);
    if (stored) {
      tree.stored(path, content);
      tally.uploaded(data.length);
    }
  }

  /** Mostly small files, some across the 8 MiB part size. */
  private int size() {
    int kind = random.nextInt(10);
    if (kind < 4) {
      return random.nextInt(64 * 1024 + 1);
    }
    if (kind < 8) {
      return random.nextInt(1 << 20);
    }
    return random.nextInt(Math.max(1, maxFileBytes));
  }

  private void download(String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean sent = ftp.retrieveFile("/" + path, out);
    outcome("download", sent);
    if (sent) {
      Content expected = tree.content(path);
      Content got = new Content(sha256(out.toByteArray()), out.size());
      if (!got.equals(expected)) {
        tally.violation(user + ": download of /" + path + " gave " + got + ", stored " + expected);
      } else {
        tally.verified(got.size());
      }
    }
  }

  private void list(String dir) throws IOException {
    Set<String> names = new HashSet<>();
    boolean listed;
    if (random.nextBoolean()) {
      String[] nlst = ftp.listNames("/" + dir);
      listed = nlst != null && FTPReply.isPositiveCompletion(ftp.getReplyCode());
      if (listed) {
        for (String name : nlst) {
          names.add(name.substring(name.lastIndexOf('/') + 1));
        }
      }
    } else {
      FTPFile[] mlsd = ftp.mlistDir("/" + dir);
      listed = FTPReply.isPositiveCompletion(ftp.getReplyCode());
      for (FTPFile file : mlsd) {
        names.add(file.getName());
      }
    }
    outcome(dir.isEmpty() ? "list" : "list subdirectory", listed);
    if (listed) {
      for (String problem : tree.checkListing(dir, names)) {
        tally.violation(user + ": " + problem);
      }
    }
  }

  private void renameFile(String from) throws IOException {
    String to = "r" + names++ + ".bin";
    rename("rename file", from, to);
  }

  private void renameDirectory() throws IOException {
    List<String> dirs = tree.presentDirectories();
    if (dirs.isEmpty()) {
      makeDirectory();
      return;
    }
    rename("rename directory", dirs.get(random.nextInt(dirs.size())), "d" + names++);
  }

  /** RNFR refused: nothing happened. RNTO refused or unanswered: it may have, in part. */
  private void rename(String operation, String from, String to) throws IOException {
    int rnfr = ftp.sendCommand("RNFR", "/" + from);
    if (rnfr != FTPReply.FILE_ACTION_PENDING) {
      outcome(operation, false);
      return;
    }
    boolean renamed;
    try {
      renamed = FTPReply.isPositiveCompletion(ftp.sendCommand("RNTO", "/" + to));
    } catch (IOException e) {
      tree.maybeRenamed(from, to);
      throw e;
    }
    outcome(operation, renamed);
    if (renamed) {
      tree.renamed(from, to);
    } else {
      tree.maybeRenamed(from, to);
    }
  }

  private void makeDirectory() throws IOException {
    String dir = "d" + names++;
    tree.maybeCreated(dir, null);
    boolean made = ftp.makeDirectory("/" + dir);
    outcome("make directory", made);
    if (made) {
      tree.madeDirectory(dir);
    }
  }

  private String intoDirectory() {
    List<String> dirs = tree.presentDirectories();
    return dirs.isEmpty() ? "" : dirs.get(random.nextInt(dirs.size()));
  }

  private String someDirectory() {
    return intoDirectory();
  }

  private void delete(String path) throws IOException {
    tree.maybeDeleted(path);
    boolean deleted = ftp.deleteFile("/" + path);
    outcome("delete", deleted);
    if (deleted) {
      tree.deleted(path);
    } else if (ftp.getReplyCode() == 550) {
      tally.violation(user + ": delete of stored /" + path + " answered " + ftp.getReplyString());
    }
  }

  private void outcome(String operation, boolean ok) {
    tally.took(operation, System.nanoTime() - stepStarted);
    if (ok) {
      tally.count(operation, "ok");
    } else {
      tally.count(operation, Integer.toString(ftp.getReplyCode()));
      tally.reply(ftp.getReplyString());
    }
  }

  /**
   * Walks the home as it is now and checks it against every reply the client got, downloading and
   * hashing every file; the session used for it is closed afterwards.
   */
  void verifyEverything() throws IOException {
    FTPClient checker = connect(port, user, password, tally);
    if (checker == null) {
      tally.violation(user + ": cannot log in for the final check");
      return;
    }
    try {
      Map<String, Content> files = new HashMap<>();
      Set<String> dirs = new HashSet<>();
      walk(checker, "", files, dirs);
      for (String problem : tree.checkFinal(files, dirs)) {
        tally.violation(user + " (final check): " + problem);
      }
      files.values().forEach(content -> tally.verified(content.size()));
      tally.count("final check: files verified", "ok");
    } finally {
      checker.logout();
      checker.disconnect();
    }
  }

  private void walk(FTPClient checker, String dir, Map<String, Content> files, Set<String> dirs)
      throws IOException {
    FTPFile[] listing = checker.mlistDir("/" + dir);
    if (!FTPReply.isPositiveCompletion(checker.getReplyCode())) {
      throw new IOException("final listing of /" + dir + ": " + checker.getReplyString());
    }
    for (FTPFile file : listing) {
      String path = (dir.isEmpty() ? "" : dir + "/") + file.getName();
      if (file.isDirectory()) {
        dirs.add(path);
        walk(checker, path, files, dirs);
      } else {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!checker.retrieveFile("/" + path, out)) {
          throw new IOException("final download of /" + path + ": " + checker.getReplyString());
        }
        files.put(path, new Content(sha256(out.toByteArray()), out.size()));
      }
    }
  }

  long certainFiles() {
    return tree.certainFiles();
  }

  private void drop() {
    if (ftp != null) {
      try {
        ftp.disconnect();
      } catch (IOException e) {
        // gone already
      }
      ftp = null;
    }
  }

  /** A logged-in passive binary session, or null when the gateway refused (counted). */
  /**
   * A logged-in client, or null after a refusal: Commons Net throws on a 421 greeting, and a client
   * that reconnected at once after one would flood the gateway instead of waiting its turn.
   */
  private FTPClient connectOrNull() {
    try {
      return connect(port, user, password, tally);
    } catch (IOException e) {
      tally.count("login", "io");
      return null;
    }
  }

  static FTPClient connect(int port, String user, String password, Tally tally) throws IOException {
    FTPClient client = new FTPClient();
    client.setConnectTimeout(10_000);
    client.setDefaultTimeout((int) PATIENCE.toMillis());
    client.setDataTimeout(PATIENCE);
    client.connect("127.0.0.1", port);
    client.setSoTimeout((int) PATIENCE.toMillis());
    if (!FTPReply.isPositiveCompletion(client.getReplyCode()) || !client.login(user, password)) {
      tally.count("login", Integer.toString(client.getReplyCode()));
      tally.reply(client.getReplyString());
      client.disconnect();
      return null;
    }
    tally.count("login", "ok");
    client.enterLocalPassiveMode();
    client.setFileType(FTP.BINARY_FILE_TYPE);
    return client;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
