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
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Builds the configuration from four layers, later ones winning: the defaults, the YAML file, the
 * environment ({@link ConfigKeys#envName}), then command-line overrides ({@code key=value}).
 */
public final class ConfigLoader {

  private static final ObjectMapper MAPPER =
      YamlMappers.strict()
          // Every key has a default, so a null can only be an explicit '~' that would otherwise
          // silently become 0 or false.
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(
              new SimpleModule("dropzone-durations")
                  .addDeserializer(Duration.class, new TextDeserializer<>(Durations::parse))
                  .addDeserializer(ByteSize.class, new TextDeserializer<>(ByteSize::parse)));

  private final ObjectNode tree = ConfigKeys.defaults();

  /** Where each value that is not a default came from, for error messages. */
  private final Map<String, String> origins = new HashMap<>();

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
   * secrets can come from mounted files instead of the environment.
   */
  public ConfigLoader environment(Map<String, String> env) throws ConfigException {
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      String value = env.get(key.env());
      String origin = "environment variable " + key.env();
      if (value == null || value.isEmpty()) {
        String file = env.get(key.env() + ConfigKeys.FILE_SUFFIX);
        if (file == null || file.isEmpty()) {
          continue;
        }
        value = readValueFile(key.env() + ConfigKeys.FILE_SUFFIX, Path.of(file));
        origin = "file " + file + " named by " + key.env() + ConfigKeys.FILE_SUFFIX;
      }
      set(key.path(), value, origin);
    }
    return this;
  }

  /** Applies {@code key=value} overrides from the command line. */
  public ConfigLoader overrides(Map<String, String> overrides, String origin)
      throws ConfigException {
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (ConfigKeys.find(e.getKey()).isEmpty()) {
        throw new ConfigException(
            origin
                + ": unknown configuration key '"
                + e.getKey()
                + "'; known keys: "
                + ConfigKeys.all().stream()
                    .map(ConfigKeys.Key::path)
                    .collect(Collectors.joining(", ")));
      }
      set(e.getKey(), e.getValue(), origin);
    }
    return this;
  }

  /** Binds the merged tree; type errors and unknown keys name the key and where it came from. */
  public DropzoneConfig load() throws ConfigException {
    try {
      return MAPPER.treeToValue(tree, DropzoneConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String parent = parentOf(YamlMappers.location(e));
      throw new ConfigException(
          YamlMappers.location(e)
              + ": unknown key"
              + origin(YamlMappers.location(e))
              + "; known keys"
              + (parent.isEmpty() ? "" : " in " + parent)
              + ": "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      String key = YamlMappers.location(e);
      throw new ConfigException(key + ": " + describe(e) + origin(key));
    } catch (JacksonException e) {
      throw new ConfigException("configuration cannot be read: " + e.getOriginalMessage());
    }
  }

  /**
   * Validates the loaded configuration into settings; each problem also says where its value came
   * from (file, environment variable, command line), since the value may not be in the file.
   */
  public GatewaySettings settings(Path baseDir) throws ConfigException {
    DropzoneConfig config = load();
    try {
      return GatewaySettings.from(config, baseDir);
    } catch (ConfigException e) {
      throw new ConfigException(
          e.problems().stream()
              .map(p -> p + origin(p.substring(0, Math.max(0, p.indexOf(':')))))
              .toList());
    }
  }

  private String origin(String key) {
    String origin = origins.get(key);
    return origin == null ? "" : " (from " + origin + ")";
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
    String[] segments = path.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < segments.length - 1; i++) {
      JsonNode child = node.get(segments[i]);
      if (!(child instanceof ObjectNode)) {
        child = node.putObject(segments[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(segments[segments.length - 1], TextNode.valueOf(value));
    origins.put(path, origin);
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

  private static String readValueFile(String variable, Path file) throws ConfigException {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // Files written by editors and `echo` end in a newline that is not part of the secret.
      return text.endsWith("\r\n")
          ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw new ConfigException(variable + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  private static String parentOf(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
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
