package dev.nosqles.runtime.internal;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.nosqles.runtime.FunctionLoadException;
import dev.nosqles.runtime.template.FunctionDefinition;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.function.Function;

/** Instantiates a function's handler class the way the local runtime hands it its environment. */
public final class Handlers {
    private Handlers() {
    }

    /** {@code new HandlerClass(env)} through its public {@code (Function<String, String>)} constructor. */
    public static Object instantiate(FunctionDefinition function, Function<String, String> env) {
        String className = function.handlerClass();
        Class<?> type;
        try {
            type = Class.forName(className, true, Handlers.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new FunctionLoadException(function.logicalId(), className, "class not found on the classpath", e);
        }
        if (!RequestHandler.class.isAssignableFrom(type)) {
            throw new FunctionLoadException(function.logicalId(), className,
                    "is not a com.amazonaws.services.lambda.runtime.RequestHandler", null);
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor(Function.class);
        } catch (NoSuchMethodException e) {
            throw new FunctionLoadException(function.logicalId(), className,
                    "needs a public constructor taking java.util.function.Function<String, String> (the environment)", e);
        }
        try {
            return constructor.newInstance(env);
        } catch (InvocationTargetException e) {
            throw new FunctionLoadException(function.logicalId(), className, "its constructor failed: "
                    + e.getCause().getClass().getName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new FunctionLoadException(function.logicalId(), className, "cannot be instantiated", e);
        }
    }

    /**
     * The handler as a {@code RequestHandler} of {@code input}, checked against the type argument it declares.
     */
    @SuppressWarnings("unchecked")
    public static <I> RequestHandler<I, Object> as(Object handler, Class<I> input, FunctionDefinition function) {
        Class<?> declared = declaredInput(handler.getClass());
        if (declared != null && !declared.isAssignableFrom(input)) {
            throw new FunctionLoadException(function.logicalId(), handler.getClass().getName(), "handles "
                    + declared.getSimpleName() + " but one of its events delivers " + input.getSimpleName(), null);
        }
        return (RequestHandler<I, Object>) handler;
    }

    private static Class<?> declaredInput(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class
                        && p.getActualTypeArguments()[0] instanceof Class<?> in) {
                    return in;
                }
            }
        }
        return null;
    }
}
