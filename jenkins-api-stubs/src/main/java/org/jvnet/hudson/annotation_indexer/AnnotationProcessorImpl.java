package org.jvnet.hudson.annotation_indexer;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Writes META-INF/annotations/&lt;annotation&gt; (one class name a line) for every annotation meta-annotated
 * {@link Indexed}, as the real annotation indexer does at compile time.
 */
@SupportedAnnotationTypes("*")
public class AnnotationProcessorImpl extends AbstractProcessor {

    private final Map<String, Set<String>> index = new TreeMap<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latest();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment env) {
        if (env.processingOver()) {
            write();
            return false;
        }
        for (TypeElement annotation : annotations) {
            if (annotation.getAnnotation(Indexed.class) == null) {
                continue;
            }
            for (Element e : env.getElementsAnnotatedWith(annotation)) {
                Element type = e;
                while (type != null && !(type.getKind().isClass() || type.getKind().isInterface())) {
                    type = type.getEnclosingElement();
                }
                if (type instanceof TypeElement t) {
                    index.computeIfAbsent(annotation.getQualifiedName().toString(), k -> new TreeSet<>())
                            .add(processingEnv.getElementUtils().getBinaryName(t).toString());
                }
            }
        }
        return false;
    }

    private void write() {
        for (Map.Entry<String, Set<String>> e : index.entrySet()) {
            try {
                FileObject file = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                        "META-INF/annotations/" + e.getKey());
                try (Writer w = file.openWriter()) {
                    for (String name : e.getValue()) {
                        w.write(name);
                        w.write('\n');
                    }
                }
            } catch (IOException x) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "cannot write the index of " + e.getKey() + ": " + x);
            }
        }
    }
}
