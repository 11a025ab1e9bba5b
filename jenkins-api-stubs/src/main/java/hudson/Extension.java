package hudson;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.java.sezpoz.Indexable;

/** Marks an extension; indexed by SezPoz into META-INF/annotations/hudson.Extension, as Jenkins reads it. */
@Indexable
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD})
@Documented
public @interface Extension {
    double ordinal() default 0;

    boolean optional() default false;

    jenkins.YesNoMaybe dynamicLoadable() default jenkins.YesNoMaybe.MAYBE;
}
