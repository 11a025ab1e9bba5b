package net.sf.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;

/** A submitted form's array (a repeatable entry with two or more items). */
public final class JSONArray extends AbstractJSON implements JSON, List<Object>, Comparable<Object> {
    private static final long serialVersionUID = 1L;
    private final List<Object> elements = new ArrayList<>();

    public JSONArray() {
    }

    /** Appends a value and returns this array (as json-lib's element does). */
    public JSONArray element(Object value) {
        elements.add(value);
        return this;
    }

    @Override
    public boolean isArray() {
        return true;
    }

    @Override
    public int size() {
        return elements.size();
    }

    @Override
    public boolean isEmpty() {
        return elements.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
        return elements.contains(o);
    }

    @Override
    public Iterator<Object> iterator() {
        return elements.iterator();
    }

    @Override
    public Object[] toArray() {
        return elements.toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return elements.toArray(a);
    }

    @Override
    public boolean add(Object o) {
        return elements.add(o);
    }

    @Override
    public boolean remove(Object o) {
        return elements.remove(o);
    }

    @Override
    public boolean containsAll(Collection<?> c) {
        return elements.containsAll(c);
    }

    @Override
    public boolean addAll(Collection<?> c) {
        return elements.addAll(c);
    }

    @Override
    public boolean addAll(int index, Collection<?> c) {
        return elements.addAll(index, c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return elements.removeAll(c);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return elements.retainAll(c);
    }

    @Override
    public void clear() {
        elements.clear();
    }

    @Override
    public Object get(int index) {
        return elements.get(index);
    }

    @Override
    public Object set(int index, Object element) {
        return elements.set(index, element);
    }

    @Override
    public void add(int index, Object element) {
        elements.add(index, element);
    }

    @Override
    public Object remove(int index) {
        return elements.remove(index);
    }

    @Override
    public int indexOf(Object o) {
        return elements.indexOf(o);
    }

    @Override
    public int lastIndexOf(Object o) {
        return elements.lastIndexOf(o);
    }

    @Override
    public ListIterator<Object> listIterator() {
        return elements.listIterator();
    }

    @Override
    public ListIterator<Object> listIterator(int index) {
        return elements.listIterator(index);
    }

    @Override
    public List<Object> subList(int fromIndex, int toIndex) {
        return elements.subList(fromIndex, toIndex);
    }

    @Override
    public int compareTo(Object o) {
        return o instanceof JSONArray other ? Integer.compare(size(), other.size()) : -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JSONArray other && elements.equals(other.elements);
    }

    @Override
    public int hashCode() {
        return elements.hashCode();
    }

    @Override
    public String toString() {
        return elements.toString();
    }
}
