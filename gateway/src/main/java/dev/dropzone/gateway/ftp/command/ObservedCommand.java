package dev.dropzone.gateway.ftp.command;

import dev.dropzone.gateway.ftp.control.RequestLines;
import dev.dropzone.gateway.ftp.events.FtpEvent;
import dev.dropzone.gateway.ftp.events.FtpEvent.Answer;
import dev.dropzone.gateway.ftp.events.FtpEvent.Direction;
import dev.dropzone.gateway.ftp.events.SessionEvents;
import dev.dropzone.gateway.ftp.fs.StoreFile;
import dev.dropzone.gateway.ftp.fs.StoreView;
import dev.dropzone.gateway.ftp.transfer.Transfer;
import dev.dropzone.store.StoreException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpReply;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.impl.FtpServerContext;

/**
 * Wraps a command that changes the tree or moves a file (DELE, RNTO, MKD, RMD, STOR, APPE, STOU,
 * RETR) so that each run fires exactly one {@link FtpEvent} with its final reply, whatever the
 * outcome: {@link FtpEvent.Changed} or {@link FtpEvent.Transferred}. A transfer answers from its
 * own thread: it {@link #claim}s the pending event and completes it once its final reply went out.
 */
final class ObservedCommand implements Command {

  /** Session attribute: the event of the command running now, until it is fired or claimed. */
  private static final String PENDING = ObservedCommand.class.getName() + ".pending";

  /** Which event the command fires. */
  enum Kind {
    CHANGE,
    UPLOAD,
    DOWNLOAD
  }

  private final Kind kind;
  private final Command command;

  private ObservedCommand(Kind kind, Command command) {
    this.kind = kind;
    this.command = command;
  }

  static Command observed(Kind kind, Command command) {
    return new ObservedCommand(kind, command);
  }

  @Override
  public void execute(FtpIoSession session, FtpServerContext context, FtpRequest request)
      throws IOException, FtpException {
    // Read before the command runs: RNTO clears the rename source, RMD may move the cwd, a data
    // command resets the REST offset.
    String path = path(session, request);
    String from =
        session.getRenameFrom() instanceof StoreFile source ? source.path().toString() : null;
    Pending pending =
        new Pending(session, kind, request.getCommand(), path, from, session.getFileOffset());
    session.setAttribute(PENDING, pending);
    try {
      command.execute(session, context, request);
    } finally {
      // Unless a transfer claimed the event (it fires once it has answered), the command answered,
      // and nothing else has answered on this session since: commands run one at a time.
      if (session.removeAttribute(PENDING) == pending) {
        pending.answered(session.getLastReply());
      }
    }
  }

  /** Whether an observed command runs on {@code session} and will fire its own event. */
  static boolean observing(FtpIoSession session) {
    return session.containsAttribute(PENDING);
  }

  /**
   * Takes over the event of the command running on {@code session}, for a transfer that answers the
   * client from another thread. Returns a pending event that does nothing for commands that are not
   * observed (listings).
   */
  static Pending claim(FtpIoSession session) {
    return session.removeAttribute(PENDING) instanceof Pending pending ? pending : Pending.NONE;
  }

  /** Gives a claimed event back when the transfer did not start after all (its refusal answers). */
  static void unclaim(FtpIoSession session, Pending pending) {
    if (pending != Pending.NONE) {
      session.setAttribute(PENDING, pending);
    }
  }

  /** The event of one command, waiting for the reply that ends it. */
  static final class Pending {

    static final Pending NONE = new Pending(null, null, null, null, null, 0);

    private final FtpIoSession session;
    private final Kind kind;
    private final String command;
    private final String path;
    private final String from;
    private final long offset;

    private Pending(
        FtpIoSession session, Kind kind, String command, String path, String from, long offset) {
      this.session = session;
      this.kind = kind;
      this.command = command;
      this.path = path;
      this.from = from;
      this.offset = offset;
    }

    /** The command answered without a transfer (it was refused, or changes nothing else). */
    void answered(FtpReply reply) {
      if (this == NONE) {
        return;
      }
      Answer answer = ReplyMapper.answer(reply);
      FtpEvent.Client client = SessionEvents.client(session);
      Instant now = Instant.now();
      SessionEvents.fire(
          session,
          switch (kind) {
            case CHANGE ->
                "RNTO".equals(command)
                    ? new FtpEvent.Changed(now, client, command, from, path, answer)
                    : new FtpEvent.Changed(now, client, command, path, null, answer);
            case UPLOAD, DOWNLOAD ->
                new FtpEvent.Transferred(
                    now,
                    client,
                    command,
                    direction(),
                    path,
                    offset,
                    0,
                    Duration.ZERO,
                    null,
                    answer,
                    null);
          });
    }

    /** The transfer ran and sent its final reply ({@link Transfer#answer()}). */
    void transferred(Transfer transfer) {
      if (this == NONE) {
        return;
      }
      String file = transfer.file();
      SessionEvents.fire(
          session,
          new FtpEvent.Transferred(
              Instant.now(),
              SessionEvents.client(session),
              command,
              direction(),
              file == null ? path : file,
              file == null ? offset : transfer.offset(),
              transfer.moved(),
              transfer.elapsed(),
              transfer.firstByte(),
              ReplyMapper.answer(transfer.answer()),
              transfer.digest()));
    }

    private Direction direction() {
      return kind == Kind.DOWNLOAD ? Direction.DOWNLOAD : Direction.UPLOAD;
    }
  }

  /** The path the command names, resolved against the working directory when it is valid. */
  private static String path(FtpIoSession session, FtpRequest request) {
    String argument = RequestLines.argument(session, request);
    if (!(session.getFileSystemView() instanceof StoreView view)) {
      return argument == null ? "" : argument;
    }
    if (argument == null || argument.isEmpty()) {
      return view.cwd().toString();
    }
    try {
      return view.resolve(argument).toString();
    } catch (StoreException e) {
      return argument;
    }
  }
}
