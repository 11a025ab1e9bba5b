package net.sf.json;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A submitted form's object: keys in submission order, values String, Boolean, JSONObject or JSONArray. */
public final class JSONObject extends AbstractJSON implements JSON, Map<String, Object>, Comparable<Object> {
    private static final long serialVersionUID = 1L;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public JSONObject() {
    }

    /** Adds or replaces a key, and returns this object (as json-lib's element does). */
    public JSONObject element(String key, Object value) {
        properties.put(key, value);
        return this;
    }

    public boolean has(String key) {
        return properties.containsKey(key);
    }

    public String getString(String key) {
        Object v = properties.get(key);
        if (v == null) {
            throw new JSONException("JSONObject[\"" + key + "\"] not found.");
        }
        return v.toString();
    }

    public JSONObject getJSONObject(String key) {
        return (JSONObject) properties.get(key);
    }

    @Override
    public boolean isArray() {
        return false;
    }

    @Override
    public int size() {
        return properties.size();
    }

    @Override
    public boolean isEmpty() {
        return properties.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return properties.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return properties.containsValue(value);
    }

    @Override
    public Object get(Object key) {
        return properties.get(key);
    }

    @Override
    public Object put(String key, Object value) {
        return properties.put(key, value);
    }

    @Override
    public Object remove(Object key) {
        return properties.remove(key);
    }

    @Override
    public void putAll(Map<? extends String, ?> m) {
        properties.putAll(m);
    }

    @Override
    public void clear() {
        properties.clear();
    }

    @Override
    public Set<String> keySet() {
        return properties.keySet();
    }

    @Override
    public Collection<Object> values() {
        return properties.values();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return properties.entrySet();
    }

    @Override
    public int compareTo(Object o) {
        return o instanceof JSONObject other ? Integer.compare(size(), other.size()) : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JSONObject other && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return properties.hashCode();
    }

    @Override
    public String toString() {
        return properties.toString();
    }
}
