package hudson;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.java.sezpoz.Index;
import net.java.sezpoz.IndexItem;

/** The extensions of a type. The stand-in finds them the way Jenkins does: through the SezPoz index of {@link Extension}. */
public class ExtensionList<T> extends AbstractList<T> {

    // One instance per extension class, as Jenkins keeps them.
    private static final Map<Class<?>, Object> INSTANCES = new ConcurrentHashMap<>();

    private final List<T> items;

    protected ExtensionList(List<T> items) {
        this.items = items;
    }

    /** All indexed extensions assignable to {@code type}, instantiated once per class. */
    public static <T> ExtensionList<T> lookup(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (IndexItem<Extension, Object> item : Index.load(Extension.class, Object.class, type.getClassLoader())) {
            try {
                if (item.element() instanceof Class<?> c && type.isAssignableFrom(c)) {
                    out.add(type.cast(INSTANCES.computeIfAbsent(c, ExtensionList::instantiate)));
                }
            } catch (InstantiationException | RuntimeException e) {
                throw new IllegalStateException("cannot instantiate extension " + item.className(), e);
            }
        }
        return new ExtensionList<>(out);
    }

    private static Object instantiate(Class<?> c) {
        try {
            var constructor = c.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate extension " + c.getName(), e);
        }
    }

    public static <U> U lookupSingleton(Class<U> type) {
        List<U> all = lookup(type);
        if (all.size() != 1) {
            throw new IllegalStateException("expected exactly one " + type.getName() + " but found " + all.size());
        }
        return all.get(0);
    }

    @Override
    public T get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }
}
