package dev.dropzone.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The table of a run, as aligned text for the terminal and as Markdown for the results file. */
final class Report {

  private static final List<String> HEADER =
      List.of("case", "gateway", "baseline", "ratio", "target", "verdict");

  private final List<String> machine;
  private final List<Row> rows;
  private final List<String> notes;

  Report(List<String> machine, List<Row> rows, List<String> notes) {
    this.machine = machine;
    this.rows = rows;
    this.notes = notes;
  }

  String text() {
    List<List<String>> cells = cells();
    int[] width = new int[HEADER.size()];
    for (List<String> line : cells) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], line.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> line : cells) {
      for (int i = 0; i < width.length; i++) {
        out.append(String.format("%-" + width[i] + "s  ", line.get(i)));
      }
      out.setLength(out.length() - 2);
      out.append('\n');
    }
    machine.forEach(m -> out.append(m).append('\n'));
    notes.forEach(n -> out.append("- ").append(n).append('\n'));
    return out.toString();
  }

  String markdown(String title) {
    StringBuilder out = new StringBuilder("# ").append(title).append("\n\n");
    List<List<String>> cells = cells();
    for (int i = 0; i < cells.size(); i++) {
      out.append("| ").append(String.join(" | ", cells.get(i))).append(" |\n");
      if (i == 0) {
        out.append("|---".repeat(HEADER.size())).append("|\n");
      }
    }
    out.append("\n## Machine and versions\n\n");
    machine.forEach(m -> out.append("- ").append(m).append('\n'));
    if (!notes.isEmpty()) {
      out.append("\n## Notes\n\n");
      notes.forEach(n -> out.append("- ").append(n).append('\n'));
    }
    return out.toString();
  }

  void write(Path file, String title) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, markdown(title));
  }

  private List<List<String>> cells() {
    List<List<String>> cells = new java.util.ArrayList<>();
    cells.add(HEADER);
    rows.forEach(
        r ->
            cells.add(
                List.of(r.name(), r.gateway(), r.baseline(), r.ratio(), r.target(), r.verdict())));
    return cells;
  }
}
