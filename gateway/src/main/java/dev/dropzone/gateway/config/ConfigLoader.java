package dev.dropzone.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the configuration from four layers, later ones winning: the defaults, the YAML file, the
 * environment ({@link ConfigKeys#envName}), then command-line overrides ({@code key=value}).
 *
 * <p>Every problem is reported at once, not one per attempt: unknown variables and keys, values of
 * the wrong type and invalid settings are collected across all layers and stages, each naming its
 * key and where its value came from.
 */
public final class ConfigLoader {

  private static final ObjectMapper MAPPER =
      YamlMappers.strict()
          // Every primitive key has a default, so a null there can only be an explicit '~' that
          // would otherwise silently become 0 or false. (Keys whose default depends on another,
          // such as keys.acceptFormatV1, are objects, and null means "the default".)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(
              new SimpleModule("dropzone-durations")
                  .addDeserializer(Duration.class, new TextDeserializer<>(Durations::parse))
                  .addDeserializer(ByteSize.class, new TextDeserializer<>(ByteSize::parse)));

  private final ObjectNode tree = ConfigKeys.defaults();

  /** Where each value that is not a default came from, for error messages. */
  private final Map<String, String> origins = new HashMap<>();

  /** Problems of the layers themselves (unknown variables or keys, unreadable files). */
  private final List<String> layerProblems = new ArrayList<>();

  /**
   * What {@link #check} found.
   *
   * @param settings the settings as far as they could be made: a value that does not bind is taken
   *     at its default, and parts with problems may be missing (null); never use them to run
   * @param problems every problem, each naming its key or variable and where its value came from
   */
  public record Checked(GatewaySettings settings, List<String> problems) {

    /** Whether a problem concerns a key in {@code section}, e.g. {@code "s3"} or {@code "keys"}. */
    public boolean hasProblemsIn(String section) {
      return problems.stream().anyMatch(p -> p.startsWith(section + "."));
    }
  }

  /** Merges a YAML file over the defaults. */
  public ConfigLoader file(Path file) throws ConfigException {
    JsonNode node;
    try {
      node = MAPPER.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (JacksonException e) {
      throw new ConfigException(
          "config file " + file + " is not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return this;
    }
    if (!node.isObject()) {
      throw new ConfigException(
          "config file " + file + " must be a mapping of sections (s3, keys, ftp, users, uploads)");
    }
    merge(tree, (ObjectNode) node, "", "config file " + file);
    return this;
  }

  /**
   * Applies {@code DROPZONE_*} variables; {@code <NAME>_FILE} reads the value from a file, so
   * secrets can come from mounted files instead of the environment. A {@code DROPZONE_*} variable
   * that names no setting is a problem: a typo must not silently leave the default in place.
   */
  public ConfigLoader environment(Map<String, String> env) {
    Set<String> known = new HashSet<>();
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      String fileVariable = key.env() + ConfigKeys.FILE_SUFFIX;
      known.add(key.env());
      known.add(fileVariable);
      String value = env.get(key.env());
      String origin = "environment variable " + key.env();
      if (value == null || value.isEmpty()) {
        String file = env.get(fileVariable);
        if (file == null || file.isEmpty()) {
          continue;
        }
        value = readValueFile(fileVariable, Path.of(file));
        if (value == null) {
          continue;
        }
        origin = "file " + file + " named by " + fileVariable;
      }
      set(key.path(), value, origin);
    }
    new TreeMap<>(env)
        .keySet().stream()
            .filter(name -> name.startsWith(ConfigKeys.ENV_PREFIX) && !known.contains(name))
            .forEach(name -> layerProblems.add(unknownVariable(name, known)));
    return this;
  }

  /** Applies {@code key=value} overrides from the command line. */
  public ConfigLoader overrides(Map<String, String> overrides, String origin) {
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (ConfigKeys.find(e.getKey()).isEmpty()) {
        List<String> paths = ConfigKeys.all().stream().map(ConfigKeys.Key::path).toList();
        String suggestion = NameSuggestions.didYouMean(e.getKey(), paths);
        layerProblems.add(
            origin
                + ": unknown configuration key '"
                + e.getKey()
                + "'"
                + (suggestion.isEmpty()
                    ? "; known keys: " + String.join(", ", paths)
                    : suggestion));
        continue;
      }
      set(e.getKey(), e.getValue(), origin);
    }
    return this;
  }

  /**
   * Binds the merged tree.
   *
   * @throws ConfigException listing every unknown variable or key and every value of the wrong
   *     type, each naming its key and where it came from
   */
  public DropzoneConfig load() throws ConfigException {
    Binding binding = bind();
    if (!binding.problems().isEmpty()) {
      throw new ConfigException(binding.problems());
    }
    return binding.config();
  }

  /**
   * Validates the loaded configuration into settings; each problem also says where its value came
   * from (file, environment variable, command line), since the value may not be in the file.
   *
   * @throws ConfigException listing every problem of every layer and stage
   */
  public GatewaySettings settings(Path baseDir) throws ConfigException {
    Checked checked = check(baseDir);
    if (!checked.problems().isEmpty()) {
      throw new ConfigException(checked.problems());
    }
    return checked.settings();
  }

  /** Every problem at once, and the settings as far as they could be made (for a preflight). */
  public Checked check(Path baseDir) {
    Binding binding = bind();
    List<String> problems = new ArrayList<>(binding.problems());
    if (binding.config() == null) {
      return new Checked(null, problems);
    }
    Problems validation = new Problems();
    GatewaySettings settings = GatewaySettings.validate(binding.config(), baseDir, validation);
    for (String problem : validation.messages()) {
      String key = problem.substring(0, Math.max(0, problem.indexOf(':')));
      // A value that did not bind was replaced by its default; what the checks say about that
      // default would only hide the real problem, which is already listed.
      if (!binding.unbound().contains(key)) {
        problems.add(problem + origin(key));
      }
    }
    return new Checked(settings, List.copyOf(problems));
  }

  /**
   * The bound configuration (with unknown keys left out and values that do not bind reset to their
   * defaults), and every problem found on the way.
   */
  private record Binding(DropzoneConfig config, List<String> problems, Set<String> unbound) {}

  private Binding bind() {
    List<String> problems = new ArrayList<>(layerProblems);
    ObjectNode candidate = tree.deepCopy();
    dropUnknownKeys(candidate, ConfigKeys.defaults(), "", problems);
    Set<String> unbound = new HashSet<>();
    try {
      return new Binding(MAPPER.treeToValue(candidate, DropzoneConfig.class), problems, unbound);
    } catch (JacksonException first) {
      // Jackson stops at the first bad value: bind each value that is not a default on its own to
      // find them all, putting the defaults back in their place.
      for (String path : new TreeMap<>(origins).keySet()) {
        JsonNode value = at(candidate, path);
        if (value == null) {
          continue;
        }
        ObjectNode probe = ConfigKeys.defaults();
        put(probe, path, value);
        try {
          MAPPER.treeToValue(probe, DropzoneConfig.class);
        } catch (JacksonException e) {
          problems.add(describe(e));
          unbound.add(path);
          JsonNode fallback = at(ConfigKeys.defaults(), path);
          put(candidate, path, fallback == null ? TextNode.valueOf("") : fallback);
        }
      }
      try {
        return new Binding(MAPPER.treeToValue(candidate, DropzoneConfig.class), problems, unbound);
      } catch (JacksonException e) {
        if (unbound.isEmpty()) {
          problems.add(describe(first));
        }
        return new Binding(null, problems, unbound);
      }
    }
  }

  private String describe(JacksonException e) {
    if (e instanceof JsonMappingException mapping) {
      String key = YamlMappers.location(mapping);
      return key + ": " + describe(mapping) + origin(key);
    }
    return "configuration cannot be read: " + e.getOriginalMessage();
  }

  /** Removes keys the defaults do not have, reporting each with the known keys of its section. */
  private void dropUnknownKeys(
      ObjectNode node, ObjectNode known, String prefix, List<String> problems) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode expected = known.get(field.getKey());
      if (expected == null) {
        List<String> siblings = new ArrayList<>();
        known.fieldNames().forEachRemaining(siblings::add);
        List<String> siblingPaths =
            siblings.stream().map(s -> prefix.isEmpty() ? s : prefix + "." + s).toList();
        problems.add(
            path
                + ": unknown key"
                + origin(path)
                + NameSuggestions.didYouMean(path, siblingPaths)
                + "; known keys"
                + (prefix.isEmpty() ? "" : " in " + prefix)
                + ": "
                + siblings.stream().sorted().collect(Collectors.joining(", ")));
        fields.remove();
      } else if (expected instanceof ObjectNode section
          && field.getValue() instanceof ObjectNode value) {
        dropUnknownKeys(value, section, path, problems);
      }
    }
  }

  private String origin(String key) {
    String origin = origins.get(key);
    return origin == null ? "" : " (from " + origin + ")";
  }

  private static String unknownVariable(String name, Set<String> known) {
    String rest = name.substring(ConfigKeys.ENV_PREFIX.length());
    List<String> candidates =
        known.stream().map(k -> k.substring(ConfigKeys.ENV_PREFIX.length())).toList();
    List<String> closest = NameSuggestions.closest(rest, candidates);
    String hint;
    if (!closest.isEmpty()) {
      hint =
          "did you mean "
              + closest.stream()
                  .map(c -> ConfigKeys.ENV_PREFIX + c)
                  .collect(Collectors.joining(" or "))
              + "?";
    } else {
      String section = rest.contains("_") ? rest.substring(0, rest.indexOf('_') + 1) : rest;
      List<String> same =
          known.stream()
              .filter(k -> k.startsWith(ConfigKeys.ENV_PREFIX + section))
              .filter(k -> !k.endsWith(ConfigKeys.FILE_SUFFIX))
              .sorted()
              .toList();
      hint =
          same.isEmpty()
              ? "the README's configuration reference lists every variable"
              : "variables of that section: " + String.join(", ", same);
    }
    return "environment variable " + name + " is not a Dropzone setting; " + hint;
  }

  private static String describe(JsonMappingException e) {
    Throwable cause = e.getCause();
    if (e instanceof ValueInstantiationException && cause != null) {
      return cause.getMessage();
    }
    if (cause instanceof IllegalArgumentException) {
      return cause.getMessage();
    }
    if (e instanceof InvalidFormatException f) {
      return "'" + f.getValue() + "' is not " + expected(f.getTargetType());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "expected " + expected(m.getTargetType());
    }
    return e.getOriginalMessage();
  }

  private static String expected(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a text value";
    }
    if (type.isRecord()) {
      return "a section (a mapping of keys)";
    }
    return "a " + type.getSimpleName();
  }

  private void set(String path, String value, String origin) {
    put(tree, path, TextNode.valueOf(value));
    origins.put(path, origin);
  }

  /** Puts {@code value} at a dotted path, creating sections on the way. */
  private static void put(ObjectNode root, String path, JsonNode value) {
    String[] segments = path.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < segments.length - 1; i++) {
      JsonNode child = node.get(segments[i]);
      if (!(child instanceof ObjectNode)) {
        child = node.putObject(segments[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(segments[segments.length - 1], value);
  }

  /** The node at a dotted path, or null. */
  private static JsonNode at(JsonNode root, String path) {
    JsonNode node = root;
    for (String segment : path.split("\\.")) {
      node = node == null ? null : node.get(segment);
    }
    return node;
  }

  private void merge(ObjectNode target, ObjectNode source, String prefix, String origin) {
    Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode existingObject
          && field.getValue() instanceof ObjectNode o) {
        merge(existingObject, o, path, origin);
      } else {
        target.set(field.getKey(), field.getValue());
        origins.put(path, origin);
      }
    }
  }

  /** The value in {@code file}, or null after recording why it cannot be read. */
  private String readValueFile(String variable, Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // Files written by editors and `echo` end in a newline that is not part of the secret.
      return text.endsWith("\r\n")
          ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      layerProblems.add(variable + ": cannot read " + file + ": " + e.getMessage());
      return null;
    }
  }

  /** Reads a value from its text form; the parser's message becomes the error message. */
  private static final class TextDeserializer<T> extends JsonDeserializer<T> {
    private final Function<String, T> parser;

    TextDeserializer(Function<String, T> parser) {
      this.parser = parser;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      if (text == null) {
        throw JsonMappingException.from(p, "expected a single value, not a list or section");
      }
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }
}
