package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.auth.Account;
import dev.dropzone.gateway.auth.Permission;
import dev.dropzone.store.FileInfo;
import java.time.Duration;
import java.time.Instant;

/** How one directory entry is written in LIST, NLST and MLSD/MLST output. */
enum ListingFormat {
  /** {@code ls -l} style, which every client parses. */
  LIST {
    @Override
    String line(FileInfo entry, String name, Account account) {
      Instant modified = entry.lastModified();
      boolean recent = Duration.between(modified, Instant.now()).abs().toDays() < 180;
      // Built by hand: String.format parses its pattern for every line of a 10,000-entry LIST.
      StringBuilder line = new StringBuilder(80);
      line.append(entry.directory() ? "drwx------" : "-rw-------").append(" 1 ");
      padRight(line, account.username(), 8).append(' ');
      padRight(line, account.username(), 8).append(' ');
      padLeft(line, Long.toString(entry.size()), 12).append(' ');
      ListingDates.appendLs(line, modified, recent);
      return line.append(' ').append(name).toString();
    }
  },
  /** Names only. */
  NLST {
    @Override
    String line(FileInfo entry, String name, Account account) {
      return name;
    }
  },
  /** RFC 3659 facts: type, size, modify, perm. */
  MLSD {
    @Override
    String line(FileInfo entry, String name, Account account) {
      return facts(entry, account) + " " + name;
    }
  };

  /** The line of {@code entry} under its own name. */
  String line(FileInfo entry, Account account) {
    return line(entry, entry.name(), account);
  }

  /** The line of {@code entry} shown as {@code name} (a pattern's match keeps its directory). */
  abstract String line(FileInfo entry, String name, Account account);

  /** The MLST fact list of {@code entry}, ending in {@code ;}. */
  static String facts(FileInfo entry, Account account) {
    StringBuilder perm = new StringBuilder();
    if (entry.directory()) {
      perm.append('e');
      when(perm, account.may(Permission.LIST), 'l');
      when(perm, account.may(Permission.WRITE), 'c');
      when(perm, account.may(Permission.MKDIR), 'm');
      when(perm, account.may(Permission.DELETE), 'p');
    } else {
      when(perm, account.may(Permission.READ), 'r');
      when(perm, account.may(Permission.WRITE), 'w');
      when(perm, account.may(Permission.WRITE), 'a');
    }
    when(perm, account.may(Permission.DELETE), 'd');
    when(perm, account.may(Permission.RENAME), 'f');
    StringBuilder facts = new StringBuilder(64);
    facts.append("type=").append(entry.directory() ? "dir" : "file");
    facts.append(";size=").append(entry.size()).append(";modify=");
    ListingDates.appendMdtm(facts, entry.lastModified());
    return facts.append(";perm=").append(perm).append(';').toString();
  }

  private static StringBuilder padRight(StringBuilder line, String text, int width) {
    line.append(text);
    for (int i = text.length(); i < width; i++) {
      line.append(' ');
    }
    return line;
  }

  private static StringBuilder padLeft(StringBuilder line, String text, int width) {
    for (int i = text.length(); i < width; i++) {
      line.append(' ');
    }
    return line.append(text);
  }

  private static void when(StringBuilder perm, boolean allowed, char flag) {
    if (allowed) {
      perm.append(flag);
    }
  }
}
