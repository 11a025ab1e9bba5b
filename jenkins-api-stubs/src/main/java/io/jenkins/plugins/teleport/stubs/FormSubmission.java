package io.jenkins.plugins.teleport.stubs;

import hudson.util.Secret;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * Not Jenkins API: a form submission for tests, binding the way Stapler's {@code RequestImpl} does. {@code
 * bindJSON(bean, json)} visits the submitted keys only, so a property whose key is absent keeps its value (which is
 * why an emptied repeatable list, submitted without its key, is not cleared unless the plugin clears it); {@code
 * bindJSON(type, json)} calls the {@link DataBoundConstructor} with parameters by name, then the {@link
 * DataBoundSetter}s of the remaining keys; a repeatable property arrives as one object for one entry and as an array
 * for several. Every other request method throws.
 */
public final class FormSubmission {

    private FormSubmission() {}

    /** A request whose submitted form is {@code form}. */
    public static StaplerRequest2 of(JSONObject form) {
        return (StaplerRequest2) Proxy.newProxyInstance(FormSubmission.class.getClassLoader(), new Class<?>[] {StaplerRequest2.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "bindJSON" -> {
                        if (args.length == 2 && args[0] instanceof Class<?> type) {
                            yield newInstance(type, (JSONObject) args[1]);
                        }
                        if (args.length == 2) {
                            bind(args[0], (JSONObject) args[1]);
                            yield null;
                        }
                        throw new UnsupportedOperationException("bindJSON" + Arrays.toString(method.getParameterTypes()));
                    }
                    case "getSubmittedForm" -> form;
                    case "toString" -> "FormSubmission" + form;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("the stand-in request does not implement " + method);
                });
    }

    static void bind(Object bean, JSONObject src) {
        for (String key : src.keySet()) {
            Method setter = setter(bean.getClass(), key);
            try {
                if (setter != null) {
                    setter.invoke(bean, convert(setter.getGenericParameterTypes()[0], src.get(key)));
                    continue;
                }
                Field field = field(bean.getClass(), key);
                if (field != null) {
                    field.set(bean, convert(field.getGenericType(), src.get(key)));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot bind " + key + " of " + bean.getClass().getName(), e);
            }
        }
    }

    static <T> T newInstance(Class<T> type, JSONObject src) {
        Constructor<?> constructor = Arrays.stream(type.getConstructors()).filter(c -> c.isAnnotationPresent(DataBoundConstructor.class))
                .findFirst().orElseThrow(() -> new IllegalArgumentException(type.getName() + " has no @DataBoundConstructor"));
        Object[] args = new Object[constructor.getParameterCount()];
        Set<String> used = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            var p = constructor.getParameters()[i];
            if (!p.isNamePresent()) {
                throw new IllegalArgumentException(type.getName() + " was compiled without -parameters: Stapler cannot bind it");
            }
            used.add(p.getName());
            args[i] = src.has(p.getName()) ? convert(p.getParameterizedType(), src.get(p.getName())) : defaultOf(p.getType());
        }
        try {
            T instance = type.cast(constructor.newInstance(args));
            for (String key : src.keySet()) {
                Method setter = setter(type, key);
                if (!used.contains(key) && setter != null && setter.isAnnotationPresent(DataBoundSetter.class)) {
                    setter.invoke(instance, convert(setter.getGenericParameterTypes()[0], src.get(key)));
                }
            }
            return instance;
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot instantiate " + type.getName(), e);
        }
    }

    private static Object convert(Type target, Object value) {
        Class<?> raw = target instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) target;
        if (value == null) {
            return defaultOf(raw);
        }
        if (List.class.isAssignableFrom(raw)) {
            Type element = target instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            List<Object> out = new ArrayList<>();
            for (Object item : value instanceof JSONArray a ? a : List.of(value)) {
                out.add(convert(element, item));
            }
            return out;
        }
        if (value instanceof JSONObject object) {
            return newInstance(raw, object);
        }
        if (raw == String.class) {
            return value.toString();
        }
        if (raw == Secret.class) {
            return Secret.fromString(value.toString());
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return Boolean.valueOf(value.toString());
        }
        if (raw.isEnum()) {
            return enumValue(raw, value.toString());
        }
        throw new IllegalArgumentException("the stand-in cannot convert " + value + " to " + target);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }

    private static Object defaultOf(Class<?> type) {
        return type == boolean.class ? Boolean.FALSE : type == int.class ? 0 : type == long.class ? 0L : null;
    }

    private static Method setter(Class<?> type, String key) {
        String name = "set" + Character.toUpperCase(key.charAt(0)) + key.substring(1);
        return Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(name) && m.getParameterCount() == 1)
                .findFirst().orElse(null);
    }

    private static Field field(Class<?> type, String key) {
        try {
            Field f = type.getField(key);
            return Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers()) ? null : f;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }
}
