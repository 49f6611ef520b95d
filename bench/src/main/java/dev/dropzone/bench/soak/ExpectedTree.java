package dev.dropzone.bench.soak;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one soak client's home must hold, from the replies it got. A command the gateway confirmed
 * is certain; one that failed or got no reply may or may not have happened, so its paths become
 * possible rather than certain. Whatever happened, nothing may be lost: a file the client was told
 * is stored must be found with its exact bytes, and a failed rename must leave the file under one
 * of its two names.
 *
 * <p>Paths are relative to the home, without a leading slash, e.g. {@code d3/f17.bin}. One client's
 * thread only.
 */
final class ExpectedTree {

  /** A file's content, by its SHA-256 in hex and its size. */
  record Content(String sha256, long size) {}

  private enum State {
    PRESENT,
    POSSIBLE
  }

  private record Entry(Content content, State state, int group) {
    boolean isDirectory() {
      return content == null;
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /** Groups of possible paths of which at least one must exist (a failed rename's two names). */
  private int groups;

  void stored(String path, Content content) {
    entries.put(path, new Entry(content, State.PRESENT, 0));
  }

  void madeDirectory(String path) {
    entries.put(path, new Entry(null, State.PRESENT, 0));
  }

  /** An upload or MKD that failed: the path may exist (complete) or not. */
  void maybeCreated(String path, Content content) {
    entries.put(path, new Entry(content, State.POSSIBLE, 0));
  }

  void deleted(String path) {
    entries.remove(path);
  }

  /** A delete that failed: the file may still be there (intact) or not. */
  void maybeDeleted(String path) {
    Entry entry = entries.get(path);
    if (entry != null) {
      entries.put(path, new Entry(entry.content(), State.POSSIBLE, 0));
    }
  }

  /** A confirmed rename of a file or directory and everything below it. */
  void renamed(String from, String to) {
    for (String path : below(from)) {
      entries.put(to + path.substring(from.length()), entries.remove(path));
    }
  }

  /**
   * A rename that failed or got no reply: each path below {@code from} may now be under either name
   * (a directory's objects move one by one), but under at least one of them.
   */
  void maybeRenamed(String from, String to) {
    for (String path : below(from)) {
      Entry entry = entries.get(path);
      int group = entry.state() == State.PRESENT && !entry.isDirectory() ? ++groups : 0;
      entries.put(path, new Entry(entry.content(), State.POSSIBLE, group));
      entries.put(
          to + path.substring(from.length()), new Entry(entry.content(), State.POSSIBLE, group));
    }
  }

  /** Files certainly present directly in {@code dir} ("" for the home), for picking one to use. */
  List<String> presentFiles(String dir) {
    List<String> files = new ArrayList<>();
    entries.forEach(
        (path, entry) -> {
          if (entry.state() == State.PRESENT && !entry.isDirectory() && parent(path).equals(dir)) {
            files.add(path);
          }
        });
    files.sort(null);
    return files;
  }

  /** Directories certainly present directly in the home. */
  List<String> presentDirectories() {
    List<String> dirs = new ArrayList<>();
    entries.forEach(
        (path, entry) -> {
          if (entry.state() == State.PRESENT && entry.isDirectory() && !path.contains("/")) {
            dirs.add(path);
          }
        });
    dirs.sort(null);
    return dirs;
  }

  boolean hasAnythingBelow(String dir) {
    return entries.keySet().stream().anyMatch(path -> path.startsWith(dir + "/"));
  }

  Content content(String path) {
    Entry entry = entries.get(path);
    return entry == null ? null : entry.content();
  }

  /**
   * Checks a listing of {@code dir}: every certain child is listed and nothing is listed that could
   * not be there.
   *
   * @param listed the names the listing gave
   * @return what is wrong, empty when the listing fits
   */
  List<String> checkListing(String dir, Set<String> listed) {
    Set<String> allowed = new HashSet<>();
    Set<String> required = new HashSet<>();
    String prefix = dir.isEmpty() ? "" : dir + "/";
    entries.forEach(
        (path, entry) -> {
          if (!path.startsWith(prefix)) {
            return;
          }
          String rest = path.substring(prefix.length());
          int slash = rest.indexOf('/');
          String name = slash < 0 ? rest : rest.substring(0, slash);
          allowed.add(name);
          if (entry.state() == State.PRESENT && (slash < 0 || !entry.isDirectory())) {
            required.add(name);
          }
        });
    List<String> problems = new ArrayList<>();
    for (String name : required) {
      if (!listed.contains(name)) {
        problems.add("listing of /" + dir + " lacks " + name + ", which was stored");
      }
    }
    for (String name : listed) {
      if (!allowed.contains(name)) {
        problems.add("listing of /" + dir + " shows " + name + ", which was never stored there");
      }
    }
    return problems;
  }

  /**
   * Checks the whole home as found at the end.
   *
   * @param files every file found, with the SHA-256 of its downloaded content
   * @param directories every directory found
   * @return what is wrong, empty when everything fits
   */
  List<String> checkFinal(Map<String, Content> files, Set<String> directories) {
    List<String> problems = new ArrayList<>();
    Set<Integer> groupsFound = new HashSet<>();
    Set<Integer> groupsExpected = new HashSet<>();
    entries.forEach(
        (path, entry) -> {
          if (entry.group() != 0) {
            groupsExpected.add(entry.group());
          }
          if (entry.isDirectory()) {
            return;
          }
          Content found = files.get(path);
          if (found != null && entry.group() != 0) {
            groupsFound.add(entry.group());
          }
          if (found == null && entry.state() == State.PRESENT) {
            problems.add("/" + path + " was stored and is gone");
          } else if (found != null && !found.equals(entry.content())) {
            problems.add(
                "/" + path + " holds other bytes than were stored: " + found + " vs " + entry);
          }
        });
    groupsExpected.removeAll(groupsFound);
    if (!groupsExpected.isEmpty()) {
      problems.add(groupsExpected.size() + " file(s) lost by a failed rename (under neither name)");
    }
    for (String path : files.keySet()) {
      if (!entries.containsKey(path)) {
        problems.add("/" + path + " exists but was never stored");
      }
    }
    for (String dir : directories) {
      if (!entries.containsKey(dir) && !hasAnythingBelow(dir)) {
        problems.add("directory /" + dir + " exists but was never made");
      }
    }
    return problems;
  }

  /** The number of files the client was told are stored. */
  long certainFiles() {
    return entries.values().stream()
        .filter(e -> e.state() == State.PRESENT && !e.isDirectory())
        .count();
  }

  private List<String> below(String from) {
    return entries.keySet().stream()
        .filter(path -> path.equals(from) || path.startsWith(from + "/"))
        .toList();
  }

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }
}
