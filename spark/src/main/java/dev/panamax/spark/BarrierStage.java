package dev.panamax.spark;

import org.apache.spark.api.java.JavaRDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.List;

/**
 * A barrier stage from Java: Spark's barrier API (RDD.barrier().mapPartitions) is Scala's, with a Scala
 * function and a ClassTag, and JavaRDD has no barrier(). All tasks of the stage start together, and if
 * one fails the stage fails (Spark does not retry a barrier result stage).
 */
final class BarrierStage {
    private BarrierStage() {
    }

    /** What one task computes from its partition's one element. */
    interface Task<T, R> extends Serializable {
        R run(T element);
    }

    /** One result per partition, in partition order; each partition must hold exactly one element. */
    static <T, R> List<R> run(JavaRDD<T> oneEach, Task<T, R> task) {
        ClassTag<Object> any = ClassTag$.MODULE$.apply(Object.class);
        scala.Function1<scala.collection.Iterator<T>, scala.collection.Iterator<Object>> body = perPartition(task);
        Object[] results = (Object[]) oneEach.rdd().barrier().mapPartitions(body, false, any).collect();
        @SuppressWarnings("unchecked")
        List<R> out = (List<R>) (List<?>) List.of(results);
        return out;
    }

    private static <T, R> scala.Function1<scala.collection.Iterator<T>, scala.collection.Iterator<Object>> perPartition(
            Task<T, R> task) {
        return (scala.Function1<scala.collection.Iterator<T>, scala.collection.Iterator<Object>> & Serializable) it -> {
            T element = it.next();
            if (it.hasNext()) {
                throw new IllegalStateException("a barrier task takes one element per partition");
            }
            Object result = task.run(element);
            return CollectionConverters.asScala(List.of(result).iterator());
        };
    }
}
