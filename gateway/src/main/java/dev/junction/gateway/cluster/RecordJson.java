package dev.junction.gateway.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Records to JSON and back, for what a node pipe announces about a Producer (its negotiated m-section, a tree of
 * codec-module records). The shape comes from the declared record types only: the JSON never names a class, so a
 * peer can make nothing but the records the receiver asked for, and anything that does not fit them is an
 * {@link IllegalArgumentException}. Supports records, enums, {@code String}, {@code int}, {@code long},
 * {@code boolean}, {@code double}, {@code List<T>}, {@code Map<String, T>}, {@code Optional<T>},
 * {@code OptionalInt} and {@code OptionalLong}.
 *
 * <p>Stateless; any thread.
 */
final class RecordJson {

    private RecordJson() {
    }

    /** {@code value} (a record) as a JSON object. */
    static JsonObject encode(Record value) {
        return (JsonObject) encode(value, value.getClass());
    }

    /** The {@code type} record that {@code json} describes. */
    static <T extends Record> T decode(JsonObject json, Class<T> type) {
        return type.cast(decode(json, (Type) type));
    }

    private static Object encode(Object value, Type type) {
        Class<?> raw = raw(type);
        if (value == null) throw new IllegalArgumentException("null " + raw.getSimpleName());
        if (raw.isRecord()) {
            JsonObject o = new JsonObject();
            for (RecordComponent c : raw.getRecordComponents()) {
                try {
                    o.put(c.getName(), encode(c.getAccessor().invoke(value), c.getGenericType()));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("cannot read " + raw.getSimpleName() + "." + c.getName(), e);
                }
            }
            return o;
        }
        if (raw.isEnum()) return ((Enum<?>) value).name();
        if (raw == String.class || raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                || raw == boolean.class || raw == Boolean.class || raw == double.class || raw == Double.class) {
            return value;
        }
        if (raw == OptionalInt.class) return ((OptionalInt) value).isPresent() ? ((OptionalInt) value).getAsInt() : null;
        if (raw == OptionalLong.class) return ((OptionalLong) value).isPresent() ? ((OptionalLong) value).getAsLong() : null;
        if (raw == Optional.class) return ((Optional<?>) value).map(v -> encode(v, argument(type, 0))).orElse(null);
        if (List.class.isAssignableFrom(raw)) {
            JsonArray a = new JsonArray();
            for (Object item : (List<?>) value) a.add(encode(item, argument(type, 0)));
            return a;
        }
        if (Map.class.isAssignableFrom(raw) && argument(type, 0) == String.class) {
            JsonObject o = new JsonObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) o.put((String) e.getKey(), encode(e.getValue(), argument(type, 1)));
            return o;
        }
        throw new IllegalArgumentException("unsupported type " + type);
    }

    private static Object decode(Object json, Type type) {
        Class<?> raw = raw(type);
        if (raw == OptionalInt.class) return json == null ? OptionalInt.empty() : OptionalInt.of(number(json, raw).intValue());
        if (raw == OptionalLong.class) return json == null ? OptionalLong.empty() : OptionalLong.of(number(json, raw).longValue());
        if (raw == Optional.class) return json == null ? Optional.empty() : Optional.of(decode(json, argument(type, 0)));
        if (json == null) throw new IllegalArgumentException("missing " + raw.getSimpleName());
        if (raw.isRecord()) {
            if (!(json instanceof JsonObject o)) throw new IllegalArgumentException("expected an object for " + raw.getSimpleName());
            RecordComponent[] components = raw.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] args = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = decode(o.getValue(components[i].getName()), components[i].getGenericType());
            }
            try {
                Constructor<?> canonical = raw.getDeclaredConstructor(types);
                return canonical.newInstance(args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IllegalArgumentException("invalid " + raw.getSimpleName() + ": " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot make " + raw.getSimpleName(), e);
            }
        }
        if (raw.isEnum()) {
            if (!(json instanceof String name)) throw new IllegalArgumentException("expected a name for " + raw.getSimpleName());
            for (Object constant : raw.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) return constant;
            }
            throw new IllegalArgumentException("no " + raw.getSimpleName() + " " + name);
        }
        if (raw == String.class) {
            if (json instanceof String s) return s;
            throw new IllegalArgumentException("expected a string");
        }
        if (raw == int.class || raw == Integer.class) return number(json, raw).intValue();
        if (raw == long.class || raw == Long.class) return number(json, raw).longValue();
        if (raw == double.class || raw == Double.class) return number(json, raw).doubleValue();
        if (raw == boolean.class || raw == Boolean.class) {
            if (json instanceof Boolean b) return b;
            throw new IllegalArgumentException("expected a boolean");
        }
        if (List.class.isAssignableFrom(raw)) {
            if (!(json instanceof JsonArray a)) throw new IllegalArgumentException("expected an array");
            List<Object> out = new ArrayList<>(a.size());
            for (Object item : a) out.add(decode(item, argument(type, 0)));
            return out;
        }
        if (Map.class.isAssignableFrom(raw) && argument(type, 0) == String.class) {
            if (!(json instanceof JsonObject o)) throw new IllegalArgumentException("expected an object");
            Map<String, Object> out = new LinkedHashMap<>();
            for (String key : o.fieldNames()) out.put(key, decode(o.getValue(key), argument(type, 1)));
            return out;
        }
        throw new IllegalArgumentException("unsupported type " + type);
    }

    private static Number number(Object json, Class<?> raw) {
        if (json instanceof Number n) return n;
        throw new IllegalArgumentException("expected a number for " + raw.getSimpleName());
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) return c;
        if (type instanceof ParameterizedType p) return (Class<?>) p.getRawType();
        throw new IllegalArgumentException("unsupported type " + type);
    }

    private static Type argument(Type type, int index) {
        if (type instanceof ParameterizedType p) return p.getActualTypeArguments()[index];
        throw new IllegalArgumentException("raw generic type " + type);
    }
}
